"""Check a set of routes against a problem, without the solver: our own second opinion.

Pure core. A route is a `Plan`: the vehicle and the stops in visit order, with `BreakAt`
where the vehicle's break is taken. Times are recomputed in floating point from the
matrices: leave the start depot at the start of the shift, wait when early, a visit starts
no later than its window closes, the service time follows, and the vehicle is back at its
end depot by the end of the shift.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridsales.routes.problem import Problem, gettext_noop

EPS = 1e-6


@dataclass(frozen=True)
class BreakAt:
    """The vehicle's break, taken at this location (a matrix index)."""

    location: int


@dataclass
class Plan:
    """One vehicle's route: stop indices (into problem.stops) and at most one BreakAt."""

    vehicle: int
    sequence: list[int | BreakAt] = field(default_factory=list)

    @property
    def stops(self) -> list[int]:
        return [item for item in self.sequence if not isinstance(item, BreakAt)]


@dataclass(frozen=True)
class Event:
    """A visit (stop is its index) or the break (stop is None), with its times."""

    stop: int | None
    location: int
    arrival: float
    wait: float
    start: float
    end: float


@dataclass(frozen=True)
class Violation:
    """What is wrong with a route: kind is missing, duplicate, unknown, vehicles, vehicle,
    capacity, window, shift or break; the message is an English template (translatable)."""

    kind: str
    message: str
    params: dict

    def __str__(self) -> str:
        return self.message.format(**self.params)


def forward(problem: Problem, plan: Plan, depart: float) -> tuple[list[Event], float]:
    """Times of each visit when leaving the start depot at `depart`; and the return time."""
    vehicle = problem.vehicles[plan.vehicle]
    lunch = vehicle.lunch
    here, now = vehicle.start_depot, float(depart)
    events: list[Event] = []
    for item in plan.sequence:
        if isinstance(item, BreakAt):
            loc = item.location
            arrival = now + float(problem.duration[here, loc])
            early, length = (lunch.earliest, lunch.duration) if lunch else (arrival, 0.0)
            stop = None
        else:
            loc = problem.location(item)
            arrival = now + float(problem.duration[here, loc])
            early, length = problem.stops[item].early, problem.stops[item].service
            stop = item
        start = max(arrival, early)
        events.append(Event(stop, loc, arrival, start - arrival, start, start + length))
        here, now = loc, start + length
    return events, now + float(problem.duration[here, vehicle.end])


def route_distance(problem: Problem, plan: Plan) -> float:
    """Exact travelled distance of a route, depot to depot (0 for an empty route)."""
    if not plan.sequence:
        return 0.0
    vehicle = problem.vehicles[plan.vehicle]
    here, total = vehicle.start_depot, 0.0
    for item in plan.sequence:
        loc = item.location if isinstance(item, BreakAt) else problem.location(item)
        total += float(problem.distance[here, loc])
        here = loc
    return total + float(problem.distance[here, vehicle.end])


def _late(value: float, limit: float) -> bool:
    return value > limit + EPS * max(1.0, abs(limit))


def verify(problem: Problem, plans: Sequence[Plan]) -> list[Violation]:
    """Every violation of the problem's rules by these routes (empty list: feasible)."""
    found: list[Violation] = []

    def add(kind: str, message: str, **params) -> None:
        found.append(Violation(kind, message, params))

    used = [plan for plan in plans if plan.sequence]
    per_vehicle = Counter(plan.vehicle for plan in used)
    for index, count in sorted(per_vehicle.items()):
        if not 0 <= index < len(problem.vehicles):
            add("unknown", gettext_noop("Vehicle number {vehicle} does not exist."), vehicle=index)
        elif count > problem.vehicles[index].count:
            add(
                "vehicles",
                gettext_noop("Vehicle {vehicle}: {used} routes, but only {count} available."),
                vehicle=problem.vehicles[index].id,
                used=count,
                count=problem.vehicles[index].count,
            )
    visits: Counter[int] = Counter()
    for plan in used:
        for stop in plan.stops:
            if not 0 <= stop < len(problem.stops):
                add("unknown", gettext_noop("Stop number {stop} does not exist."), stop=stop)
            visits[stop] += 1
    for index, stop in enumerate(problem.stops):
        if visits[index] > 1:
            add(
                "duplicate",
                gettext_noop("Stop {stop} is visited {times} times."),
                stop=stop.id,
                times=visits[index],
            )
        elif stop.required and not visits[index]:
            add("missing", gettext_noop("Stop {stop} is not visited."), stop=stop.id)
    if any(v.kind == "unknown" for v in found):
        return found
    for number, plan in enumerate(used, start=1):
        found.extend(route_violations(problem, plan, number))
    return found


def route_violations(problem: Problem, plan: Plan, number: int = 1) -> list[Violation]:
    """What is wrong with one route on its own: vehicle, capacity, windows, shift, break."""
    found: list[Violation] = []

    def add(kind: str, message: str, **params) -> None:
        found.append(Violation(kind, message, params))

    vehicle = problem.vehicles[plan.vehicle]
    for s in plan.stops:
        allowed = problem.stops[s].vehicles
        if allowed is not None and plan.vehicle not in allowed:
            add(
                "vehicle",
                gettext_noop("Route {route}: vehicle {vehicle} may not visit {stop}."),
                route=number,
                vehicle=vehicle.id,
                stop=problem.stops[s].id,
            )
    load = sum(problem.stops[s].demand for s in plan.stops)
    if vehicle.capacity is not None and load > vehicle.capacity:
        add(
            "capacity",
            gettext_noop("Route {route}: load {load} exceeds the capacity {capacity}."),
            route=number,
            load=load,
            capacity=vehicle.capacity,
        )
    breaks = [item for item in plan.sequence if isinstance(item, BreakAt)]
    if len(breaks) != (1 if vehicle.lunch else 0):
        add(
            "break",
            gettext_noop("Route {route}: {found} breaks, but the vehicle needs {needed}."),
            route=number,
            found=len(breaks),
            needed=1 if vehicle.lunch else 0,
        )
    if any(not 0 <= b.location < problem.n_locations for b in breaks):
        add("unknown", gettext_noop("Route {route}: the break has no location."), route=number)
        return found
    events, back = forward(problem, plan, vehicle.shift_start)
    for event in events:
        if event.stop is None:
            if vehicle.lunch and _late(event.start, vehicle.lunch.latest):
                add(
                    "break",
                    gettext_noop("Route {route}: the break starts at {start}, after {latest}."),
                    route=number,
                    start=f"{event.start:g}",
                    latest=f"{vehicle.lunch.latest:g}",
                )
            continue
        stop = problem.stops[event.stop]
        if _late(event.start, stop.late):
            add(
                "window",
                gettext_noop(
                    "Route {route}: the visit to {stop} starts at {start}, after its window "
                    "closes at {late}."
                ),
                route=number,
                stop=stop.id,
                start=f"{event.start:g}",
                late=f"{stop.late:g}",
            )
    if _late(back, vehicle.shift_end):
        add(
            "shift",
            gettext_noop("Route {route}: back at {back}, after the shift ends at {end}."),
            route=number,
            back=f"{back:g}",
            end=f"{vehicle.shift_end:g}",
        )
    return found
