"""Readers of the customer-care KPIs: lead conversion, visit coverage and overdue contacts
(docs/kpis.md). Like analytics.sources, each returns sums per row key from a `Keyer`.

These KPIs are about customers rather than recorded facts, so a customer counts in its
grid of today and for its owner (rep grouping), as recorded or restated alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef

from gridsales.activities.choices import ActivityStatus
from gridsales.activities.models import Activity
from gridsales.analytics.kpi import Period
from gridsales.analytics.sources import Keyer, _end_moment, _start_moment
from gridsales.care.cadence import interval_for, load_policies
from gridsales.core.context import current_request_id
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

    Set-based, and no date crosses into Python for most customers (on SQLite, converting
    tens of thousands of them took most of a second): the database lists the customers
    active in the period, those ever contacted before its end and, for each interval the
    policies use (a handful), those contacted within it; only customers created within the
    longest interval before the end come with their creation time. The customers in scope
    and their intervals do not depend on the period: a dashboard asks for three periods and
    a ranking, so they are read once per request (`_cadence_customers`)."""
    end = _end_moment(period)
    policies = load_policies()
    intervals = sorted({policy.interval_days for policy in policies})
    if not intervals:
        return {}
    people = _cadence_customers(keyer, policies)
    # A small scope asks only about its own customers; a large one scans the period.
    mine = {"customer_id__in": [row[0] for row in people]} if len(people) <= SMALL_SCOPE else {}
    done = Activity.objects.filter(
        status=ActivityStatus.DONE, done_at__lt=end, customer__isnull=False, **mine
    ).order_by()
    limits = {days: end - dt.timedelta(days=days) for days in intervals}
    contacted = {days: _ids(done.filter(done_at__gte=limit)) for days, limit in limits.items()}
    ever = _ids(done)
    active = _ids(
        OrderLine.objects.filter(order_date__range=(period.start, period.end), **mine)
        .exclude(status=OrderLineStatus.CANCELLED)
        .order_by()
    )
    # Customers created after the longest interval's limit: the late ones (created after
    # the end) and the recent ones (created within an interval: not overdue yet).
    created = dict(
        _customers(keyer)
        .filter(created_at__gte=min(limits.values()))
        .values_list("pk", "created_at")
    )
    out: dict = defaultdict(lambda: {"covered": 0, "coverable": 0, "overdue": 0})
    for pk, grid_id, owner_id, lost, interval in people:
        made = created.get(pk)
        is_active = pk in active
        if not is_active and (lost or (made is not None and made >= end)):
            continue  # not in the period's population
        target = out[_row(keyer, grid_id, owner_id)]
        within = pk in contacted[interval]
        if is_active:
            target["coverable"] += 1
            target["covered"] += int(within)
        # Overdue: the last contact (or, never contacted, the creation) is too old.
        fresh = within or (pk not in ever and made is not None and made >= limits[interval])
        if not lost and not fresh:
            target["overdue"] += 1
    return out


SMALL_SCOPE = 2_000  # customers: up to this many, the fact queries list their ids


def _ids(queryset) -> set[int]:
    return set(queryset.values_list("customer_id", flat=True).distinct())


# The customers of one scope with their cadence interval, for the current request only
# (keyed by its request id; nothing is kept outside a request).
_REQUEST_MEMO: dict = {}


def _cadence_customers(keyer: Keyer, policies) -> list[tuple]:
    """(pk, grid id, owner id, lost, interval) of the customers in the keyer's scope that
    have a cadence policy."""
    request_id = current_request_id.get()
    key = (request_id, keyer.top_path, keyer.read_paths, tuple(policies))
    if request_id and key in _REQUEST_MEMO:
        return _REQUEST_MEMO[key]
    rows = []
    for pk, tier, industry, grid_id, path, owner_id, status in _customers(keyer).values_list(
        "pk", "tier", "industry", "current_grid_id", "current_grid__path", "owner_id", "status"
    ):
        interval = interval_for(policies, tier=tier, industry=industry, grid_path=path)
        if interval is not None:
            rows.append((pk, grid_id, owner_id, status == CustomerStatus.LOST, interval))
    if request_id:
        # list() copies the keys at once: other threads' requests may change the dict.
        for old in list(_REQUEST_MEMO):
            if old[0] != request_id:
                _REQUEST_MEMO.pop(old, None)
        _REQUEST_MEMO[key] = rows
    return rows


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
