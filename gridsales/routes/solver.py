"""`solve(problem, time_limit=, seed=)`: our small interface over PyVRP.

Pure core (no Django). PyVRP works on integers, so times and distances are scaled (×1000
unless every input is already whole) — travel and service times are rounded up and
windows inwards, so a route PyVRP finds feasible is feasible in exact arithmetic; the
reported distance and times are recomputed in floating point from the visit order
(`verify.forward`). Then:

- routes without time windows (a TSP, a capacitated VRP) are polished by our own
  2-opt/Or-opt iterated local search (`tsp.py`): PyVRP has no intra-route 2-opt;
- routes that still break a rule (too short a search) lose optional stops, least
  important first; optional stops left out are then inserted where they still fit
  (cheapest first);
- each route leaves its depot as late as it can without making a visit later than it
  would be (less waiting at the first customers);
- every dropped stop gets a reason (`DROP_REASONS`), and the whole answer is checked by
  the independent verifier (`verify.py`).

Model of a break (PyVRP has none): for a vehicle with a break, one optional copy of the
break at every location (depots and stops), in a required group (exactly one is taken),
with a load dimension only that vehicle carries — so the break is taken at some stop's
location, travel counted exactly.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from gridsales.routes import tsp
from gridsales.routes.problem import Problem, gettext_noop
from gridsales.routes.verify import (
    BreakAt,
    Plan,
    Violation,
    forward,
    route_distance,
    route_violations,
    verify,
)

DEFAULT_SCALE = 1000
DROP_REASONS = {
    "capacity": gettext_noop("Its demand {demand} is more than any vehicle carries."),
    "window": gettext_noop(
        "It cannot be reached within its window ({early}–{late}) and the working hours, "
        "even as the only stop."
    ),
    "full": gettext_noop(
        "The day is full: added anywhere to the planned routes it would break a window, the "
        "working hours, the break or the capacity."
    ),
}


@dataclass(frozen=True)
class Visit:
    """A visit in a route: `stop` is the stop's id (None for the break) and `at` the id of
    the stop or depot where it happens."""

    stop: str | None
    at: str
    arrival: float
    wait: float
    start: float
    end: float


@dataclass
class Route:
    """One vehicle's day: its stops in order with times, exact distance and duration."""

    vehicle: str
    plan: Plan
    visits: list[Visit]
    depart: float
    back: float
    distance: float

    @property
    def duration(self) -> float:
        return self.back - self.depart

    @property
    def stop_ids(self) -> list[str]:
        return [v.stop for v in self.visits if v.stop is not None]


@dataclass(frozen=True)
class Dropped:
    """An optional stop left out, with a reason code and an English message template."""

    stop: str
    reason: str
    params: dict

    @property
    def message(self) -> str:
        return DROP_REASONS[self.reason]

    def __str__(self) -> str:
        return self.message.format(**self.params)


@dataclass
class Solution:
    """The routes, their total exact distance and duration, and what was left out."""

    routes: list[Route]
    dropped: list[Dropped]
    violations: list[Violation]
    seconds: float
    stats: dict = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        return not self.violations

    @property
    def distance(self) -> float:
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> float:
        return sum(r.duration for r in self.routes)


def solve(
    problem: Problem, *, time_limit: float, seed: int = 1, scale: int | None = None
) -> Solution:
    """Plan routes for `problem` within about `time_limit` seconds (deterministic per seed
    given the same number of iterations; a time limit makes runs machine-dependent)."""
    started = time.perf_counter()
    scale = scale or (1 if _all_whole(problem) else DEFAULT_SCALE)
    model = _Model(problem, scale)
    polish = _polishable(problem)
    search = time_limit * (0.4 if polish else 1.0)
    budget = max(0.01, search - (time.perf_counter() - started))
    result = pyvrp.solve(
        model.data, stop=MaxRuntime(budget), seed=seed, collect_stats=False, display=False
    )
    plans = model.plans(result.best)
    stats = {"pyvrp_distance": sum(route_distance(problem, p) for p in plans)}
    if polish:
        remaining = time_limit - (time.perf_counter() - started)
        plans = _polish(problem, plans, remaining, seed)
    plans = _insert_dropped(problem, _drop_until_feasible(problem, plans))
    routes = [_route(problem, plan) for plan in plans if plan.sequence]
    visited = {s for plan in plans for s in plan.stops}
    dropped = [
        _why_dropped(problem, plans, index)
        for index, stop in enumerate(problem.stops)
        if not stop.required and index not in visited
    ]
    return Solution(
        routes=routes,
        dropped=dropped,
        violations=verify(problem, plans),
        seconds=time.perf_counter() - started,
        stats=stats,
    )


def _all_whole(problem: Problem) -> bool:
    values = [problem.distance.ravel(), problem.duration.ravel()]
    for stop in problem.stops:
        values.append(np.array([stop.early, stop.late, stop.service]))
    for v in problem.vehicles:
        values.append(np.array([v.shift_start, v.shift_end]))
        if v.lunch:
            values.append(np.array([v.lunch.earliest, v.lunch.latest, v.lunch.duration]))
    flat = np.concatenate(values)
    flat = flat[np.isfinite(flat)]
    return bool(np.all(flat == np.round(flat)))


class _Model:
    """The PyVRP data for a problem, and the way back from PyVRP's routes to ours."""

    def __init__(self, problem: Problem, scale: int):
        self.problem = problem
        self.scale = scale
        lunch_vehicles = [i for i, v in enumerate(problem.vehicles) if v.lunch]
        # Stops kept to some vehicles: one load dimension per distinct set of vehicles, which
        # only those vehicles carry (the same trick as the break's).
        every = frozenset(range(len(problem.vehicles)))
        kept_sets = list(
            dict.fromkeys(
                frozenset(s.vehicles)
                for s in problem.stops
                if s.vehicles is not None and frozenset(s.vehicles) != every
            )
        )
        first_kept = 1 + len(lunch_vehicles)
        dims = first_kept + len(kept_sets)
        distance = np.rint(problem.distance * scale).astype(np.int64)
        duration = self._up(problem.duration)
        total_demand = sum(s.demand for s in problem.stops)
        max_edge = int(distance.max()) if distance.size else 0
        # A unit of priority outweighs the detour of any one visit, so a stop that fits is
        # kept; larger prizes would drown PyVRP's penalties for lateness.
        unit = 2 * max(max_edge, 1) + 1
        locations = [pyvrp.Location(x=float(d.x), y=float(d.y)) for d in problem.depots]
        locations += [pyvrp.Location(x=float(s.x), y=float(s.y)) for s in problem.stops]
        clients = []
        for index, stop in enumerate(problem.stops):
            extra = {}
            if math.isfinite(stop.late):
                extra["tw_late"] = self._down(stop.late)
            delivery = [stop.demand] + [0] * (dims - 1)
            if stop.vehicles is not None and frozenset(stop.vehicles) != every:
                delivery[first_kept + kept_sets.index(frozenset(stop.vehicles))] = 1
            clients.append(
                pyvrp.Client(
                    location=problem.location(index),
                    delivery=delivery,
                    service_duration=self._up(stop.service),
                    tw_early=self._up(stop.early),
                    required=stop.required,
                    prize=0 if stop.required else int(round(stop.priority * unit)),
                    **extra,
                )
            )
        self.break_location: dict[int, int] = {}  # client index → location of a break copy
        groups = []
        for dim, vehicle_index in enumerate(lunch_vehicles, start=1):
            lunch = problem.vehicles[vehicle_index].lunch
            members = []
            for loc in range(problem.n_locations):
                delivery = [0] * dims
                delivery[dim] = 1
                extra = {}
                if math.isfinite(lunch.latest):
                    extra["tw_late"] = self._down(lunch.latest)
                self.break_location[len(clients)] = loc
                members.append(len(clients))
                clients.append(
                    pyvrp.Client(
                        location=loc,
                        delivery=delivery,
                        service_duration=self._up(lunch.duration),
                        tw_early=self._up(lunch.earliest),
                        required=False,
                        group=len(groups),
                        **extra,
                    )
                )
            groups.append(pyvrp.ClientGroup(clients=members, required=True))
        vehicle_types = []
        for index, vehicle in enumerate(problem.vehicles):
            capacity = [total_demand if vehicle.capacity is None else vehicle.capacity]
            capacity += [1 if v == index else 0 for v in lunch_vehicles]
            capacity += [len(problem.stops) if index in kept else 0 for kept in kept_sets]
            extra = {}
            if math.isfinite(vehicle.shift_end):
                extra["tw_late"] = self._down(vehicle.shift_end)
            vehicle_types.append(
                pyvrp.VehicleType(
                    num_available=vehicle.count,
                    capacity=capacity,
                    start_depot=vehicle.start_depot,
                    end_depot=vehicle.end,
                    tw_early=self._up(vehicle.shift_start),
                    name=vehicle.id,
                    **extra,
                )
            )
        self.data = pyvrp.ProblemData(
            locations=locations,
            clients=clients,
            depots=[pyvrp.Depot(location=i) for i in range(len(problem.depots))],
            vehicle_types=vehicle_types,
            distance_matrices=[distance],
            duration_matrices=[duration],
            groups=groups,
        )

    def _up(self, value):
        scaled = np.round(np.asarray(value, dtype=float) * self.scale, 6)
        result = np.ceil(scaled).astype(np.int64)
        return int(result) if result.ndim == 0 else result

    def _down(self, value: float) -> int:
        return int(math.floor(round(value * self.scale, 6)))

    def plans(self, solution) -> list[Plan]:
        n_stops = len(self.problem.stops)
        plans = []
        for route in solution.routes():
            sequence: list[int | BreakAt] = []
            for activity in route.schedule():
                if not activity.is_client():
                    continue
                if activity.idx < n_stops:
                    sequence.append(activity.idx)
                else:
                    sequence.append(BreakAt(self.break_location[activity.idx]))
            plans.append(Plan(route.vehicle_type(), sequence))
        return plans


def _polishable(problem: Problem) -> bool:
    """True when visit order inside a route is free: no windows, no breaks, symmetric."""
    if any(v.lunch for v in problem.vehicles):
        return False
    for stop in problem.stops:
        for v in problem.vehicles:
            if stop.early > v.shift_start or stop.late < v.shift_end:
                return False
    return bool(np.allclose(problem.distance, problem.distance.T))


def _polish(problem: Problem, plans: list[Plan], seconds: float, seed: int) -> list[Plan]:
    sizes = [len(p.sequence) for p in plans]
    total = sum(sizes) or 1
    deadline = time.perf_counter() + seconds
    polished = []
    for plan, size in zip(plans, sizes, strict=True):
        if size < 3:
            polished.append(plan)
            continue
        depot = problem.vehicles[plan.vehicle].start_depot
        end = problem.vehicles[plan.vehicle].end
        if depot != end:
            polished.append(plan)
            continue
        nodes = [depot] + [problem.location(s) for s in plan.stops]
        sub = problem.distance[np.ix_(nodes, nodes)]
        budget = max(0.0, min(seconds * size / total, deadline - time.perf_counter()))
        order = tsp.improve(sub, list(range(len(nodes))), time_limit=budget, seed=seed)
        k = order.index(0)
        order = order[k + 1 :] + order[:k]
        candidate = Plan(plan.vehicle, [plan.stops[i - 1] for i in order])
        shorter = route_distance(problem, candidate) < route_distance(problem, plan)
        if shorter and not route_violations(problem, candidate):
            polished.append(candidate)
        else:
            polished.append(plan)
    return polished


def _route_ok(problem: Problem, plan: Plan) -> bool:
    return not route_violations(problem, plan)


def _drop_until_feasible(problem: Problem, plans: list[Plan]) -> list[Plan]:
    """Take optional stops, least important first, out of routes that break a rule (when
    the search ran out of time before it found a feasible plan)."""
    repaired = []
    for plan in plans:
        sequence = list(plan.sequence)
        while route_violations(problem, Plan(plan.vehicle, sequence)):
            optional = [s for s in sequence if isinstance(s, int) and not problem.stops[s].required]
            if not optional:
                break
            sequence.remove(min(optional, key=lambda s: problem.stops[s].priority))
        repaired.append(Plan(plan.vehicle, sequence))
    return repaired


def _insert_dropped(problem: Problem, plans: list[Plan]) -> list[Plan]:
    """Put left-out optional stops where they still fit, most important first."""
    visited = {s for plan in plans for s in plan.stops}
    left = [i for i, s in enumerate(problem.stops) if not s.required and i not in visited]
    left.sort(key=lambda i: -problem.stops[i].priority)
    plans = [Plan(p.vehicle, list(p.sequence)) for p in plans]
    for stop in left:
        best = None
        for candidate in _insertions(problem, plans, stop):
            cost = route_distance(problem, candidate[1])
            if best is None or cost - candidate[2] < best[0]:
                best = (cost - candidate[2], candidate)
        if best is not None:
            _, (index, plan, _) = best
            if index is None:
                plans.append(plan)
            else:
                plans[index] = plan
    return plans


def _insertions(problem: Problem, plans: list[Plan], stop: int):
    """(plan index or None for a new route, the plan with the stop, its old distance)."""
    for index, plan in enumerate(plans):
        before = route_distance(problem, plan)
        for at in range(len(plan.sequence) + 1):
            candidate = Plan(plan.vehicle, plan.sequence[:at] + [stop] + plan.sequence[at:])
            if _route_ok(problem, candidate):
                yield index, candidate, before
    used = [p.vehicle for p in plans if p.sequence]
    for v, vehicle in enumerate(problem.vehicles):
        if used.count(v) >= vehicle.count:
            continue
        loc = problem.location(stop)
        options = ([stop, BreakAt(loc)], [BreakAt(loc), stop]) if vehicle.lunch else ([stop],)
        for sequence in options:
            candidate = Plan(v, list(sequence))
            if _route_ok(problem, candidate):
                yield None, candidate, 0.0


def _why_dropped(problem: Problem, plans: list[Plan], index: int) -> Dropped:
    stop = problem.stops[index]
    capacities = [v.capacity for v in problem.vehicles]
    if all(c is not None and stop.demand > c for c in capacities):
        return Dropped(stop.id, "capacity", {"demand": stop.demand})
    allowed = range(len(problem.vehicles)) if stop.vehicles is None else stop.vehicles
    alone = [Plan(v, [index]) for v in allowed]
    if not any(_fits_alone(problem, plan) for plan in alone):
        return Dropped(stop.id, "window", {"early": _text(stop.early), "late": _text(stop.late)})
    return Dropped(stop.id, "full", {"priority": f"{stop.priority:g}"})


def _text(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:g}"


def _fits_alone(problem: Problem, plan: Plan) -> bool:
    """Time and capacity feasibility of a single-stop route, ignoring the break."""
    vehicle = problem.vehicles[plan.vehicle]
    stop = problem.stops[plan.sequence[0]]
    if vehicle.capacity is not None and stop.demand > vehicle.capacity:
        return False
    events, back = forward(problem, plan, vehicle.shift_start)
    return events[0].start <= stop.late + 1e-6 and back <= vehicle.shift_end + 1e-6


def _route(problem: Problem, plan: Plan) -> Route:
    """Times of a route, leaving as late as possible without delaying any visit's start
    beyond its window and without lengthening the day."""
    vehicle = problem.vehicles[plan.vehicle]
    events, back = forward(problem, plan, vehicle.shift_start)
    delay, waited = math.inf, 0.0
    for event in events:
        waited += event.wait
        late = vehicle.lunch.latest if event.stop is None else problem.stops[event.stop].late
        delay = min(delay, late - event.start + waited)
    delay = max(0.0, min(delay, waited, vehicle.shift_end - back + waited))
    depart = vehicle.shift_start + delay
    if delay > 0:
        events, back = forward(problem, plan, depart)
    ids = [d.id for d in problem.depots] + [s.id for s in problem.stops]
    visits = [
        Visit(
            None if e.stop is None else problem.stops[e.stop].id,
            ids[e.location],
            e.arrival,
            e.wait,
            e.start,
            e.end,
        )
        for e in events
    ]
    return Route(vehicle.id, plan, visits, depart, back, route_distance(problem, plan))
