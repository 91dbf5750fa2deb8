"""A rep's day and a team's week as solver problems, and the answers as times (pure core).

The product's side of `solve()`: stops given by their coordinates (WGS-84), windows and
service times in minutes since midnight; travel from haversine × road factor ÷ speed.

- `plan_day`: one rep, one depot (home or office), the working hours and a lunch break.
  Stops without coordinates cannot be routed and are dropped (`no_location`). Required
  stops (planned visits) that cannot all be kept — two appointments at the same time —
  are made optional with a high priority and solved again, so the day is still planned
  and the stop left out gets a reason.
- `schedule_day`: the times of an order given by hand (no search), with what it breaks.
- `assign_week`: which rep visits which customer on which day (VRPTW over every rep-day,
  without lunch breaks: each day is shortened by the lunch instead); each day is then
  sequenced exactly with `plan_day`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from pyvrp.exceptions import PenaltyBoundWarning

from gridsales.routes.problem import (
    Break,
    Depot,
    Problem,
    ProblemError,
    Stop,
    Vehicle,
    gettext_noop,
    travel_matrices,
)
from gridsales.routes.solver import solve
from gridsales.routes.verify import BreakAt, Plan, forward, route_violations

# A stop made optional after its required version could not be planned keeps this much
# more priority than any other: it is left out only when it truly does not fit.
FALLBACK_PRIORITY = 20.0
EPS = 1e-6
# A rep-day of a week takes at most this many times its fair share of the visits (+ 1).
BALANCE = 1.25


def hhmm(minutes: float | None) -> str:
    """Minutes since midnight as 09:05 (rounded to the minute); '' for None."""
    if minutes is None or not math.isfinite(minutes):
        return ""
    total = int(round(minutes))
    return f"{total // 60:02d}:{total % 60:02d}"


@dataclass(frozen=True)
class StopSpec:
    """A candidate visit: where, when it may start, how long, how important."""

    key: str
    lat: float | None
    lng: float | None
    early: float
    late: float | None  # None: no closing time
    service: float
    priority: float = 1.0
    required: bool = False

    @property
    def located(self) -> bool:
        return self.lat is not None and self.lng is not None


Travel = Callable[[Sequence[tuple[float, float]]], tuple[object, object]]


def matrices(
    points: Sequence[tuple[float, float]],
    *,
    road_factor: float,
    speed_kmh: float,
    travel: Travel | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Metres and minutes between (lng, lat) points: from the provider when one is given
    (checked: two n × n matrices of finite, non-negative numbers), else estimated offline."""
    if travel is None:
        return travel_matrices(points, road_factor=road_factor, speed_kmh=speed_kmh)
    metres, minutes = (np.asarray(m, dtype=float) for m in travel(points))
    n = len(points)
    for m in (metres, minutes):
        if m.shape != (n, n) or not np.isfinite(m).all() or (m < 0).any():
            raise ProblemError(
                gettext_noop(
                    "The travel provider must return two square matrices (metres, minutes) of non-negative numbers, one row per point."
                )
            )
    return metres, minutes


@dataclass(frozen=True)
class DaySetup:
    """A rep's day: the depot (home or office), working hours, lunch and travel speed."""

    lat: float
    lng: float
    shift: tuple[float, float]
    lunch: tuple[float, float, float] | None  # earliest start, latest start, minutes
    road_factor: float = 1.3
    speed_kmh: float = 30.0
    # A road-network provider: (lng, lat) points → (metres, minutes) square matrices.
    # None: the offline estimate (haversine × road factor ÷ speed).
    travel: Travel | None = None


@dataclass(frozen=True)
class Scheduled:
    """A visit (key) or the lunch break (key None) with its times in minutes."""

    key: str | None
    lat: float
    lng: float
    arrival: float
    wait: float
    start: float
    end: float
    late_by: float = 0.0  # minutes after the window closed (0: on time)
    travel_m: float = 0.0  # from the previous place
    travel_minutes: float = 0.0


@dataclass(frozen=True)
class Left:
    """A stop left out: reason `no_location`, `window`, `full` or `capacity`, and the
    parameters of its message (times as HH:MM)."""

    key: str
    reason: str
    params: dict = field(default_factory=dict)


@dataclass
class DayResult:
    visits: list[Scheduled]
    dropped: list[Left]
    depart: float
    back: float
    distance_m: float
    drive_minutes: float
    back_late_by: float = 0.0
    seconds: float = 0.0

    @property
    def stops(self) -> list[Scheduled]:
        return [v for v in self.visits if v.key is not None]

    @property
    def feasible(self) -> bool:
        return self.back_late_by <= EPS and all(v.late_by <= EPS for v in self.visits)


def _problem(setup: DaySetup, specs: Sequence[StopSpec], *, priority_floor: float = 0.0):
    points = [(setup.lng, setup.lat)] + [(s.lng, s.lat) for s in specs]
    metres, minutes = matrices(
        points, road_factor=setup.road_factor, speed_kmh=setup.speed_kmh, travel=setup.travel
    )
    lunch = Break(*setup.lunch) if setup.lunch else None
    stops = [
        Stop(
            spec.key,
            spec.lng,
            spec.lat,
            early=spec.early,
            late=math.inf if spec.late is None else max(spec.early, spec.late),
            service=spec.service,
            required=spec.required,
            priority=spec.priority + (priority_floor if not spec.required else 0.0),
        )
        for spec in specs
    ]
    return Problem(
        depots=[Depot("depot", setup.lng, setup.lat)],
        stops=stops,
        vehicles=[
            Vehicle("rep", shift_start=setup.shift[0], shift_end=setup.shift[1], lunch=lunch)
        ],
        distance=metres,
        duration=minutes,
    )


def _result(problem: Problem, plan: Plan, *, seconds: float = 0.0) -> DayResult:
    """Times of a plan, legs, and how late each visit is. The rep leaves as late as the
    first visit allows without waiting there: no visit starts later than it could (the
    solver's own schedule may push visits to the end of their windows)."""
    vehicle = problem.vehicles[0]
    if not plan.sequence:
        return DayResult([], [], vehicle.shift_start, vehicle.shift_start, 0.0, 0.0, 0.0, seconds)
    events, _back = forward(problem, plan, vehicle.shift_start)
    events, back = forward(problem, plan, vehicle.shift_start + events[0].wait)
    coords = [(d.y, d.x) for d in problem.depots] + [(s.y, s.x) for s in problem.stops]
    visits, here, total_m, total_min = [], vehicle.start_depot, 0.0, 0.0
    for event in events:
        loc = event.location
        leg_m, leg_min = float(problem.distance[here, loc]), float(problem.duration[here, loc])
        total_m, total_min, here = total_m + leg_m, total_min + leg_min, loc
        if event.stop is None:
            late, key = (vehicle.lunch.latest if vehicle.lunch else math.inf), None
        else:
            late, key = problem.stops[event.stop].late, problem.stops[event.stop].id
        visits.append(
            Scheduled(
                key,
                *coords[loc],
                arrival=event.arrival,
                wait=event.wait,
                start=event.start,
                end=event.end,
                late_by=max(0.0, event.start - late) if math.isfinite(late) else 0.0,
                travel_m=leg_m,
                travel_minutes=leg_min,
            )
        )
    total_m += float(problem.distance[here, vehicle.end])
    total_min += float(problem.duration[here, vehicle.end])
    depart = events[0].arrival - visits[0].travel_minutes
    return DayResult(
        visits=visits,
        dropped=[],
        depart=depart,
        back=back,
        distance_m=total_m,
        drive_minutes=total_min,
        back_late_by=max(0.0, back - vehicle.shift_end),
        seconds=seconds,
    )


def _left(problem: Problem, dropped) -> list[Left]:
    found = []
    for item in dropped:
        params = dict(item.params)
        if item.reason == "window":
            stop = next(s for s in problem.stops if s.id == item.stop)
            params = {"early": hhmm(stop.early), "late": hhmm(stop.late) or "—"}
        found.append(Left(item.stop, item.reason, params))
    return found


def _solve(problem: Problem, *, time_limit: float, seed: int):
    # A day whose required visits clash has no feasible plan: PyVRP warns, we try again.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        return solve(problem, time_limit=time_limit, seed=seed)


def plan_day(
    setup: DaySetup, specs: Sequence[StopSpec], *, time_limit: float, seed: int = 1
) -> DayResult:
    """The best order of the stops that fit in the day; the others with a reason."""
    located = [s for s in specs if s.located]
    no_location = [Left(s.key, "no_location") for s in specs if not s.located]
    if not located:
        result = _result(_problem(setup, []), Plan(0, []))
        result.dropped = no_location
        return result
    problem = _problem(setup, located)
    solution = _solve(problem, time_limit=time_limit, seed=seed)
    seconds = solution.seconds
    if not solution.feasible:
        # Planned visits that cannot all be kept: keep what fits, say what does not.
        relaxed = [
            replace(s, required=False, priority=FALLBACK_PRIORITY) if s.required else s
            for s in located
        ]
        problem = _problem(setup, relaxed)
        solution = _solve(problem, time_limit=time_limit, seed=seed)
        seconds += solution.seconds
    plan = solution.routes[0].plan if solution.routes else Plan(0, [])
    if not plan.stops:
        plan = Plan(0, [])  # no visit: no day out, not even for lunch
    result = _result(problem, plan, seconds=seconds)
    result.dropped = no_location + _left(problem, solution.dropped)
    return result


def _best_lunch(problem: Problem, stops: list[int]) -> list:
    """The sequence with the break after the stop where it breaks the least: the first
    position without a violation, else the one with the least total lateness."""
    best, best_cost = None, math.inf
    for at in range(len(stops) + 1):
        where = 0 if at == 0 else problem.location(stops[at - 1])
        sequence = [*stops[:at], BreakAt(where), *stops[at:]]
        plan = Plan(0, sequence)
        if not route_violations(problem, plan):
            return sequence
        cost = _lateness(_result(problem, plan))
        if cost < best_cost:
            best, best_cost = sequence, cost
    return best


def _lateness(result: DayResult) -> float:
    return result.back_late_by + sum(v.late_by for v in result.visits)


def schedule_day(setup: DaySetup, specs: Sequence[StopSpec], order: Sequence[str | None]):
    """The times of the stops in `order` (keys; None where the lunch break is taken, at the
    place of the visit before it). Without None the break goes where it fits best. Every
    key must be a located spec; each at most once."""
    by_key = {s.key: s for s in specs}
    keys = [k for k in order if k is not None]
    problem = _problem(setup, [by_key[k] for k in keys])
    stops = list(range(len(keys)))
    if problem.vehicles[0].lunch is None:
        sequence: list = stops
    elif None in order:
        at = list(order).index(None)
        where = 0 if at == 0 else problem.location(at - 1)
        sequence = [*stops[:at], BreakAt(where), *stops[at:]]
    else:
        sequence = _best_lunch(problem, stops)
    return _result(problem, Plan(0, sequence))


@dataclass(frozen=True)
class WeekVehicle:
    """One rep's day in the week: `key` names it back (e.g. (rep id, date))."""

    key: object
    depot: int  # index into the depots given to assign_week
    shift: tuple[float, float]


@dataclass(frozen=True)
class WeekStop:
    spec: StopSpec
    vehicles: tuple[int, ...] | None  # indices of the WeekVehicles that may visit it


def assign_week(
    depots: Sequence[tuple[float, float]],
    vehicles: Sequence[WeekVehicle],
    stops: Sequence[WeekStop],
    *,
    road_factor: float,
    speed_kmh: float,
    time_limit: float,
    balance: float | None = BALANCE,
    seed: int = 1,
    travel: Travel | None = None,
) -> tuple[dict[str, object], list[Left]]:
    """{stop key: vehicle key} for the stops given to some rep-day, and the others with a
    reason (`no_location`, `no_rep`: no vehicle may take it, `window`, `full`). `depots`
    are (lat, lng). Visits fixed to one rep-day (required, tight windows) that conflict are
    relaxed to the whole day, so they never keep the others out.

    Shortest travel alone would pack the visits into as few days as the hours allow; with
    `balance` each rep-day takes at most that many times its fair share of the visits it
    may take (each visit shared equally by the rep-days allowed to take it), plus one."""
    left = [Left(s.spec.key, "no_location") for s in stops if not s.spec.located]
    located = []
    for s in stops:
        if not s.spec.located:
            continue
        if s.vehicles == () or not vehicles:
            left.append(Left(s.spec.key, "no_rep"))
        else:
            located.append(s)
    if not located:
        return {}, left
    points = [(lng, lat) for lat, lng in depots] + [(s.spec.lng, s.spec.lat) for s in located]
    metres, minutes = matrices(points, road_factor=road_factor, speed_kmh=speed_kmh, travel=travel)
    share = [0.0] * len(vehicles)
    for s in located:
        allowed = range(len(vehicles)) if s.vehicles is None else s.vehicles
        for v in allowed:
            share[v] += 1 / len(allowed)
    cars = [
        Vehicle(
            f"v{i}",
            start_depot=v.depot,
            shift_start=v.shift[0],
            shift_end=v.shift[1],
            capacity=None if balance is None else math.ceil(balance * share[i]) + 1,
        )
        for i, v in enumerate(vehicles)
    ]

    def problem(relax: bool) -> Problem:
        made = []
        for s in located:
            spec = s.spec
            early, late = spec.early, math.inf if spec.late is None else spec.late
            if relax and spec.required:
                early, late = 0.0, math.inf
            made.append(
                Stop(
                    spec.key,
                    spec.lng,
                    spec.lat,
                    early=early,
                    late=max(early, late),
                    service=spec.service,
                    demand=1,
                    required=spec.required,
                    priority=spec.priority,
                    vehicles=s.vehicles,
                )
            )
        return Problem(
            depots=[Depot(f"d{i}", lng, lat) for i, (lat, lng) in enumerate(depots)],
            stops=made,
            vehicles=cars,
            distance=metres,
            duration=minutes,
        )

    week = problem(relax=False)
    solution = _solve(week, time_limit=time_limit, seed=seed)
    if not solution.feasible:
        week = problem(relax=True)
        solution = _solve(week, time_limit=time_limit / 2, seed=seed)
    given = {}
    for route in solution.routes:
        for key in route.stop_ids:
            given[key] = vehicles[route.plan.vehicle].key
    return given, left + _left(week, solution.dropped)
