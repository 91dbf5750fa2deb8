"""Reads for visit routes: the plans a user sees, the route of a day for the Today page,
plan versus actual check-ins, the week table, whom a user may plan for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from gridsales.accounts.models import User
from gridsales.activities.choices import ActivityType
from gridsales.activities.models import Activity
from gridsales.core.scope import scope_for
from gridsales.grids.models import Grid
from gridsales.routes.choices import RoutePlanStatus, StopKind
from gridsales.routes.models import RoutePlan, RouteStop, WeekPlan
from gridsales.team.models import Membership

# A check-in this close to the planned start is on time (minutes).
ON_TIME_MINUTES = 15


def plans_for(user):
    """The plans `user` sees, with their rep, week and counts of planned and left-out
    visits (one query)."""
    visits = Q(stops__position__isnull=False) & ~Q(stops__kind=StopKind.LUNCH)
    return (
        RoutePlan.objects.restrict(user, "view")
        .select_related("rep", "week__grid")
        .annotate(
            visit_count=Count("stops", filter=visits),
            dropped_count=Count("stops", filter=Q(stops__position__isnull=True)),
        )
    )


def weeks_for(user):
    return WeekPlan.objects.restrict(user, "view").select_related("grid", "created_by")


def plannable_people(user):
    """Whose days `user` may plan: themselves; the reps of the grids they manage; anyone
    with a grid for admins and directors; nobody for read-only roles."""
    scope = scope_for(user)
    if scope.read_all and not scope.write_all:
        return User.objects.none()
    active = Membership.objects.active()
    if scope.write_all:
        q = Q(pk__in=active.values("user_id")) | Q(pk=user.pk)
    else:
        managed = active.filter(scope.paths_q("grid__path", scope.write_paths))
        q = Q(pk__in=managed.values("user_id")) | Q(pk=user.pk)
    return User.objects.filter(q, is_active=True).order_by("username")


def plannable_grids(user):
    """The grids whose team's week `user` may plan (those they manage, with sub-grids)."""
    scope = scope_for(user)
    grids = (
        Grid.objects.all()
        if scope.write_all
        else Grid.objects.filter(scope.paths_q("path", scope.write_paths))
    )
    return grids.order_by("path")


def may_see_weeks(user) -> bool:
    scope = scope_for(user)
    return scope.read_all or bool(scope.write_paths)


@dataclass
class DayRoute:
    plan: RoutePlan
    stops: list[RouteStop]


def day_route(*, viewer, rep, day: dt.date) -> DayRoute | None:
    """The route of `rep` on `day` that `viewer` may see — the confirmed plan, else the
    draft — with its planned stops in order. One query."""
    plans = RoutePlan.objects.restrict(viewer, "view").filter(rep=rep, day=day)
    stops = list(
        RouteStop.objects.filter(plan__in=plans.values("pk"), position__isnull=False)
        .select_related("plan")
        .order_by("plan__status", "position")  # "confirmed" sorts before "draft"
    )
    if not stops:
        return None
    plan = stops[0].plan
    return DayRoute(plan, [s for s in stops if s.plan_id == plan.pk])


@dataclass
class Actual:
    """What happened at a planned stop: the check-in, how far from the customer, and a
    verdict: on_time, late, early, missed or pending."""

    verdict: str
    minutes: int = 0  # how early or late
    checkin_at: dt.datetime | None = None
    distance_m: float | None = None
    activity_id: int | None = None


def _minutes(moment: dt.datetime) -> float:
    local = timezone.localtime(moment)
    return local.hour * 60 + local.minute + local.second / 60


def actuals(plan: RoutePlan, stops: list[RouteStop]) -> dict[int, Actual]:
    """{stop id: Actual} for the plan's visits, from the rep's visit check-ins of that day:
    the stop's own planned visit, else any visit to the same customer. One query."""
    start = timezone.make_aware(dt.datetime.combine(plan.day, dt.time.min))
    visits = list(
        Activity.objects.filter(
            owner_id=plan.rep_id,
            type=ActivityType.VISIT,
            checkin_at__gte=start,
            checkin_at__lt=start + dt.timedelta(days=1),
        )
        .order_by("checkin_at")
        .values("pk", "customer_id", "checkin_at", "checkin_distance_m")
    )
    by_activity = {v["pk"]: v for v in visits}
    by_customer: dict[int, dict] = {}
    for v in visits:
        by_customer.setdefault(v["customer_id"], v)
    past = plan.day < timezone.localdate()
    found = {}
    for stop in stops:
        if stop.is_lunch or stop.start is None:
            continue
        visit = by_activity.get(stop.activity_id) or by_customer.get(stop.customer_id)
        if visit is None:
            found[stop.pk] = Actual("missed" if past else "pending")
            continue
        delta = round(_minutes(visit["checkin_at"]) - stop.start)
        verdict = "on_time"
        if delta > ON_TIME_MINUTES:
            verdict = "late"
        elif delta < -ON_TIME_MINUTES:
            verdict = "early"
        found[stop.pk] = Actual(
            verdict, abs(delta), visit["checkin_at"], visit["checkin_distance_m"], visit["pk"]
        )
    return found


@dataclass
class WeekRow:
    rep: User
    cells: list[RoutePlan | None]  # one per day of the week's table

    @property
    def visits(self) -> int:
        return sum(p.visit_count for p in self.cells if p)

    @property
    def km(self) -> float:
        return sum(p.distance_km for p in self.cells if p)

    @property
    def hours(self) -> float:
        return sum(p.hours for p in self.cells if p)


def week_table(week: WeekPlan) -> tuple[list[dt.date], list[WeekRow]]:
    """Days (Monday to Sunday, those with a plan or working days) × reps: each cell the
    week's draft of that rep-day, else the rep-day's confirmed plan. Two queries."""
    drafts = list(plans_for_week(week).filter(week=week).order_by("rep__username", "day"))
    reps = {p.rep_id: p.rep for p in drafts}
    days = sorted({p.day for p in drafts})
    kept = plans_for_week(week).filter(
        rep_id__in=list(reps), day__in=days, status=RoutePlanStatus.CONFIRMED
    )
    cells = {(p.rep_id, p.day): p for p in kept}
    cells.update({(p.rep_id, p.day): p for p in drafts})
    rows = [
        WeekRow(rep, [cells.get((rep.pk, d)) for d in days])
        for rep in sorted(reps.values(), key=lambda u: u.username)
    ]
    return days, rows


def plans_for_week(week: WeekPlan):
    visits = Q(stops__position__isnull=False) & ~Q(stops__kind=StopKind.LUNCH)
    return RoutePlan.objects.select_related("rep").annotate(
        visit_count=Count("stops", filter=visits),
        dropped_count=Count("stops", filter=Q(stops__position__isnull=True)),
    )
