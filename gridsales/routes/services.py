"""Writes for visit routes: plan a rep's day or a grid team's week, reorder by hand,
optimise again, confirm.

A plan is written whole: the RoutePlan row (audited) and its stops in bulk. Planning a day
again rewrites that day's draft in place (same id); a confirmed plan stays until a draft
is confirmed over it. See docs/routes.md.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gridsales.core.scope import scope_for
from gridsales.core.services import model_save
from gridsales.routes.candidates import Candidate, day_candidates, depot_for
from gridsales.routes.choices import RoutePlanStatus, StopKind
from gridsales.routes.config import RoutesConfig
from gridsales.routes.day import (
    DayResult,
    DaySetup,
    StopSpec,
    assign_week,
    plan_day,
    schedule_day,
)
from gridsales.routes.models import RoutePlan, RouteStop, WeekPlan
from gridsales.routes.travel import travel_provider
from gridsales.routes.week import check_week, may_plan_week, team, week_days, week_input
from gridsales.team.models import Membership


def config() -> RoutesConfig:
    return settings.ROUTES


def may_plan_for(user, rep) -> bool:
    """Reps plan their own days, managers those of the reps of the grids they manage,
    admins and directors anyone's; analysts and finance read only."""
    scope = scope_for(user)
    if scope.write_all:
        return True
    if scope.read_all or scope.user_id is None:
        return False
    if rep.pk == scope.user_id:
        return True
    if not scope.write_paths:
        return False
    managed = scope.paths_q("grid__path", scope.write_paths)
    return Membership.objects.active().filter(managed, user=rep).exists()


def _day_text(day: dt.date) -> str:
    return formats.date_format(day, "Y-m-d")


def _plan_fields(rep, cfg: RoutesConfig) -> dict:
    kind, lat, lng = depot_for(rep, cfg)
    lunch = cfg.lunch_minutes > 0
    return {
        "depot_kind": kind,
        "depot_lat": lat,
        "depot_lng": lng,
        "shift_start": cfg.working_hours[0],
        "shift_end": cfg.working_hours[1],
        "lunch_earliest": cfg.lunch_window[0] if lunch else None,
        "lunch_latest": cfg.lunch_window[1] if lunch else None,
        "lunch_minutes": cfg.lunch_minutes,
        "road_factor": cfg.road_factor,
        "speed_kmh": cfg.speed_kmh,
    }


def setup_of(plan: RoutePlan) -> DaySetup:
    """The plan's own depot, hours, lunch and speed (as they were when it was planned)."""
    lunch = None
    if plan.has_lunch:
        lunch = (float(plan.lunch_earliest), float(plan.lunch_latest), float(plan.lunch_minutes))
    return DaySetup(
        plan.depot_lat,
        plan.depot_lng,
        (float(plan.shift_start), float(plan.shift_end)),
        lunch,
        plan.road_factor,
        plan.speed_kmh,
        travel_provider(),
    )


def _draft(rep, day: dt.date, user) -> RoutePlan:
    """The rep's draft of the day, or a new one with today's settings."""
    plan = RoutePlan.objects.filter(rep=rep, day=day, status=RoutePlanStatus.DRAFT).first()
    if plan is None:
        plan = RoutePlan(rep=rep, day=day, status=RoutePlanStatus.DRAFT)
    for name, value in _plan_fields(rep, config()).items():
        setattr(plan, name, value)
    plan.created_by = user if user is not None and user.pk else None
    return plan


def _stop_row(plan, candidate: Candidate | None, **fields) -> RouteStop:
    if candidate is None:
        return RouteStop(plan=plan, kind=StopKind.LUNCH, name="", **fields)
    spec = candidate.spec
    return RouteStop(
        plan=plan,
        kind=candidate.kind,
        customer_id=candidate.customer_id,
        activity_id=candidate.activity_id,
        name=candidate.name[:200],
        address=candidate.address[:300],
        lat=spec.lat,
        lng=spec.lng,
        early=spec.early,
        late=spec.late,
        service=spec.service,
        priority=spec.priority,
        required=spec.required,
        **fields,
    )


def _times(visit) -> dict:
    return {
        "arrival": visit.arrival,
        "wait": visit.wait,
        "start": visit.start,
        "end": visit.end,
        "late_by": visit.late_by,
        "travel_m": visit.travel_m,
        "travel_minutes": visit.travel_minutes,
    }


def _write(plan: RoutePlan, candidates: list[Candidate], result: DayResult) -> RoutePlan:
    """Save the plan's figures and replace its stops by the result's."""
    model_save(
        plan,
        depart=result.depart,
        back=result.back,
        back_late_by=result.back_late_by,
        distance_m=result.distance_m,
        drive_minutes=result.drive_minutes,
        reordered=False,
        solve_seconds=result.seconds,
    )
    plan.stops.all().delete()
    by_key = {c.spec.key: c for c in candidates}
    rows = []
    for position, visit in enumerate(result.visits, start=1):
        candidate = by_key.get(visit.key) if visit.key is not None else None
        fields = {"position": position, **_times(visit)}
        if candidate is None:
            fields |= {
                "lat": visit.lat,
                "lng": visit.lng,
                "early": float(plan.lunch_earliest),
                "late": float(plan.lunch_latest),
                "service": float(plan.lunch_minutes),
            }
        rows.append(_stop_row(plan, candidate, **fields))
    for left in result.dropped:
        rows.append(
            _stop_row(plan, by_key[left.key], drop_reason=left.reason, drop_params=left.params)
        )
    RouteStop.objects.bulk_create(rows)
    return plan


def _check_day(day: dt.date) -> None:
    if day < timezone.localdate():
        raise ValidationError(
            {
                "day": _("{day} is in the past: plan today or a later day.").format(
                    day=_day_text(day)
                )
            }
        )


@transaction.atomic
def route_plan_day(*, rep, day: dt.date, user, time_limit: float | None = None) -> RoutePlan:
    """Plan `rep`'s visits on `day` into the day's draft (made or replaced; a confirmed
    plan of the day stays until the draft is confirmed): planned visits, open follow-ups
    and due customers in the best order that fits the working day and the customers'
    hours, the others left out with a reason."""
    if not may_plan_for(user, rep):
        raise PermissionDenied(_("You may plan only your own days or those of your reps."))
    _check_day(day)
    cfg = config()
    candidates = day_candidates(rep=rep, day=day, config=cfg)
    plan = _draft(rep, day, user)
    limit = cfg.day_time_limit if time_limit is None else time_limit
    result = plan_day(setup_of(plan), [c.spec for c in candidates], time_limit=limit)
    return _write(plan, candidates, result)


def plan_candidates(plan: RoutePlan) -> list[Candidate]:
    """The plan's stops (planned and left out, not the lunch) as candidates again."""
    found = []
    for stop in plan.stops.exclude(kind=StopKind.LUNCH).order_by("pk"):
        spec = StopSpec(
            f"s{stop.pk}",
            stop.lat,
            stop.lng,
            early=stop.early,
            late=stop.late,
            service=stop.service,
            priority=stop.priority,
            required=stop.required,
        )
        found.append(
            Candidate(spec, stop.kind, stop.name, stop.address, stop.customer_id, stop.activity_id)
        )
    return found


@transaction.atomic
def route_plan_optimise(*, plan: RoutePlan, user, time_limit: float | None = None) -> RoutePlan:
    """Search the best order again for the same stops (those left out included). A draft
    is rewritten in place; a confirmed plan is optimised into the day's draft."""
    candidates = plan_candidates(plan)
    setup = setup_of(plan)
    if plan.status == RoutePlanStatus.CONFIRMED:
        target = RoutePlan.objects.filter(
            rep=plan.rep, day=plan.day, status=RoutePlanStatus.DRAFT
        ).first() or RoutePlan(rep=plan.rep, day=plan.day, status=RoutePlanStatus.DRAFT)
        for name in (
            "depot_kind",
            "depot_lat",
            "depot_lng",
            "shift_start",
            "shift_end",
            "lunch_earliest",
            "lunch_latest",
            "lunch_minutes",
            "road_factor",
            "speed_kmh",
        ):
            setattr(target, name, getattr(plan, name))
        target.created_by = user if user is not None and user.pk else None
        plan = target
    limit = config().day_time_limit if time_limit is None else time_limit
    result = plan_day(setup, [c.spec for c in candidates], time_limit=limit)
    return _write(plan, candidates, result)


@transaction.atomic
def route_plan_reorder(*, plan: RoutePlan, stop_ids: list[int], user=None) -> RoutePlan:
    """Put the planned stops in the order of `stop_ids` and recompute the times (no search):
    visits that now start after their window closes are marked late. The lunch break goes
    where its id is, or where it fits best when its id is left out."""
    planned = list(plan.stops.in_order())
    visits = {s.pk: s for s in planned if not s.is_lunch}
    lunch = next((s for s in planned if s.is_lunch), None)
    ids = [int(i) for i in stop_ids]
    given = [i for i in ids if lunch is None or i != lunch.pk]
    if sorted(given) != sorted(visits) or len(ids) - len(given) > 1:
        missing = sorted(set(visits) - set(given))
        unknown = sorted({i for i in given if i not in visits or given.count(i) > 1})
        raise ValidationError(
            {
                "stop_ids": _(
                    "List every planned stop of the route once, in the new order. Missing: "
                    "{missing}; not planned or twice: {unknown}."
                ).format(
                    missing=", ".join(map(str, missing)) or "-",
                    unknown=", ".join(map(str, unknown)) or "-",
                )
            }
        )
    keys = {pk: f"s{pk}" for pk in visits}
    order = [None if lunch is not None and i == lunch.pk else keys[i] for i in ids]
    specs = [c.spec for c in plan_candidates(plan) if int(c.spec.key[1:]) in visits]
    result = schedule_day(setup_of(plan), specs, order)
    by_key = {keys[pk]: stop for pk, stop in visits.items()}
    changed = []
    for position, visit in enumerate(result.visits, start=1):
        if visit.key is None:
            if lunch is None:
                continue
            stop = lunch
            stop.lat, stop.lng = visit.lat, visit.lng
        else:
            stop = by_key[visit.key]
        stop.position = position
        for name, value in _times(visit).items():
            setattr(stop, name, value)
        changed.append(stop)
    if changed:
        fields = ["position", "lat", "lng", *_times(result.visits[0])]
        RouteStop.objects.bulk_update(changed, fields)
    return model_save(
        plan,
        depart=result.depart,
        back=result.back,
        back_late_by=result.back_late_by,
        distance_m=result.distance_m,
        drive_minutes=result.drive_minutes,
        reordered=True,
    )


@transaction.atomic
def route_plan_confirm(*, plan: RoutePlan, user=None) -> RoutePlan:
    """Make the draft the rep's plan of the day (replacing an earlier confirmed one).
    Confirming a confirmed plan changes nothing."""
    if plan.status == RoutePlanStatus.CONFIRMED:
        return plan
    RoutePlan.objects.filter(
        rep_id=plan.rep_id, day=plan.day, status=RoutePlanStatus.CONFIRMED
    ).delete()
    return model_save(plan, status=RoutePlanStatus.CONFIRMED, confirmed_at=timezone.now())


def route_plans_for_today(*, reps, time_limit: float = 0.3) -> list[RoutePlan]:
    """A draft plan of today for each of `reps`, planned as the rep (for the demo)."""
    today = timezone.localdate()
    return [route_plan_day(rep=rep, day=today, user=rep, time_limit=time_limit) for rep in reps]


ASSIGN_SHARE = 0.4  # of a week's time budget, for the assignment phase
MIN_SECONDS = 0.05


@transaction.atomic
def route_plan_week(
    *,
    grid,
    week_start: dt.date,
    user,
    keep_own_customers: bool = True,
    time_limit: float | None = None,
) -> WeekPlan:
    """Plan the week of `week_start` (a Monday) for the reps of `grid`: the due customers
    of the grid spread over the reps' working days, one draft RoutePlan per rep and day
    under one WeekPlan (replaced when planned again). With `keep_own_customers` a customer
    is only given to the rep who owns it. Two phases within `time_limit` seconds (default
    the week's setting): assignment, then each day sequenced (routes.week)."""
    started = time.perf_counter()
    if not may_plan_week(user, grid):
        raise PermissionDenied(_("Only the managers of a grid plan its team's week."))
    days = week_days(week_start)
    check_week(week_start, days)
    members = team(grid, days)
    if not members:
        raise ValidationError(
            _("{grid} has no reps this week: add members to the grid first.").format(grid=grid.code)
        )
    cfg = config()
    budget = cfg.week_time_limit if time_limit is None else time_limit
    work = week_input(grid, days, members, keep_own_customers=keep_own_customers, config=cfg)
    given, left = assign_week(
        work.depots,
        work.vehicles,
        work.stops,
        road_factor=cfg.road_factor,
        speed_kmh=cfg.speed_kmh,
        time_limit=max(MIN_SECONDS, budget * ASSIGN_SHARE),
        travel=travel_provider(),
    )
    week, _created = WeekPlan.objects.get_or_create(grid=grid, week_start=week_start)
    remaining = budget - (time.perf_counter() - started)
    per_day = min(cfg.day_time_limit, max(MIN_SECONDS, remaining / max(1, len(work.rep_days))))
    written = []
    for i, (rep, day) in enumerate(work.rep_days):
        mine = [c for c in work.candidates if given.get(c.spec.key) == i]
        plan = _draft(rep, day, user)
        plan.week = week
        result = plan_day(setup_of(plan), [c.spec for c in mine], time_limit=per_day)
        written.append(_write(plan, mine, result).pk)
    RoutePlan.objects.filter(week=week, status=RoutePlanStatus.DRAFT).exclude(
        pk__in=written
    ).delete()
    by_key = {c.spec.key: c for c in work.candidates}
    unplanned = [
        {
            "customer": by_key[x.key].customer_id,
            "code": by_key[x.key].code,
            "name": by_key[x.key].name,
            "reason": x.reason,
            "params": x.params,
        }
        for x in left
    ]
    return model_save(
        week,
        keep_own_customers=keep_own_customers,
        unplanned=unplanned,
        seconds=time.perf_counter() - started,
        created_by=user if user is not None and user.pk else None,
    )
