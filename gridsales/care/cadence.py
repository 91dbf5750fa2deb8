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

from django.db.models import OuterRef, QuerySet, Subquery
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


def contact_statuses(
    customers: QuerySet, *, on: dt.date | None = None, due_within: int = DUE_WITHIN_DAYS
) -> list[ContactStatus]:
    """The cadence status on `on` (default today) of every customer of the queryset that is
    not lost. Two queries: the policies, and the customers with their last contact."""
    on = on or timezone.localdate()
    policies = load_policies()
    rows = (
        with_last_contact(customers.exclude(status=CustomerStatus.LOST))
        .order_by()
        .values_list(
            "pk", "tier", "industry", "current_grid__path", "created_at", "last_contact_at"
        )
    )
    found = []
    for pk, tier, industry, grid_path, created_at, last_at in rows.iterator(chunk_size=2000):
        interval = interval_for(policies, tier=tier, industry=industry, grid_path=grid_path)
        last = timezone.localtime(last_at).date() if last_at else None
        if interval is None:
            found.append(ContactStatus(pk, None, last, None, State.NO_POLICY, 0))
            continue
        start = last or timezone.localtime(created_at).date()
        due_on = start + dt.timedelta(days=interval)
        overdue = max(0, (on - due_on).days)
        if due_on < on:
            state = State.OVERDUE
        elif due_on <= on + dt.timedelta(days=due_within):
            state = State.DUE
        else:
            state = State.OK
        found.append(ContactStatus(pk, interval, last, due_on, state, overdue))
    return found


def contact_status(customer, *, on: dt.date | None = None) -> ContactStatus | None:
    """One customer's status (None for a lost customer)."""
    statuses = contact_statuses(type(customer).objects.filter(pk=customer.pk), on=on)
    return statuses[0] if statuses else None


def overdue_count(customers: QuerySet, *, on: dt.date | None = None) -> int:
    """How many customers of the queryset are overdue on `on`."""
    return sum(1 for s in contact_statuses(customers, on=on) if s.state == State.OVERDUE)
