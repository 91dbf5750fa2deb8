"""A grid team's week: who is on the team which day, and the candidate stops with the
rep-days that may take them (the reads behind services.route_plan_week).

Two phases, so a team's week stays within a fixed time budget whatever its size:
1. assignment — one VRPTW over every rep-day of the week (vehicles; each day shortened by
   the lunch break and taking at most 1.25 times its fair share of the visits, so the week
   is spread out): who visits whom on which day. A customer kept with its owner
   (`keep_own_customers`) and a planned visit fixed to its rep and day are stops only some
   vehicles may take (`Stop.vehicles`, modelled in PyVRP as a load dimension only those
   vehicles carry). 40 % of the budget.
2. sequencing — each rep-day solved exactly (lunch break, appointments) with `plan_day`,
   the rest of the budget shared between them (at most the day's own time limit).

Days are the ISO week's working days on the Chinese calendar (holidays skipped, make-up
working Saturdays included: gridsales.targets.periods), from today on. A rep-day that
already has a confirmed plan keeps it: no vehicle for it, its customers stay in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gridsales.core.scope import scope_for
from gridsales.customers.models import Customer
from gridsales.routes.candidates import (
    Candidate,
    activity_candidate,
    depot_for,
    due_candidates,
    planned_visits,
)
from gridsales.routes.choices import RoutePlanStatus
from gridsales.routes.day import WeekStop, WeekVehicle
from gridsales.routes.models import RoutePlan, RouteStop
from gridsales.targets.periods import is_working_day
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership


def may_plan_week(user, grid) -> bool:
    """Managers of the grid (or of a grid above it), admins and directors."""
    scope = scope_for(user)
    return scope.write_all or any(grid.path.startswith(p) for p in scope.write_paths)


def today() -> dt.date:
    return timezone.localdate()


def week_days(week_start: dt.date) -> list[dt.date]:
    """The working days of the week from today on."""
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    first = today()
    return [d for d in days if d >= first and is_working_day(d)]


def check_week(week_start: dt.date, days: list[dt.date]) -> None:
    text = formats.date_format(week_start, "Y-m-d")
    if week_start.weekday() != 0:
        raise ValidationError(
            {
                "week_start": _("{day} is not a Monday: a week plan starts on a Monday.").format(
                    day=text
                )
            }
        )
    if not days:
        raise ValidationError(
            {
                "week_start": _(
                    "The week of {day} has no working day left to plan: choose a later week."
                ).format(day=text)
            }
        )


def team(grid, days: list[dt.date]) -> dict:
    """{rep: [days their membership in the grid is in force]}, reps by username."""
    found: dict = {}
    rows = (
        Membership.objects.filter(grid=grid, role=MembershipRole.MEMBER, user__is_active=True)
        .overlapping(days[0], days[-1])
        .select_related("user")
        .order_by("user__username", "valid_from")
    )
    for membership in rows:
        on = [d for d in days if membership.is_active(d)]
        found.setdefault(membership.user, [])
        found[membership.user] = sorted(set(found[membership.user]) | set(on))
    return {rep: on for rep, on in found.items() if on}


@dataclass
class WeekInput:
    """The assignment problem of a week: rep-days (vehicles) and candidates (stops)."""

    rep_days: list[tuple]  # (rep, day), the vehicles' keys
    depots: list[tuple[float, float]]
    vehicles: list[WeekVehicle]
    candidates: list[Candidate] = field(default_factory=list)
    stops: list[WeekStop] = field(default_factory=list)


def week_input(grid, days, members: dict, *, keep_own_customers: bool, config) -> WeekInput:
    """Every rep-day without a confirmed plan is a vehicle (its day shortened by the lunch
    break); planned visits go to their rep and day, open follow-ups to any day of their
    rep, due customers of the grid's subtree to their owner's days (or anyone's)."""
    reps = list(members)
    confirmed = set(
        RoutePlan.objects.filter(
            rep__in=reps, day__in=days, status=RoutePlanStatus.CONFIRMED
        ).values_list("rep_id", "day")
    )
    taken = set(
        RouteStop.objects.filter(
            plan__rep__in=reps,
            plan__day__in=days,
            plan__status=RoutePlanStatus.CONFIRMED,
            position__isnull=False,
            customer__isnull=False,
        ).values_list("customer_id", flat=True)
    )
    rep_days = [(r, d) for r in reps for d in members[r] if (r.pk, d) not in confirmed]
    index = {(r.pk, d): i for i, (r, d) in enumerate(rep_days)}
    by_rep = {r.pk: tuple(i for i, (x, _d) in enumerate(rep_days) if x.pk == r.pk) for r in reps}
    depot_of = {r.pk: i for i, r in enumerate(reps)}
    shift = (config.working_hours[0], config.working_hours[1] - config.lunch_minutes)
    made = WeekInput(
        rep_days=rep_days,
        depots=[depot_for(r, config)[1:] for r in reps],
        vehicles=[WeekVehicle(i, depot_of[r.pk], shift) for i, (r, _d) in enumerate(rep_days)],
    )

    def add(candidate: Candidate, allowed) -> None:
        made.candidates.append(candidate)
        made.stops.append(WeekStop(candidate.spec, allowed))

    for activity in planned_visits(reps, days[0], days[-1]):
        candidate = activity_candidate(f"a{activity.pk}", activity, config, days[0])
        if candidate.day is None:  # an open follow-up: any of its rep's days
            allowed = by_rep.get(activity.owner_id, ())
        elif (activity.owner_id, candidate.day) in index:
            allowed = (index[(activity.owner_id, candidate.day)],)
        else:
            continue  # its day keeps its confirmed plan (or is not a working day)
        taken.add(candidate.customer_id)
        add(candidate, allowed)
    in_grid = Customer.objects.filter(current_grid__path__startswith=grid.path)
    for candidate in due_candidates(
        in_grid, on=days[0], due_within=(days[-1] - days[0]).days, config=config, skip=taken
    ):
        add(candidate, by_rep.get(candidate.rep_id, ()) if keep_own_customers else None)
    return made
