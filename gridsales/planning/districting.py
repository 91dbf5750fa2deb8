"""Districting: balanced, compact (and contiguous) territories from basic units.

Pure core: no Django. numpy only. The problem (issue 8): split units into p territories so
that every activity a of every territory T is within τ of the mean, |w_a(T) − μ_a| / μ_a ≤ τ
(μ_a = total / p), every territory is contiguous in the adjacency graph (unless
`allow_disconnected`), and the largest territory diameter — the longest shortest path,
over the whole graph, between two units of the same territory — is as small as possible.

Method: all-pairs shortest paths (Floyd–Warshall on a numpy matrix; fine for ~2,000
units), p seeds by farthest-point sampling on those distances, regions grown from the
seeds (the lightest territory takes its nearest free unit next), then a local search of
single-unit moves (boundary units only when contiguity is kept; a move that would cut its
old territory in two is refused) that lowers, in order, the balance violation
Σ_T Σ_a max(0, |w_a(T) − μ_a| / μ_a − τ), then the diameters from the largest down (leximax);
swaps of the ends of the largest diameter; perturbations (random boundary moves) and restarts until the time limit, keeping the best.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

EPS = 1e-9


class DistrictingError(ValueError):
    """Input that cannot be districted (a message for the user)."""


@dataclass
class Instance:
    """Units (ids, coordinates, activities n×m), undirected edges (i, j, distance)."""

    ids: list[str]
    xy: np.ndarray
    activities: np.ndarray
    activity_names: list[str]
    edges: list[tuple[int, int, float]]
    neighbours: list[list[int]] = field(init=False)
    dist: np.ndarray = field(init=False)

    def __post_init__(self):
        n = len(self.ids)
        if n == 0:
            raise DistrictingError("The instance has no units.")
        self.activities = np.asarray(self.activities, dtype=float).reshape(n, -1)
        self.neighbours = [[] for _ in range(n)]
        for i, j, _d in self.edges:
            if i != j:
                self.neighbours[i].append(j)
                self.neighbours[j].append(i)
        self.dist = shortest_paths(n, self.edges)

    @property
    def n(self) -> int:
        return len(self.ids)


def shortest_paths(n: int, edges: list[tuple[int, int, float]]) -> np.ndarray:
    """All-pairs shortest path lengths (inf where unreachable), Floyd–Warshall in numpy."""
    dist = np.full((n, n), np.inf)
    np.fill_diagonal(dist, 0.0)
    for i, j, d in edges:
        if d < 0:
            raise DistrictingError(f"Edge {i}–{j} has a negative distance {d}.")
        if d < dist[i, j]:
            dist[i, j] = dist[j, i] = d
    for k in range(n):
        np.minimum(dist, dist[:, k, None] + dist[None, k, :], out=dist)
    return dist


def territory_diameter(dist: np.ndarray, members: np.ndarray) -> float:
    if len(members) < 2:
        return 0.0
    return float(dist[np.ix_(members, members)].max())


def is_connected(neighbours: list[list[int]], assign: np.ndarray, t: int, skip: int = -1) -> bool:
    """Whether territory t (without unit `skip`) is one connected piece (empty counts)."""
    members = [i for i in np.flatnonzero(assign == t) if i != skip]
    if len(members) <= 1:
        return True
    seen = {members[0]}
    queue = deque([members[0]])
    while queue:
        u = queue.popleft()
        for v in neighbours[u]:
            if v != skip and v not in seen and assign[v] == t:
                seen.add(v)
                queue.append(v)
    return len(seen) == len(members)


def violation(loads: np.ndarray, mu: np.ndarray, tau: float) -> float:
    """Σ_T Σ_a max(0, |w_a(T) − μ_a| / μ_a − τ) (activities with μ = 0 are ignored)."""
    safe = np.where(mu > 0, mu, 1.0)
    rel = np.abs(loads - mu) / safe
    rel[:, mu <= 0] = 0.0
    return float(np.maximum(0.0, rel - tau).sum())


def evaluate(
    inst: Instance,
    assign,
    p: int,
    tau: float,
    current=None,
) -> dict:
    """Metrics of a plan: per territory and activity the deviation from μ, the imbalance
    (violation sum), contiguity, diameters, and units moved against `current`."""
    assign = np.asarray(assign, dtype=int)
    mu = inst.activities.sum(axis=0) / p
    loads = np.zeros((p, inst.activities.shape[1]))
    np.add.at(loads, assign, inst.activities)
    safe = np.where(mu > 0, mu, 1.0)
    territories = []
    for t in range(p):
        members = np.flatnonzero(assign == t)
        territories.append(
            {
                "territory": t,
                "units": int(len(members)),
                "deviation": {
                    name: float((loads[t, a] - mu[a]) / safe[a])
                    for a, name in enumerate(inst.activity_names)
                },
                "contiguous": is_connected(inst.neighbours, assign, t),
                "diameter": territory_diameter(inst.dist, members),
            }
        )
    imbalance = violation(loads, mu, tau)
    result = {
        "territories": territories,
        "imbalance": imbalance,
        "balanced": imbalance <= EPS,
        "contiguous": all(t["contiguous"] for t in territories),
        "max_diameter": max(t["diameter"] for t in territories),
        "empty_territories": sum(1 for t in territories if t["units"] == 0),
    }
    if current is not None:
        result["units_moved"] = int((np.asarray(current, dtype=int) != assign).sum())
    return result


class _State:
    """A plan with its loads and diameters, updated move by move."""

    def __init__(self, inst: Instance, assign: np.ndarray, p: int, tau: float):
        self.inst, self.p, self.tau = inst, p, tau
        self.mu = inst.activities.sum(axis=0) / p
        self.safe = np.where(self.mu > 0, self.mu, 1.0)
        self.assign = assign.copy()
        self.loads = np.zeros((p, inst.activities.shape[1]))
        np.add.at(self.loads, self.assign, inst.activities)
        self.diam = np.array(
            [territory_diameter(inst.dist, np.flatnonzero(self.assign == t)) for t in range(p)]
        )
        self.size = np.bincount(self.assign, minlength=p)

    def _viol_rows(self, rows: np.ndarray) -> float:
        rel = np.abs(rows - self.mu) / self.safe
        rel[:, self.mu <= 0] = 0.0
        return float(np.maximum(0.0, rel - self.tau).sum())

    def score(self) -> tuple[float, ...]:
        # Violation first, then every diameter from the largest down (leximax): lowering a
        # second-largest diameter is progress too, which keeps the search off plateaus.
        return (round(self._viol_rows(self.loads), 9), *sorted(self.diam.tolist(), reverse=True))

    def move_delta(self, u: int, b: int):
        """The score after moving u to b, and the new diameters of its old and new territory."""
        inst, a = self.inst, self.assign[u]
        w = inst.activities[u]
        row = inst.dist[u]
        in_b = self.assign == b
        db = max(self.diam[b], float(row[in_b].max()) if self.size[b] else 0.0)
        in_a = self.assign == a
        in_a[u] = False
        if row[in_a].size and float(row[in_a].max()) >= self.diam[a] - EPS:
            da = territory_diameter(inst.dist, np.flatnonzero(in_a))
        else:
            da = self.diam[a] if self.size[a] > 1 else 0.0
        loads = self.loads.copy()
        loads[a] -= w
        loads[b] += w
        diam = self.diam.copy()
        diam[a], diam[b] = da, db
        score = (round(self._viol_rows(loads), 9), *sorted(diam.tolist(), reverse=True))
        return score, da, db

    def apply(self, u: int, b: int, da: float, db: float):
        a = self.assign[u]
        w = self.inst.activities[u]
        self.loads[a] -= w
        self.loads[b] += w
        self.assign[u] = b
        self.size[a] -= 1
        self.size[b] += 1
        self.diam[a], self.diam[b] = da, db


def farthest_seeds(dist: np.ndarray, p: int, rng: np.random.Generator) -> list[int]:
    n = dist.shape[0]
    finite = np.where(np.isfinite(dist), dist, dist[np.isfinite(dist)].max() * 10 + 1)
    seeds = [int(rng.integers(n))]
    nearest = finite[seeds[0]].copy()
    while len(seeds) < p:
        s = int(np.argmax(nearest))
        seeds.append(s)
        np.minimum(nearest, finite[s], out=nearest)
    # One Lloyd-style step (k-medoids): move each seed to the medoid of its nearest units.
    owner = np.argmin(finite[seeds], axis=0)
    medoids = []
    for t in range(p):
        members = np.flatnonzero(owner == t)
        if len(members) == 0:
            medoids.append(seeds[t])
            continue
        sub = finite[np.ix_(members, members)]
        medoids.append(int(members[np.argmin(sub.max(axis=1))]))
    return medoids if len(set(medoids)) == p else seeds


def grow(inst: Instance, seeds: list[int], contiguous: bool) -> np.ndarray:
    """Regions from seeds: the territory with the lightest relative load takes its nearest
    free unit (adjacent to it when contiguous); units left unreached join a neighbour."""
    n, p = inst.n, len(seeds)
    dist = inst.dist
    mu = inst.activities.sum(axis=0) / p
    safe = np.where(mu > 0, mu, 1.0)
    assign = np.full(n, -1)
    loads = np.zeros((p, inst.activities.shape[1]))
    frontier: list[set[int]] = [set() for _ in range(p)]
    for t, s in enumerate(seeds):
        assign[s] = t
        loads[t] += inst.activities[s]
    for t, s in enumerate(seeds):
        frontier[t].update(v for v in inst.neighbours[s] if assign[v] < 0)
    free = n - p
    active = set(range(p))
    while free and active:
        t = min(active, key=lambda k: float((loads[k] / safe).max()))
        if contiguous:
            cands = [v for v in frontier[t] if assign[v] < 0]
            frontier[t] = set(cands)
        else:
            cands = np.flatnonzero(assign < 0)
        if len(cands) == 0:
            active.discard(t)
            continue
        cands = np.asarray(list(cands))
        v = int(cands[np.argmin(dist[seeds[t], cands])])
        assign[v] = t
        loads[t] += inst.activities[v]
        free -= 1
        if contiguous:
            frontier[t].discard(v)
            frontier[t].update(x for x in inst.neighbours[v] if assign[x] < 0)
    # Units cut off from every region (other graph components) go to the nearest seed.
    for v in np.flatnonzero(assign < 0):
        assign[v] = int(np.argmin(np.where(np.isfinite(dist[seeds, v]), dist[seeds, v], 1e18)))
    return assign


def candidate_moves(st: _State, u: int, contiguous: bool, near: np.ndarray) -> set[int]:
    a = st.assign[u]
    if contiguous:
        return {int(st.assign[v]) for v in st.inst.neighbours[u]} - {a}
    return {int(st.assign[v]) for v in near[u]} - {a}


def local_search(
    st: _State,
    contiguous: bool,
    near: np.ndarray,
    rng: np.random.Generator,
    deadline: float,
) -> None:
    """First-improvement single-unit moves until none improves (or time runs out)."""
    inst = st.inst
    improved = True
    current = st.score()
    while improved and time.monotonic() < deadline:
        improved = False
        for u in rng.permutation(inst.n):
            a = st.assign[u]
            if st.size[a] <= 1:
                continue
            for b in candidate_moves(st, u, contiguous, near):
                score, da, db = st.move_delta(u, b)
                if score < current and (
                    not contiguous or is_connected(inst.neighbours, st.assign, a, skip=u)
                ):
                    st.apply(u, b, da, db)
                    current = score
                    improved = True
                    break
            if time.monotonic() >= deadline:
                return


def shake(st: _State, k: int, contiguous: bool, near: np.ndarray, rng: np.random.Generator):
    """k random moves of boundary units (contiguity kept when required)."""
    inst = st.inst
    done = tries = 0
    while done < k and tries < 50 * k:
        tries += 1
        u = int(rng.integers(inst.n))
        a = st.assign[u]
        if st.size[a] <= 1:
            continue
        options = sorted(candidate_moves(st, u, contiguous, near))
        if not options:
            continue
        b = options[int(rng.integers(len(options)))]
        if contiguous and not is_connected(inst.neighbours, st.assign, a, skip=u):
            continue
        _score, da, db = st.move_delta(u, b)
        st.apply(u, b, da, db)
        done += 1


def swap_search(st: _State, contiguous: bool, near: np.ndarray, deadline: float) -> bool:
    """Swaps u∈A ↔ v∈B for the two ends u of the largest diameter (v among the 25 units of
    B farthest from u); True when one improved the score. A single move of u usually breaks
    the balance, which the swap restores."""
    inst = st.inst
    current = st.score()
    a = int(np.argmax(st.diam))
    members = np.flatnonzero(st.assign == a)
    if len(members) < 2:
        return False
    sub = inst.dist[np.ix_(members, members)]
    i, j = np.unravel_index(np.argmax(sub), sub.shape)
    for u in (int(members[i]), int(members[j])):
        for b in sorted(candidate_moves(st, u, contiguous, near)):
            if contiguous and not is_connected(inst.neighbours, st.assign, a, skip=u):
                continue
            saved = (st.assign.copy(), st.loads.copy(), st.diam.copy(), st.size.copy())
            _s, da, db = st.move_delta(u, b)
            st.apply(u, b, da, db)
            best = None
            cands = np.flatnonzero(st.assign == b)
            cands = cands[np.argsort(inst.dist[u, cands])[::-1]]
            for v in cands[:25]:
                if v == u:
                    continue
                if contiguous and not any(st.assign[x] == a for x in inst.neighbours[v]):
                    continue
                score, da2, db2 = st.move_delta(int(v), a)
                if score < current and (best is None or score < best[0]):
                    if contiguous and not is_connected(inst.neighbours, st.assign, b, skip=int(v)):
                        continue
                    best = (score, int(v), da2, db2)
            if best is not None:
                st.apply(best[1], a, best[2], best[3])
                return True
            st.assign, st.loads, st.diam, st.size = saved
            if time.monotonic() >= deadline:
                return False
    return False


@dataclass
class Result:
    assign: np.ndarray
    score: tuple[float, ...]
    seconds: float
    iterations: int


def solve(
    inst: Instance,
    p: int,
    tau: float,
    *,
    time_limit: float = 60.0,
    seed: int = 1,
    allow_disconnected: bool = False,
    max_iterations: int | None = None,
) -> Result:
    """The best plan found within `time_limit` seconds (deterministic for a seed when
    `max_iterations` bounds the search instead of the clock)."""
    if not 1 <= p <= inst.n:
        raise DistrictingError(f"The number of territories must be between 1 and {inst.n}.")
    if tau < 0:
        raise DistrictingError("The tolerance must not be negative.")
    start = time.monotonic()
    deadline = start + time_limit
    rng = np.random.default_rng(seed)
    contiguous = not allow_disconnected
    order = np.argsort(inst.dist, axis=1)
    near = order[:, 1 : min(inst.n, 9)]
    best: _State | None = None
    iterations = 0
    restarts = 0
    while True:
        # A restart every 40 perturbations without progress; the first one at once.
        seeds = farthest_seeds(inst.dist, p, rng)
        st = _State(inst, grow(inst, seeds, contiguous), p, tau)
        local_search(st, contiguous, near, rng, deadline)
        restarts += 1
        if best is None or st.score() < best.score():
            best = _copy(st)
        stale, k = 0, 1
        while stale < 40 and time.monotonic() < deadline:
            if max_iterations is not None and iterations >= max_iterations:
                break
            iterations += 1
            trial = _copy(st)
            shake(trial, k, contiguous, near, rng)
            local_search(trial, contiguous, near, rng, deadline)
            while swap_search(trial, contiguous, near, deadline):
                local_search(trial, contiguous, near, rng, deadline)
            if trial.score() < st.score():
                st, k, stale = trial, 1, 0
                if st.score() < best.score():
                    best = _copy(st)
            else:
                k = k % 8 + 1
                stale += 1
        if time.monotonic() >= deadline:
            break
        if max_iterations is not None and iterations >= max_iterations:
            break
    return Result(best.assign, best.score(), time.monotonic() - start, iterations)


def _copy(st: _State) -> _State:
    new = object.__new__(_State)
    new.__dict__.update(st.__dict__)
    new.assign = st.assign.copy()
    new.loads = st.loads.copy()
    new.diam = st.diam.copy()
    new.size = st.size.copy()
    return new
