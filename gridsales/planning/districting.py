"""Districting: balanced, compact (and contiguous) territories from basic units.

Pure core (numpy and scipy, no Django); the interface for the product and the command:

- `Instance(ids, xy, activities, activity_names, edges)`: the units (n), their activities
  (n × m, non-negative), the undirected adjacency edges (i, j, distance ≥ 0);
- `solve(inst, p, tau, …) -> Result`: the best plan found within the time limit;
- `evaluate(inst, assign, p, tau, current=None) -> dict`: the report of any plan.

The problem (issue 8), in this order: (1) every territory contiguous in the adjacency
graph (unless `allow_disconnected`) and every activity a of every territory T within τ of
the mean, |w_a(T) − μ_a| / μ_a ≤ τ (μ_a = total / p); (2) compact: the largest territory
diameter — the longest shortest path, over the whole graph, between two units of the same
territory — as small as possible; (3) when today's plan is given, as few units moved as
possible: each unit moved costs `disruption_weight` (in distance units) on the largest
diameter, and the count breaks remaining ties. Fixed units stay in their territory; a
centre to keep stays in its territory and is where that territory is grown from.

Method (docs/planning.md): shortest paths (graph.py: all pairs up to 2,500 units, bounded
beyond), starting plans (construct.py: recursive bisection, or regions grown from
farthest-point seeds, or today's plan repaired), then a variable neighbourhood search
(search.py: single-unit moves scored lexicographically, swaps of the ends of the largest
diameter; perturbations: chains of moves while out of balance (balance.py), else k
random moves or a descent under a widened tolerance; restarts), until the time limit or
`max_iterations` (deterministic).
All messages are `DistrictingError`s with a translatable template (errors.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from gridsales.planning.balance import rebalance
from gridsales.planning.construct import (
    bisected_plan,
    pinned_seeds,
    plan_from_current,
    relabel,
    seeded_plan,
)
from gridsales.planning.errors import DistrictingError, _
from gridsales.planning.graph import DENSE_LIMIT, adjacency_matrix, distances_for, topology
from gridsales.planning.search import EPS, Spec, State, local_search, shake, swap_search

RESTART_AFTER = 40  # shakes without progress before new seeds
MAX_SHAKE = 8  # the largest number of random moves in one shake
RELAX_SHARE = 0.5  # perturbations that are relaxed descents rather than random moves
FOCUS = 0.5  # share of shakes around the largest territories
NEAR = 8  # disconnected mode: a unit may move to the territories of its 8 nearest units


@dataclass
class Instance:
    """Units (ids, coordinates, activities n×m), undirected edges (i, j, distance)."""

    ids: list[str]
    xy: np.ndarray
    activities: np.ndarray
    activity_names: list[str]
    edges: list[tuple[int, int, float]]
    neighbours: list[list[int]] = field(init=False)
    _distances: dict = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self):
        n = len(self.ids)
        if n == 0:
            raise DistrictingError(_("The instance has no units."))
        self.activities = np.asarray(self.activities, dtype=float).reshape(n, -1)
        bad = np.argwhere(~np.isfinite(self.activities) | (self.activities < 0))
        if len(bad):
            i, a = (int(x) for x in bad[0])
            raise DistrictingError(
                _("Unit {unit}: {activity} is {value}; activities must be numbers ≥ 0."),
                unit=self.ids[i],
                activity=self.activity_names[a],
                value=float(self.activities[i, a]),
            )
        adjacent: list[set[int]] = [set() for _ in range(n)]
        for i, j, d in self.edges:
            if not (0 <= i < n and 0 <= j < n):
                raise DistrictingError(_("Edge {i}–{j}: no such unit."), i=i, j=j)
            if not d >= 0:
                raise DistrictingError(
                    _("Edge {a}–{b}: the distance {distance} is negative."),
                    a=self.ids[i],
                    b=self.ids[j],
                    distance=d,
                )
            if i != j:
                adjacent[i].add(j)
                adjacent[j].add(i)
        self.neighbours = [sorted(s) for s in adjacent]

    @property
    def n(self) -> int:
        return len(self.ids)

    def distances(self, p: int):
        """Shortest paths: all pairs for small instances; beyond DENSE_LIMIT units, bounded
        by a radius that depends on p (computed once per p)."""
        key = None if self.n <= DENSE_LIMIT else p
        if key not in self._distances:
            self._distances[key] = distances_for(adjacency_matrix(self.n, self.edges), p)
        return self._distances[key]


@dataclass
class Result:
    """The best plan, its score (search.State.key), the seconds spent, the perturbations
    and starts tried, and when the best plan first met the rules (excess and violation
    0), in seconds, or None if it never did."""

    assign: np.ndarray
    score: tuple
    seconds: float
    iterations: int
    restarts: int
    feasible_after: float | None = None


def evaluate(inst: Instance, assign, p: int, tau: float, current=None) -> dict:
    """The report of a plan: per territory its units, the deviation of every activity from
    μ, contiguity and (exact) diameter; the imbalance (violation sum over τ), the largest
    |deviation|; with `current` (territory per unit, −1 for none) the units moved and the
    activity they carry."""
    assign = np.asarray(assign, dtype=int)
    dist = inst.distances(p)
    mu = inst.activities.sum(axis=0) / p
    loads = np.zeros((p, inst.activities.shape[1]))
    np.add.at(loads, assign, inst.activities)
    safe = np.where(mu > 0, mu, 1.0)
    rel = (loads - mu) / safe
    rel[:, mu <= 0] = 0.0
    territories = []
    for t in range(p):
        members = np.flatnonzero(assign == t)
        territories.append(
            {
                "territory": t,
                "units": int(len(members)),
                "deviation": {name: float(rel[t, a]) for a, name in enumerate(inst.activity_names)},
                "contiguous": topology(inst.neighbours, members)[1] <= 1,
                "diameter": dist.exact_diameter(members),
            }
        )
    imbalance = float(np.maximum(0.0, np.abs(rel) - tau).sum())
    result = {
        "territories": territories,
        "imbalance": imbalance,
        "max_deviation": float(np.abs(rel).max()),
        "balanced": imbalance <= EPS,
        "contiguous": all(t["contiguous"] for t in territories),
        "max_diameter": max(t["diameter"] for t in territories),
        "empty_territories": sum(1 for t in territories if t["units"] == 0),
    }
    if current is not None:
        current = np.asarray(current, dtype=int)
        moved = (current >= 0) & (current != assign)
        result["moved"] = {"units": int(moved.sum())} | {
            name: float(inst.activities[moved, a].sum())
            for a, name in enumerate(inst.activity_names)
        }
    return result


def solve(
    inst: Instance,
    p: int,
    tau: float,
    *,
    time_limit: float = 60.0,
    seed: int = 1,
    allow_disconnected: bool = False,
    max_iterations: int | None = None,
    current=None,
    disruption_weight: float = 0.0,
    fixed: dict[int, int] | None = None,
    centres: dict[int, int] | None = None,
    progress=None,
) -> Result:
    """The best plan found within `time_limit` seconds (deterministic for a seed when
    `max_iterations` bounds the search before the clock does).

    `current`: today's territory per unit (−1 for none) — the search starts from it and
    counts moves against it; `fixed`: unit index → territory; `centres`: territory → unit
    index (kept there, and grown from).

    `progress(info) -> bool | None`, when given, is called after every start, whenever the
    best plan improves and after every perturbation (callers throttle what they do with
    it); `info` = {"fraction": share of the budget spent (0..1), "phase": "start" |
    "improved" | "search", "feasible": the best plan meets the rules, "max_diameter",
    "imbalance", "iterations"}. Returning True stops the search: the best plan so far is
    the result."""
    fixed, centres = dict(fixed or {}), dict(centres or {})
    current_arr = _check(inst, p, tau, current, disruption_weight, fixed, centres)
    start = time.monotonic()
    deadline = start + time_limit
    rng = np.random.default_rng(seed)
    fixed_all = fixed | {u: t for t, u in centres.items()}
    movable = np.ones(inst.n, dtype=bool)
    movable[list(fixed_all)] = False
    dist = inst.distances(p)
    spec = Spec(
        neighbours=inst.neighbours,
        activities=inst.activities,
        p=p,
        tau=tau,
        dist=dist,
        contiguous=not allow_disconnected,
        movable=movable,
        current=current_arr,
        weight=float(disruption_weight),
    )
    if allow_disconnected:
        spec.near = dist.nearest(min(NEAR, inst.n - 1)).tolist()
        reverse: list[list[int]] = [[] for _ in range(inst.n)]
        for u, row in enumerate(spec.near):
            for v in row:
                reverse[v].append(u)
        spec.reverse_near = reverse
    pinned = pinned_seeds(spec, fixed_all, centres)
    best: State | None = None
    iterations = restarts = 0

    feasible_after = None

    def keep(state: State) -> State:
        nonlocal feasible_after
        if feasible_after is None and state.excess == 0 and state.score()[1] == 0:
            feasible_after = time.monotonic() - start
        return state.copy()

    stopped = False

    def out_of_budget() -> bool:
        over = max_iterations is not None and iterations >= max_iterations
        return stopped or over or time.monotonic() >= deadline

    def report(phase: str) -> None:
        nonlocal stopped
        if progress is None or stopped:
            return
        spent = (time.monotonic() - start) / time_limit if time_limit > 0 else 1.0
        if max_iterations:
            spent = max(spent, iterations / max_iterations)
        excess, viol = best.score()[0], best.score()[1]
        info = {
            "fraction": min(1.0, spent),
            "phase": phase,
            "feasible": excess == 0 and viol == 0,
            "max_diameter": float(max(best.diam)) if len(best.diam) else 0.0,
            "imbalance": float(viol),
            "iterations": iterations,
        }
        if progress(info):
            stopped = True

    while True:
        if restarts == 0 and current_arr is not None:
            assign = plan_from_current(spec, fixed_all)
        else:
            assign = starting_plan(spec, rng, restarts, pinned, fixed_all)
            if current_arr is not None:
                assign = relabel(assign, current_arr, p, set(pinned))
        st = State(spec, assign)
        local_search(st, rng, deadline)
        restarts += 1
        if best is None or st.score() < best.score():
            best = keep(st)
        report("start")
        stale, k = 0, 1
        while stale < RESTART_AFTER and not out_of_budget():
            iterations += 1
            trial = st.copy()
            _perturb(trial, k, rng, deadline)
            local_search(trial, rng, deadline, trial.affected(trial.log))
            trial.log = []
            while swap_search(trial, deadline):
                local_search(trial, rng, deadline, trial.affected(trial.log))
                trial.log = []
            if trial.score() < st.score():
                st, k, stale = trial, 1, 0
                if st.score() < best.score():
                    best = keep(st)
                    report("improved")
            else:
                k = k % MAX_SHAKE + 1
                stale += 1
            report("search")
        if out_of_budget():
            break
    seconds = time.monotonic() - start
    return Result(best.assign, best.score(), seconds, iterations, restarts, feasible_after)


def _perturb(trial: State, k: int, rng, deadline: float) -> None:
    """Out of balance: chains of moves (balance.py), else k random moves. Balanced: at
    random, k random moves (FOCUS of them around a largest territory) or a relaxed descent:
    the tolerance widened to τ(1 + k/4) while the largest territory and what follows it
    are improved; the search that follows restores τ."""
    if trial.viol > 1e-9:
        if not rebalance(trial):
            shake(trial, k, rng)
        return
    if rng.random() < RELAX_SHARE:
        tau = trial.spec.tau
        trial.retune(tau * (1 + 0.25 * k))
        largest = max(range(trial.spec.p), key=trial.diam.__getitem__)
        local_search(trial, rng, deadline, trial.affected([(-1, largest, largest)]))
        trial.retune(tau)
    else:
        shake(trial, k, rng, FOCUS)


def starting_plan(spec: Spec, rng, restart: int, pinned: dict, fixed: dict) -> np.ndarray:
    """Recursive bisection first (balanced), then alternately grown regions and bisections;
    grown regions only when units are pinned (fixed units, centres)."""
    if pinned or restart % 2 == 1:
        return seeded_plan(spec, rng, pinned, fixed)
    return bisected_plan(spec, rng)


def _check(inst, p, tau, current, weight, fixed, centres) -> np.ndarray | None:
    """Validate the options; today's plan as an array (−1 for none)."""
    if not 1 <= p <= inst.n:
        raise DistrictingError(
            _("The number of territories must be between 1 and {n} (the number of units)."),
            n=inst.n,
        )
    if not tau >= 0:
        raise DistrictingError(_("The tolerance must not be negative."))
    if not weight >= 0:
        raise DistrictingError(_("The disruption weight must not be negative."))
    for u, t in fixed.items():
        if not 0 <= t < p:
            raise DistrictingError(
                _("Unit {unit} is fixed to territory {territory}; territories are 0 to {last}."),
                unit=inst.ids[u],
                territory=t,
                last=p - 1,
            )
    seen: dict[int, int] = {}
    for t, u in centres.items():
        if not 0 <= t < p:
            raise DistrictingError(
                _("Centre {unit} is given for territory {territory}; territories are 0 to {last}."),
                unit=inst.ids[u],
                territory=t,
                last=p - 1,
            )
        if u in seen or fixed.get(u, t) != t:
            raise DistrictingError(
                _(
                    "Unit {unit} cannot be the centre of territory {territory}: it is kept in another territory."
                ),
                unit=inst.ids[u],
                territory=t,
            )
        seen[u] = t
    if current is None:
        return None
    arr = np.asarray(current, dtype=np.int64).reshape(-1)
    if len(arr) != inst.n:
        raise DistrictingError(_("The current plan must give one territory per unit."))
    bad = np.flatnonzero((arr < -1) | (arr >= p))
    if len(bad):
        raise DistrictingError(
            _("Unit {unit} is in territory {territory} today; territories are 0 to {last}."),
            unit=inst.ids[int(bad[0])],
            territory=int(arr[bad[0]]),
            last=p - 1,
        )
    return arr
