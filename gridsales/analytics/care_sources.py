"""Readers of the customer-care KPIs: lead conversion, visit coverage and overdue contacts
(docs/kpis.md). Like analytics.sources, each returns sums per row key from a `Keyer`.

These KPIs are about customers rather than recorded facts, so a customer counts in its
grid of today and for its owner (rep grouping), as recorded or restated alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When

from gridsales.activities.choices import ActivityStatus
from gridsales.activities.models import Activity
from gridsales.analytics.kpi import Period
from gridsales.analytics.sources import Keyer, _end_moment, _start_moment
from gridsales.care.cadence import interval_for, load_policies
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer, CustomerStatusChange
from gridsales.sales.choices import OrderLineStatus, StageKind
from gridsales.sales.models import Opportunity, OrderLine


def _customers(keyer: Keyer):
    return Customer.objects.filter(keyer.where("current_grid_id")).order_by()


def _row(keyer: Keyer, grid_id: int, owner_id: int | None):
    return keyer.key({"g": grid_id, "r": owner_id})


def lead_conversion(keyer: Keyer, period: Period) -> dict:
    """Customers created as leads in the period (the cohort) and those of them with a won
    deal or a non-cancelled order dated by the end of the period."""
    ordered = OrderLine.objects.filter(customer=OuterRef("pk"), order_date__lte=period.end).exclude(
        status=OrderLineStatus.CANCELLED
    )
    won = Opportunity.objects.filter(
        customer=OuterRef("pk"), state=StageKind.WON, closed_on__lte=period.end
    )
    # Created as a lead: the customer's creation row in its status history says so.
    as_lead = CustomerStatusChange.objects.filter(
        customer=OuterRef("pk"), previous="", status=CustomerStatus.LEAD
    )
    cohort = _customers(keyer).filter(
        Exists(as_lead), created_at__gte=_start_moment(period), created_at__lt=_end_moment(period)
    )
    rows = cohort.annotate(converted=Exists(ordered) | Exists(won)).values_list(
        "current_grid_id", "owner_id", "converted"
    )
    out: dict = defaultdict(lambda: {"leads": 0, "converted": 0})
    for grid_id, owner_id, converted in rows:
        target = out[_row(keyer, grid_id, owner_id)]
        target["leads"] += 1
        target["converted"] += int(converted)
    return out


def contact_cadence(keyer: Keyer, period: Period) -> dict:
    """visit_coverage: of the customers active in the period (a non-cancelled order line
    dated in it) that have a cadence policy, those whose last done activity before the end
    of the period lies within their interval; overdue_contacts: customers (not lost) whose
    last done activity by then (or creation) is older than their interval.

    No date crosses into Python (on SQLite, converting tens of thousands of them took most
    of a second): for each interval the policies use (a handful), the database lists the
    customers contacted within it before the end, and flags those created within it."""
    end = _end_moment(period)
    policies = load_policies()
    intervals = sorted({policy.interval_days for policy in policies})
    if not intervals:
        return {}
    done = Activity.objects.filter(status=ActivityStatus.DONE, done_at__lt=end).order_by()
    limits = {days: end - dt.timedelta(days=days) for days in intervals}
    contacted = {
        days: set(
            done.filter(done_at__gte=limit, customer__isnull=False)
            .values_list("customer_id", flat=True)
            .distinct()
        )
        for days, limit in limits.items()
    }
    sold = OrderLine.objects.filter(
        customer=OuterRef("pk"), order_date__range=(period.start, period.end)
    ).exclude(status=OrderLineStatus.CANCELLED)
    recent = {f"recent_{days}": _flag(Q(created_at__gte=limit)) for days, limit in limits.items()}
    rows = (
        _customers(keyer)
        .annotate(active=Exists(sold), ever=Exists(done.filter(customer=OuterRef("pk"))))
        .filter(Q(active=True) | (Q(created_at__lt=end) & ~Q(status=CustomerStatus.LOST)))
        .annotate(**recent)
        .values_list(
            "pk", "tier", "industry", "current_grid_id", "current_grid__path", "owner_id",
            "status", "active", "ever", *recent,
        )
    )  # fmt: skip
    column = {days: index for index, days in enumerate(intervals, start=9)}
    out: dict = defaultdict(lambda: {"covered": 0, "coverable": 0, "overdue": 0})
    for row in rows:
        pk, tier, industry, grid_id, path, owner_id, status, active, ever = row[:9]
        interval = interval_for(policies, tier=tier, industry=industry, grid_path=path)
        if interval is None:
            continue
        target = out[_row(keyer, grid_id, owner_id)]
        within = pk in contacted[interval]
        if active:
            target["coverable"] += 1
            target["covered"] += int(within)
        # Overdue: the last contact (or, never contacted, the creation) is too old.
        fresh = within or (not ever and row[column[interval]])
        if status != CustomerStatus.LOST and not fresh:
            target["overdue"] += 1
    return out


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def revenue_targets(keyer: Keyer, period: Period) -> dict:
    """The revenue target of each row for the period: the line of the latest version of
    each approved or locked revenue plan whose period key is this period (a month
    "2026-03", an ISO week "2026-W09"; a year or a quarter only for plans whose fiscal
    year starts in January). A grid row takes its own grid's line (not its children's),
    a rep row the sum of the rep's lines in the grids in scope. No line: no target."""
    from django.db.models import Max

    from gridsales.targets.choices import Metric, PlanStatus
    from gridsales.targets.models import TargetLine, TargetPlanVersion

    key, calendar_only = period.label, False
    if period.kind == "day":
        return {}
    if period.kind == "quarter":
        key, calendar_only = period.label[-2:], True
    elif period.kind == "year":
        calendar_only = True
    versions = TargetPlanVersion.objects.filter(
        plan__metric=Metric.REVENUE,
        plan__status__in=[PlanStatus.APPROVED, PlanStatus.LOCKED],
    )
    if calendar_only:
        versions = versions.filter(plan__fiscal_year_start_month=1, plan__year=period.start.year)
    latest = versions.values("plan_id").annotate(last=Max("number")).order_by()
    ids = [
        pk
        for row in latest
        for pk in versions.filter(plan_id=row["plan_id"], number=row["last"]).values_list(
            "pk", flat=True
        )
    ]
    lines = TargetLine.objects.filter(
        keyer.where("grid_id"), version_id__in=ids, period_kind=period.kind, period=key
    ).values_list("grid_id", "grid__code", "user_id", "amount")
    out: dict = defaultdict(lambda: {"target": 0, "has_target": True})
    for grid_id, code, user_id, amount in lines:
        if keyer.with_rep:
            if user_id is not None:
                out[user_id]["target"] += amount
        elif user_id is None and keyer.grids[grid_id] == code:
            if keyer.by == "child" and code == keyer.top:
                continue  # the parent's own target is not one of its children's
            if keyer.by == "leaf" and code not in keyer.leaves:
                continue  # grouped by leaf, an inner grid is not a row
            out[code]["target"] += amount
    return out
