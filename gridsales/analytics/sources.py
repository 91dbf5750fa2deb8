"""Readers of the facts behind each KPI, returning sums per (group) key.

Each reader returns {key: {name: value}} where the key is decided by a `Keyer` (a grid
code or a rep id) from the fact's grid and rep: the readers aggregate in the database per
(grid, rep) at most, and the keyer folds those rows into groups, so
a subtree's numbers are sums of its leaves' (docs/kpis.md). Sales read the rollups;
opportunities, activities and surveys are small tables read directly through their
(state, closed_on), (done_at) and (answered_at) indexes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from gridsales.activities.choices import ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.analytics.kpi import Period
from gridsales.analytics.models import CustomerFirstOrder, CustomerMonth, SalesDay, SalesMonth
from gridsales.care.models import Survey
from gridsales.sales.choices import OrderLineStatus, StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, OrderLine


@dataclass
class Keyer:
    """Folds a fact's (grid, rep) into its row key. `grids` maps every visible grid
    of the requested subtree to the code of the row it belongs to; facts of other grids
    are out of scope and dropped."""

    by: str
    grids: dict[int, str]
    restated: bool
    top: str = ""  # the requested grid's code
    top_path: str = "/"
    read_paths: tuple[str, ...] | None = None  # None: the caller reads every grid
    leaves: frozenset = frozenset()  # codes of the leaf grids in scope

    def where(self, grid: str) -> Q:
        """The facts whose grid (`grid`: a grid id field such as "grid_id") is in the
        requested subtree and in the caller's scope, as path filters: a list of 2,000
        grid ids would cost more to build than the query costs to run."""
        path = grid.removesuffix("_id") + "__path"
        q = Q(**{f"{path}__startswith": self.top_path})
        if self.read_paths is not None:
            allowed = Q(pk__in=[])
            for prefix in self.read_paths:
                allowed |= Q(**{f"{path}__startswith": prefix})
            q &= allowed
        return q

    @property
    def with_rep(self) -> bool:
        return self.by == "rep"

    def key(self, row: dict):
        if self.by == "rep":
            return row["r"]
        return self.grids[row["g"]]

    def dims(self, grid: str, rep: str) -> dict:
        """The values() expressions: the rep by rep, else the grid (the scope is already
        in the query's filter, `where`)."""
        if self.with_rep:
            return {"r": F(rep)}
        return {"g": F(grid)}

    def kept(self, row: dict) -> bool:
        return self.with_rep or row["g"] in self.grids

    def fold(self, rows, names: tuple[str, ...]) -> dict:
        out: dict = defaultdict(lambda: dict.fromkeys(names, 0))
        for row in rows:
            if not self.kept(row):
                continue
            target = out[self.key(row)]
            for name in names:
                target[name] += row[name] or 0
        return out


def _grid_field(keyer: Keyer, recorded: str, customer: str = "customer__") -> str:
    return f"{customer}current_grid_id" if keyer.restated else recorded


def sales_sums(keyer: Keyer, period: Period) -> dict:
    """sales, returned and orders per key, from the rollups (restated: per customer)."""
    names = ("sales", "returned", "orders")
    sums = {name: Sum(name) for name in names}
    if keyer.restated:
        if period.whole_months:
            qs = CustomerMonth.objects.filter(month__in=period.months())
            dims = keyer.dims("customer__current_grid_id", "rep_id")
            return keyer.fold(_grouped(qs, dims, sums, keyer, "customer__current_grid_id"), names)
        return _restated_lines(keyer, period)
    if period.whole_months:
        qs = SalesMonth.objects.filter(month__in=period.months())
        dims = keyer.dims("grid_id", "rep_id")
    else:
        qs = SalesDay.objects.filter(day__range=(period.start, period.end))
        dims = keyer.dims("grid_id", "rep_id")
    return keyer.fold(_grouped(qs, dims, sums, keyer, "grid_id"), names)


def _restated_lines(keyer: Keyer, period: Period) -> dict:
    # Days and weeks restated: a week of lines joined to today's customer grid.
    live = OrderLine.objects.exclude(status=OrderLineStatus.CANCELLED)
    grid = "customer__current_grid_id"
    sold = _grouped(
        live.filter(order_date__range=(period.start, period.end)),
        keyer.dims(grid, "rep_id"),
        {"sales": Sum("amount"), "orders": Count("order_id", distinct=True)},
        keyer,
        grid,
    )
    back = _grouped(
        live.filter(return_date__range=(period.start, period.end)),
        keyer.dims(grid, "rep_id"),
        {"returned": Sum("returned_amount")},
        keyer,
        grid,
    )
    rows = [{**row, "returned": 0} for row in sold] + [
        {**row, "sales": 0, "orders": 0} for row in back
    ]
    return keyer.fold(rows, ("sales", "returned", "orders"))


def customer_counts(keyer: Keyer, period: Period) -> dict:
    """new_customers and active_customers per key. Active customers are distinct
    customers, counted per key from per-customer facts (never summed over grids)."""
    out: dict = defaultdict(lambda: {"new_customers": 0, "active_customers": 0})
    grid = _grid_field(keyer, "grid_id")
    first = CustomerFirstOrder.objects.filter(day__range=(period.start, period.end))
    for key, row in keyer.fold(
        _grouped(
            first,
            keyer.dims(grid, "rep_id"),
            {"n": Count("customer_id")},
            keyer,
            grid,
        ),
        ("n",),
    ).items():
        out[key]["new_customers"] = row["n"]
    if period.whole_months:
        qs = CustomerMonth.objects.filter(month__in=period.months(), orders__gt=0)
        dims = keyer.dims(grid, "rep_id")
    else:
        qs = OrderLine.objects.exclude(status=OrderLineStatus.CANCELLED).filter(
            order_date__range=(period.start, period.end)
        )
        dims = keyer.dims(grid, "rep_id")
    seen: dict = defaultdict(set)
    rows = _scoped(qs, keyer, grid).values(**dims, c=F("customer_id")).distinct().order_by()
    for row in rows:
        if keyer.kept(row):
            seen[keyer.key(row)].add(row["c"])
    for key, customers in seen.items():
        out[key]["active_customers"] = len(customers)
    return out


def opportunity_facts(keyer: Keyer, period: Period) -> dict:
    """won, lost and the cycle days (a list) of deals closed in the period."""
    grid = _grid_field(keyer, "grid_id")
    out: dict = defaultdict(lambda: {"won": 0, "lost": 0, "cycles": []})
    closed = Opportunity.objects.filter(
        state__in=[StageKind.WON, StageKind.LOST], closed_on__range=(period.start, period.end)
    )
    rows = _scoped(closed, keyer, grid).values(
        **keyer.dims(grid, "owner_id"),
        state_=F("state"),
        closed=F("closed_on"),
        created=F("created_at"),
    )
    tz = timezone.get_current_timezone()
    for row in rows.order_by():
        if not keyer.kept(row):
            continue
        target = out[keyer.key(row)]
        if row["state_"] == StageKind.WON:
            target["won"] += 1
            target["cycles"].append((row["closed"] - row["created"].astimezone(tz).date()).days)
        else:
            target["lost"] += 1
    return out


def pipeline_weighted(keyer: Keyer, period: Period) -> dict:
    """Σ amount × stage probability of the deals open at the end of the period, each in
    the stage it stood in then (its last stage change by then). The amount is today's:
    amounts have no history."""
    grid = _grid_field(keyer, "grid_id")
    end = _end_moment(period)
    candidates = Opportunity.objects.filter(created_at__lt=end).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=period.end)
    )
    rows = list(
        _scoped(candidates, keyer, grid)
        .values(**keyer.dims(grid, "owner_id"), pk=F("pk"))
        .annotate(amount_=F("amount"), prob=F("stage__probability"))
        .order_by()
    )
    moved_later = set(
        OpportunityStageChange.objects.filter(
            opportunity_id__in=[r["pk"] for r in rows], changed_at__gte=end
        ).values_list("opportunity_id", flat=True)
    )
    if moved_later:
        then: dict = {}
        changes = (
            OpportunityStageChange.objects.filter(
                opportunity_id__in=moved_later, changed_at__lt=end
            )
            .order_by("opportunity_id", "changed_at", "pk")
            .values_list("opportunity_id", "to_stage__probability", "to_stage__kind")
        )
        for pk, prob, kind in changes:
            then[pk] = prob if kind == StageKind.OPEN else 0
        for row in rows:
            if row["pk"] in moved_later:
                row["prob"] = then.get(row["pk"], 0)
    out: dict = defaultdict(lambda: {"pipeline": 0})
    for row in rows:
        if keyer.kept(row):
            out[keyer.key(row)]["pipeline"] += row["amount_"] * row["prob"] / 100
    return out


def activity_counts(keyer: Keyer, period: Period) -> dict:
    """Done visits and calls in the period."""
    grid = _grid_field(keyer, "grid_id")
    start, end = _start_moment(period), _end_moment(period)
    done = Activity.objects.filter(
        status=ActivityStatus.DONE,
        type__in=[ActivityType.VISIT, ActivityType.CALL],
        done_at__gte=start,
        done_at__lt=end,
    )
    rows = _grouped(
        done,
        keyer.dims(grid, "owner_id"),
        {
            "visits": Count("pk", filter=Q(type=ActivityType.VISIT)),
            "calls": Count("pk", filter=Q(type=ActivityType.CALL)),
        },
        keyer,
        grid,
    )
    return keyer.fold(rows, ("visits", "calls"))


def survey_sums(keyer: Keyer, period: Period) -> dict:
    """CSAT sum and count, NPS promoters, detractors and responses answered in the period."""
    grid = _grid_field(keyer, "grid_id")
    answered = Survey.objects.filter(
        answered_at__gte=_start_moment(period), answered_at__lt=_end_moment(period)
    )
    rows = _grouped(
        answered,
        keyer.dims(grid, "sent_by_id"),
        {
            "csat_sum": Sum("csat"),
            "csat_n": Count("csat"),
            "promoters": Count("pk", filter=Q(nps__gte=9)),
            "detractors": Count("pk", filter=Q(nps__lte=6)),
            "nps_n": Count("nps"),
        },
        keyer,
        grid,
    )
    return keyer.fold(rows, ("csat_sum", "csat_n", "promoters", "detractors", "nps_n"))


def _scoped(qs, keyer: Keyer, grid: str):
    return qs.filter(keyer.where(grid))


def _grouped(qs, dims: dict, sums: dict, keyer: Keyer, grid: str):
    return _scoped(qs, keyer, grid).values(**dims).annotate(**sums).order_by()


def _start_moment(period: Period) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))


def _end_moment(period: Period) -> dt.datetime:
    day_after = period.end + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day_after, dt.time.min))
