"""Headcount: the visiting workload of every grid against a rep's yearly capacity.

A customer that is not lost needs 365 / interval visits a year, the interval being its
tier's contact cadence (care.cadence: the most specific active policy); each visit takes
the visit minutes plus the travel allowance (settings PLANNING_*). A grid's workload is
the sum over its customers (its subtree's, for an inner grid), in hours. A leaf grid
needs ceil(workload / capacity) reps — a rep can be in a grid or not, so the
recommendation is a whole number; an inner grid needs the sum of its leaves'. Today's
staffing is the sum of the shares of the active member memberships of reps. Demand is
what the customers bought in the last 365 days (order lines not cancelled, less returns).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.utils import timezone

from gridsales.accounts.choices import Role
from gridsales.care.cadence import interval_for, load_policies
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership

DAYS_PER_YEAR = 365
DEMAND_DAYS = 365
EPS = 1e-9


@dataclass(frozen=True)
class HeadcountConfig:
    """Minutes on site and travel allowed per visit; visiting hours of one rep a year."""

    visit_minutes: int
    travel_minutes: int
    rep_hours: int

    @property
    def hours_per_visit(self) -> float:
        return (self.visit_minutes + self.travel_minutes) / 60


def config() -> HeadcountConfig:
    return HeadcountConfig(
        settings.PLANNING_VISIT_MINUTES,
        settings.PLANNING_TRAVEL_MINUTES,
        settings.PLANNING_REP_HOURS,
    )


@dataclass
class CustomerLoad:
    """One customer's visiting need: visits a year, hours a year, demand (yuan)."""

    customer_id: int
    grid_id: int | None
    lng: float | None
    lat: float | None
    visits: float
    hours: float
    demand: Decimal


def recommended_reps(hours: float, capacity: float) -> int:
    """Whole reps to carry `hours`: the ceiling (0 for no workload)."""
    return math.ceil(hours / capacity - EPS) if hours > EPS else 0


def customer_loads(customers, *, on: dt.date | None = None, cfg: HeadcountConfig | None = None):
    """CustomerLoad of every customer of the queryset that is not lost. Three queries."""
    from gridsales.sales.choices import OrderLineStatus
    from gridsales.sales.models import OrderLine

    on = on or timezone.localdate()
    cfg = cfg or config()
    policies = load_policies()
    rows = list(
        customers.exclude(status=CustomerStatus.LOST)
        .order_by("pk")
        .values_list(
            "pk", "current_grid_id", "current_grid__path", "tier", "industry", "lng", "lat"
        )
    )
    demand: dict[int, Decimal] = {}
    ids = [r[0] for r in rows]
    if ids:
        since = on - dt.timedelta(days=DEMAND_DAYS - 1)
        lines = (
            OrderLine.objects.filter(order_date__gte=since, order_date__lte=on)
            .exclude(status=OrderLineStatus.CANCELLED)
            .filter(customer__in=customers)
            .values("customer_id")
            .annotate(total=Sum(F("amount") - F("returned_amount")))
            .order_by()
        )
        demand = {row["customer_id"]: row["total"] for row in lines}
    loads = []
    for pk, grid_id, path, tier, industry, lng, lat in rows:
        interval = interval_for(policies, tier=tier, industry=industry, grid_path=path)
        visits = DAYS_PER_YEAR / interval if interval else 0.0
        loads.append(
            CustomerLoad(
                pk,
                grid_id,
                lng,
                lat,
                visits,
                visits * cfg.hours_per_visit,
                demand.get(pk) or Decimal("0.00"),
            )
        )
    return loads


@dataclass
class HeadcountRow:
    """A grid's headcount: own and subtree figures; None where a division has no divisor."""

    grid: Grid
    customers: int = 0
    visits: float = 0.0
    hours: float = 0.0
    demand: Decimal = Decimal("0.00")
    recommended: int = 0
    staffed: Decimal = Decimal("0.00")
    children: list = field(default_factory=list)

    @property
    def gap(self) -> Decimal:
        """Reps today minus reps recommended: negative = short of people."""
        return self.staffed - self.recommended

    @property
    def capacity_hours(self) -> float:
        return float(self.staffed) * config().rep_hours

    @property
    def utilisation(self) -> float | None:
        cap = self.capacity_hours
        return self.hours / cap if cap > 0 else None

    @property
    def demand_per_rep(self) -> Decimal | None:
        if self.staffed <= 0:
            return None
        return (self.demand / self.staffed).quantize(Decimal("0.01"))

    @property
    def demand_per_recommended(self) -> Decimal | None:
        if self.recommended <= 0:
            return None
        return (self.demand / self.recommended).quantize(Decimal("0.01"))


def headcount(*, grid: Grid, user, on: dt.date | None = None) -> list[HeadcountRow]:
    """One row per active grid of `grid`'s subtree that `user` may see, in tree order,
    each with the totals of its own subtree. Five queries, whatever the tree's size."""
    on = on or timezone.localdate()
    cfg = config()
    grids = list(
        Grid.objects.restrict(user, "view")
        .subtree(grid)
        .filter(status=GridStatus.ACTIVE)
        .order_by("path")
    )
    if not grids:
        return []
    rows = {g.pk: HeadcountRow(g) for g in grids}
    by_path = {g.path: g.pk for g in grids}

    def ancestors(path: str):
        """The rows whose subtree holds `path` (the grid itself included)."""
        parts = path.strip("/").split("/")
        for k in range(1, len(parts) + 1):
            pk = by_path.get("/" + "/".join(parts[:k]) + "/")
            if pk is not None:
                yield rows[pk]

    paths = dict(Grid.objects.subtree(grid).values_list("pk", "path"))
    leaf_hours: dict[int, float] = defaultdict(float)
    customers = Customer.objects.filter(current_grid__path__startswith=grid.path)
    for load in customer_loads(customers, on=on, cfg=cfg):
        leaf_hours[load.grid_id] += load.hours
        for row in ancestors(paths[load.grid_id]):
            row.customers += 1
            row.visits += load.visits
            row.hours += load.hours
            row.demand += load.demand
    for g in grids:
        if g.is_leaf:
            need = recommended_reps(leaf_hours.get(g.pk, 0.0), cfg.rep_hours)
            for row in ancestors(g.path):
                row.recommended += need
    staffing = (
        Membership.objects.active(on)
        .filter(
            role=MembershipRole.MEMBER,
            user__role=Role.REP,
            grid__path__startswith=grid.path,
            grid__status=GridStatus.ACTIVE,
        )
        .values_list("grid__path", "share_pct")
    )
    for path, share in staffing:
        for row in ancestors(path):
            row.staffed += share / 100
    return [rows[g.pk] for g in grids]


def recommended_territories(*, grid: Grid, on: dt.date | None = None) -> int:
    """The number of grids a redesign of `grid` should make: ceil(subtree workload /
    capacity), at least 1."""
    cfg = config()
    loads = customer_loads(Customer.objects.filter(current_grid__path__startswith=grid.path), on=on)
    return max(1, recommended_reps(sum(c.hours for c in loads), cfg.rep_hours))
