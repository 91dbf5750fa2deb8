"""Who could be visited: the candidate stops of a rep's day and of a team's week.

- Planned visits of the day (activities of type visit, status planned): mandatory. One
  planned at a time of day (not midnight) is an appointment: it starts at that time or up
  to `appointment_slack` minutes later. One without a time may start within the
  customer's business hours. Service: the visit's duration, else `visit_minutes`.
- Follow-up visits (回访) still open from before the day: optional, priority tier + 2.
- Customers due or overdue for contact (gridsales.care.cadence) that have coordinates:
  optional; priority = tier points (A 4, B 3, C 2, D 1) + 1 per full week overdue (at most
  4); half the tier points when only due in the coming days. Service by tier.

A customer's business hours are its `opens_at`–`closes_at`, else the default hours; a
visit must start early enough to end by closing time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.care.cadence import DUE_WITHIN_DAYS, State, contact_statuses
from gridsales.customers.models import Customer
from gridsales.routes.choices import DepotKind, StopKind
from gridsales.routes.config import RoutesConfig
from gridsales.routes.day import StopSpec
from gridsales.team.models import RepProfile

TIER_POINTS = {"A": 4, "B": 3, "C": 2, "D": 1}
FOLLOW_UP_BONUS = 2
MAX_OVERDUE_WEEKS = 4


@dataclass(frozen=True)
class Candidate:
    """A stop to plan, with what the plan keeps about it."""

    spec: StopSpec
    kind: str
    name: str
    address: str = ""
    customer_id: int | None = None
    activity_id: int | None = None
    rep_id: int | None = None  # whose visit it is (planned visits, follow-ups, owners)
    day: dt.date | None = None  # the day a planned visit is fixed to
    code: str = ""  # the customer's code


def minutes_of(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


def business_hours(customer: Customer, config: RoutesConfig) -> tuple[int, int]:
    opens, closes = config.business_hours
    if customer.opens_at is not None:
        opens = minutes_of(customer.opens_at)
    if customer.closes_at is not None:
        closes = minutes_of(customer.closes_at)
    return opens, max(opens, closes)


def due_priority(tier: str, *, overdue_days: int, due_on: dt.date | None, on: dt.date) -> float:
    """How much visiting a due customer is worth (see the module's docstring)."""
    points = TIER_POINTS.get(tier, 1)
    if overdue_days > 0:
        return points + min(MAX_OVERDUE_WEEKS, overdue_days // 7)
    if due_on is not None and due_on > on:
        return points / 2
    return float(points)


def _spec(key, customer, config, *, early=None, late=None, service, priority, required):
    opens, closes = business_hours(customer, config)
    early = opens if early is None else early
    late = max(early, closes - service) if late is None else late
    return StopSpec(
        key,
        customer.lat,
        customer.lng,
        early=float(early),
        late=float(late),
        service=float(service),
        priority=float(priority),
        required=required,
    )


def activity_candidate(key: str, activity: Activity, config: RoutesConfig, day: dt.date):
    """A planned visit of `day` (mandatory), or an open follow-up from before (optional)."""
    customer = activity.customer
    local = timezone.localtime(activity.planned_at)
    service = activity.duration_minutes or config.visit_minutes
    points = TIER_POINTS.get(customer.tier, 1)
    if local.date() < day:
        spec = _spec(
            key,
            customer,
            config,
            service=service,
            priority=points + FOLLOW_UP_BONUS,
            required=False,
        )
        kind = StopKind.FOLLOW_UP
    elif local.time() != dt.time.min:
        at = minutes_of(local.time())
        spec = _spec(
            key,
            customer,
            config,
            early=at,
            late=at + config.appointment_slack,
            service=service,
            priority=points,
            required=True,
        )
        kind = StopKind.APPOINTMENT
    else:
        spec = _spec(key, customer, config, service=service, priority=points, required=True)
        kind = (
            StopKind.FOLLOW_UP if activity.purpose == ActivityPurpose.FOLLOW_UP else StopKind.VISIT
        )
    return Candidate(
        spec,
        kind,
        customer.name,
        customer.address,
        customer.pk,
        activity.pk,
        activity.owner_id,
        local.date() if local.date() >= day else None,
        customer.code,
    )


def _day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def planned_visits(reps, first: dt.date, last: dt.date):
    """Open visits of `reps` planned from `first` to `last`, and open follow-up visits
    planned before `first` (one query, customers joined)."""
    start, end = _day_bounds(first, last)
    return (
        Activity.objects.filter(
            owner__in=reps, type=ActivityType.VISIT, status=ActivityStatus.PLANNED
        )
        .filter(
            Q(planned_at__gte=start, planned_at__lt=end)
            | Q(purpose=ActivityPurpose.FOLLOW_UP, planned_at__lt=start)
        )
        .select_related("customer")
        .order_by("planned_at", "pk")
    )


def due_candidates(customers, *, on: dt.date, due_within: int, config, skip=(), key="d{}"):
    """Candidates for the customers of the queryset due or overdue on `on` (or within
    `due_within` days), but those in `skip` (ids). Customers without coordinates come back
    with no location (the caller decides whether to report them)."""
    statuses = {
        s.customer_id: s
        for s in contact_statuses(customers, on=on, due_within=due_within)
        if s.state in (State.OVERDUE, State.DUE) and s.customer_id not in skip
    }
    rows = Customer.objects.filter(pk__in=list(statuses)).order_by("code")
    found = []
    for customer in rows:
        status = statuses[customer.pk]
        priority = due_priority(
            customer.tier, overdue_days=status.overdue_days, due_on=status.due_on, on=on
        )
        spec = _spec(
            key.format(customer.pk),
            customer,
            config,
            service=config.service_for(customer.tier),
            priority=priority,
            required=False,
        )
        found.append(
            Candidate(
                spec,
                StopKind.DUE,
                customer.name,
                customer.address,
                customer.pk,
                None,
                customer.owner_id,
                code=customer.code,
            )
        )
    return found


def day_candidates(*, rep, day: dt.date, config: RoutesConfig) -> list[Candidate]:
    """The rep's candidate stops for `day`: planned visits, open follow-ups, due customers
    they own (with coordinates). Four queries."""
    found = [
        activity_candidate(f"a{a.pk}", a, config, day) for a in planned_visits([rep], day, day)
    ]
    taken = {c.customer_id for c in found}
    owned = Customer.objects.filter(owner=rep, lat__isnull=False, lng__isnull=False)
    found += due_candidates(owned, on=day, due_within=DUE_WITHIN_DAYS, config=config, skip=taken)
    return found


def depot_for(rep, config: RoutesConfig) -> tuple[str, float, float]:
    """Where the rep's day starts and ends: (kind, lat, lng) — home when the rep's profile
    has its location, else the office."""
    home = (
        RepProfile.objects.filter(user=rep, home_lat__isnull=False, home_lng__isnull=False)
        .values_list("home_lat", "home_lng")
        .first()
    )
    if home:
        return DepotKind.HOME, home[0], home[1]
    return DepotKind.OFFICE, config.office[0], config.office[1]
