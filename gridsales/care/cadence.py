"""Contact cadence: when each customer must next be contacted, and who is overdue.

A customer's interval comes from the most specific active CadencePolicy of its tier (see
CadencePolicy). Its last contact is its latest done activity of any type (visit, call,
email, WeChat, meeting). It is due `interval` days after that contact — or after it was
created, when it was never contacted — and overdue from the day after. Lost customers are
not on any cadence. Read by the Today page, the due/overdue lists, grid and customer
pages (docs/care.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from gridsales.activities.choices import ActivityStatus
from gridsales.activities.models import Activity
from gridsales.care.models import CadencePolicy
from gridsales.customers.choices import CustomerStatus

# "Due" lists also show what falls due within this many days.
DUE_WITHIN_DAYS = 7


class State:
    OVERDUE = "overdue"
    DUE = "due"
    OK = "ok"
    NO_POLICY = "none"


@dataclass(frozen=True)
class Policy:
    tier: str
    grid_path: str | None
    industry: str
    interval_days: int

    def specificity(self) -> tuple:
        # Grid and industry, then grid (the deepest first), then industry, then the tier.
        has_grid = self.grid_path is not None
        return (
            has_grid and bool(self.industry),
            has_grid,
            len(self.grid_path or ""),
            bool(self.industry),
        )


def load_policies() -> list[Policy]:
    """The active policies, most specific first."""
    rows = CadencePolicy.objects.filter(is_active=True).values_list(
        "tier", "grid__path", "industry", "interval_days"
    )
    policies = [Policy(t, path, industry, days) for t, path, industry, days in rows]
    return sorted(policies, key=Policy.specificity, reverse=True)


def interval_for(
    policies: list[Policy], *, tier: str, industry: str, grid_path: str | None
) -> int | None:
    """The contact interval in days for a customer, or None when no policy applies."""
    for policy in policies:
        if policy.tier != tier:
            continue
        if policy.industry and policy.industry != industry:
            continue
        if policy.grid_path is not None and not (grid_path or "").startswith(policy.grid_path):
            continue
        return policy.interval_days
    return None


@dataclass(frozen=True)
class ContactStatus:
    customer_id: int
    interval_days: int | None
    last_contact: dt.date | None
    due_on: dt.date | None
    state: str
    overdue_days: int


def with_last_contact(customers: QuerySet) -> QuerySet:
    """Annotate `last_contact_at`: the time of the customer's latest done activity."""
    latest = (
        Activity.objects.filter(customer=OuterRef("pk"), status=ActivityStatus.DONE)
        .order_by("-done_at")
        .values("done_at")[:1]
    )
    return customers.annotate(last_contact_at=Subquery(latest))


def contact_status_rows(
    customers: QuerySet,
    *,
    on: dt.date | None = None,
    due_within: int = DUE_WITHIN_DAYS,
    fields: tuple[str, ...] = (),
):
    """(values of `fields`, ContactStatus) for every customer of the queryset that is not
    lost, read in the same single query (so lists show names and grids without a second
    pass). Two queries: the policies, and the customers with their last contact."""
    on = on or timezone.localdate()
    policies = load_policies()
    rows = (
        with_last_contact(customers.exclude(status=CustomerStatus.LOST))
        .order_by()
        .values_list(
            "pk",
            "tier",
            "industry",
            "current_grid__path",
            "created_at",
            "last_contact_at",
            *fields,
        )
    )
    soon = on + dt.timedelta(days=due_within)
    tz = timezone.get_current_timezone()
    # Customers share a few (tier, industry, grid) keys: look each one up once.
    intervals: dict[tuple, int | None] = {}
    for pk, tier, industry, grid_path, created_at, last_at, *extra in rows.iterator(
        chunk_size=2000
    ):
        key = (tier, industry, grid_path)
        if key not in intervals:
            intervals[key] = interval_for(
                policies, tier=tier, industry=industry, grid_path=grid_path
            )
        interval = intervals[key]
        last = last_at.astimezone(tz).date() if last_at else None
        if interval is None:
            yield tuple(extra), ContactStatus(pk, None, last, None, State.NO_POLICY, 0)
            continue
        start = last or created_at.astimezone(tz).date()
        due_on = start + dt.timedelta(days=interval)
        overdue = max(0, (on - due_on).days)
        if due_on < on:
            state = State.OVERDUE
        elif due_on <= soon:
            state = State.DUE
        else:
            state = State.OK
        yield tuple(extra), ContactStatus(pk, interval, last, due_on, state, overdue)


def contact_statuses(
    customers: QuerySet, *, on: dt.date | None = None, due_within: int = DUE_WITHIN_DAYS
) -> list[ContactStatus]:
    """The cadence status on `on` (default today) of every customer of the queryset that is
    not lost. Two queries: the policies, and the customers with their last contact."""
    return [
        status for _extra, status in contact_status_rows(customers, on=on, due_within=due_within)
    ]


def contact_status(customer, *, on: dt.date | None = None) -> ContactStatus | None:
    """One customer's status (None for a lost customer)."""
    statuses = contact_statuses(type(customer).objects.filter(pk=customer.pk), on=on)
    return statuses[0] if statuses else None


def overdue_count(customers: QuerySet, *, on: dt.date | None = None) -> int:
    """How many customers of the queryset are overdue on `on`: one COUNT in the database
    (the grid page shows it for whole regions), the same rule as contact_statuses.

    Overdue means due_on = start day + interval < on, i.e. the start (last contact, or
    creation) came before local midnight of on − interval. The policies become one CASE,
    most specific first, giving each customer that midnight of its own interval."""
    on = on or timezone.localdate()
    whens = []
    for policy in load_policies():
        match = Q(tier=policy.tier)
        if policy.industry:
            match &= Q(industry=policy.industry)
        if policy.grid_path is not None:
            match &= Q(current_grid__path__startswith=policy.grid_path)
        midnight = dt.datetime.combine(on - dt.timedelta(days=policy.interval_days), dt.time.min)
        whens.append(When(match, then=Value(timezone.make_aware(midnight))))
    if not whens:
        return 0
    latest = (
        Activity.objects.filter(customer=OuterRef("pk"), status=ActivityStatus.DONE)
        .order_by("-done_at")
        .values("done_at")[:1]
    )
    return (
        customers.exclude(status=CustomerStatus.LOST)
        .order_by()
        .annotate(
            _start=Coalesce(Subquery(latest), F("created_at")),
            _limit=Case(*whens, default=None, output_field=DateTimeField()),
        )
        .filter(_start__lt=F("_limit"))
        .count()
    )
