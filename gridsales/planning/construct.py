"""Starting plans for the districting search. Pure core (numpy, scipy; no Django).

- `seeded_plan`: p seeds by farthest-point sampling (centres to keep and fixed units are
  seeds already), one k-medoids step, then regions grown from them;
- `bisected_plan`: recursive bisection — a region for k territories is cut in two along
  the shortest-path order from one of its far ends, where the shares of every activity
  are nearest k₁/k; both halves are connected by construction (stray pieces of the
  second half join the first). Well balanced from the start, which matters when there
  are many territories (100): growing regions leaves some far off the mean;
- `plan_from_current`: today's plan, repaired: in contiguous mode only the main piece of a
  split territory is kept (the pieces holding fixed units, else the largest) and the rest
  is grown again from the neighbours; a territory without units gets a unit from the
  edge of the heaviest one;
- `relabel`: territory numbers of a new plan matched to today's (most units in common),
  so that "moved" counts real moves, not renamed territories.
"""

from __future__ import annotations

import heapq

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components, dijkstra

from gridsales.planning.graph import topology
from gridsales.planning.search import Spec


def pinned_seeds(spec: Spec, fixed: dict[int, int], centres: dict[int, int]) -> dict[int, int]:
    """Territory → a unit it must grow from: its centre, else its first fixed unit."""
    seeds = dict(centres)
    for u, t in sorted(fixed.items()):
        seeds.setdefault(t, u)
    return seeds


def seeded_plan(
    spec: Spec, rng: np.random.Generator, pinned: dict[int, int], fixed: dict[int, int]
) -> np.ndarray:
    """Farthest-point seeds (after the pinned ones), one k-medoids step, regions grown."""
    dist, p = spec.dist, spec.p
    n = len(spec.neighbours)
    chosen = list(pinned.values())
    rows = [dist.rows_from([s])[0] for s in chosen]
    if not chosen:
        chosen = [int(rng.integers(n))]
        rows = [dist.rows_from(chosen)[0]]
    nearest = _finite(np.min(rows, axis=0))
    taken = list(fixed)  # a fixed unit belongs to its own territory: never another's seed
    while len(chosen) < p:
        nearest[chosen] = -1.0
        nearest[taken] = -1.0
        s = int(np.argmax(nearest))
        chosen.append(s)
        row = dist.rows_from([s])[0]
        rows.append(row)
        np.minimum(nearest, _finite(row), out=nearest)
    # One Lloyd-style step (k-medoids) for the free seeds: the member nearest to all others.
    owner = np.argmin(np.array([_finite(r) for r in rows]), axis=0)
    pinned_units = set(pinned.values())
    for k, s in enumerate(chosen):
        if s in pinned_units:
            continue
        members = np.array([u for u in np.flatnonzero(owner == k).tolist() if u not in fixed])
        if len(members) > 1:
            medoid = int(members[np.argmin(dist.pairwise(members).max(axis=1))])
            if medoid not in chosen:
                chosen[k] = medoid
                rows[k] = dist.rows_from([medoid])[0]
    free_labels = iter(t for t in range(p) if t not in pinned)
    label_of = {s: t for t, s in pinned.items()}
    origin_rows = np.empty((p, n))
    assign = np.full(n, -1, dtype=np.int64)
    for s, row in zip(chosen, rows, strict=True):
        t = label_of.get(s)
        if t is None:
            t = next(free_labels)
        origin_rows[t] = row
        assign[s] = t
    for u, t in fixed.items():
        assign[u] = t
    return grow(spec, assign, origin_rows)


def _finite(row: np.ndarray) -> np.ndarray:
    """Unreachable (another graph component) reads as farther than anything reachable."""
    finite = np.isfinite(row)
    if finite.all():
        return row.copy()
    top = float(row[finite].max()) if finite.any() else 0.0
    return np.where(finite, row, 10 * top + 1)


def grow(spec: Spec, assign: np.ndarray, origin_rows: np.ndarray) -> np.ndarray:
    """Units with −1 taken one at a time: the territory with the lightest relative load
    takes the free unit nearest its origin (among those it touches, when contiguous).
    Units no territory reaches (other graph components) join the nearest origin."""
    assign = assign.copy()
    p = spec.p
    loads = np.zeros((p, spec.activities.shape[1]))
    placed = assign >= 0
    np.add.at(loads, assign[placed], spec.activities[placed])
    rel = (loads / spec.safe).max(axis=1)
    free = int((~placed).sum())
    if spec.contiguous:
        heaps: list[list[tuple[float, int]]] = [[] for _ in range(p)]
        for u in np.flatnonzero(placed).tolist():
            t = assign[u]
            for v in spec.neighbours[u]:
                if assign[v] < 0:
                    heaps[t].append((origin_rows[t, v], v))
        for h in heaps:
            heapq.heapify(h)
    else:
        orders = np.argsort(origin_rows, axis=1, kind="stable")
        pointer = np.zeros(p, dtype=np.int64)
    active = np.ones(p, dtype=bool)
    while free and active.any():
        t = int(np.argmin(np.where(active, rel, np.inf)))
        v = -1
        if spec.contiguous:
            heap = heaps[t]
            while heap:
                _d, x = heapq.heappop(heap)
                if assign[x] < 0:
                    v = x
                    break
        else:
            order = orders[t]
            while pointer[t] < len(order) and assign[order[pointer[t]]] >= 0:
                pointer[t] += 1
            if pointer[t] < len(order):
                v = int(order[pointer[t]])
        if v < 0:
            active[t] = False
            continue
        assign[v] = t
        loads[t] += spec.activities[v]
        rel[t] = float((loads[t] / spec.safe).max())
        free -= 1
        if spec.contiguous:
            for x in spec.neighbours[v]:
                if assign[x] < 0:
                    heapq.heappush(heaps[t], (origin_rows[t, x], x))
    for v in np.flatnonzero(assign < 0).tolist():
        assign[v] = int(np.argmin(_finite(origin_rows[:, v])))
    return assign


def bisected_plan(spec: Spec, rng: np.random.Generator, tries: int = 4) -> np.ndarray:
    """Recursive bisection (see the module docstring)."""
    graph = spec.dist.graph
    n = len(spec.neighbours)
    assign = np.full(n, -1, dtype=np.int64)
    stack = [(np.arange(n), spec.p, 0)]
    while stack:
        units, k, label = stack.pop()
        if k == 1:
            assign[units] = label
            continue
        k1 = k // 2
        sub = graph[units][:, units]
        best = None
        # A cut whose far side falls apart gives the strays to the near side, which can
        # spoil the balance: a few far ends are tried, the best-balanced cut is kept.
        for _ in range(tries):
            gap, left, right = _bisect(sub, spec.activities[units], k, k1, rng)
            if best is None or gap < best[0]:
                best = (gap, left, right)
            if gap <= spec.tau / 2:
                break
        _gap, left, right = best
        stack.append((units[left], k1, label))
        stack.append((units[right], k - k1, label + k1))
    return assign


def _bisect(sub, acts: np.ndarray, k: int, k1: int, rng: np.random.Generator):
    """(the largest gap between an activity's share and k₁/k, near side, far side)."""
    m = sub.shape[0]
    probe = dijkstra(sub, directed=False, indices=int(rng.integers(m)))
    start = int(np.argmax(np.where(np.isfinite(probe), probe, -1.0)))
    order = np.argsort(dijkstra(sub, directed=False, indices=start), kind="stable")
    totals = acts.sum(axis=0)
    counted = totals > 0
    if counted.any():
        shares = np.cumsum(acts[order][:, counted], axis=0) / totals[counted]
        gap = np.abs(shares - k1 / k).max(axis=1)
    else:
        gap = np.abs(np.arange(1, m + 1) / m - k1 / k)
    lo, hi = k1, m - (k - k1)  # each side keeps a unit per territory
    cut = lo + int(np.argmin(gap[lo - 1 : hi])) if hi >= lo else k1
    left, right = order[:cut], order[cut:]
    pieces, labels = connected_components(sub[right][:, right], directed=False)
    if pieces > 1:
        main = np.argmax(np.bincount(labels))
        strays = right[labels != main]
        if len(right) - len(strays) >= k - k1:
            left = np.concatenate([left, strays])
            right = right[labels == main]
    if not counted.any():
        return abs(len(left) / m - k1 / k), left, right
    share = acts[left][:, counted].sum(axis=0) / totals[counted]
    return float(np.abs(share - k1 / k).max()), left, right


def plan_from_current(spec: Spec, fixed: dict[int, int]) -> np.ndarray:
    """Today's plan made a valid start (see the module docstring)."""
    p, dist = spec.p, spec.dist
    assign = spec.current.copy()
    for u, t in fixed.items():
        assign[u] = t
    if spec.contiguous:
        for t in range(p):
            members = np.flatnonzero(assign == t)
            piece, pieces, _cut = topology(spec.neighbours, members)
            if pieces <= 1:
                continue
            keep = {piece[u] for u in members.tolist() if u in fixed}
            if not keep:
                counts = np.bincount([piece[u] for u in members.tolist()], minlength=pieces)
                keep = {int(np.argmax(counts))}
            for u in members.tolist():
                if piece[u] not in keep and u not in fixed:
                    assign[u] = -1
    loads = np.zeros((p, spec.activities.shape[1]))
    placed = assign >= 0
    np.add.at(loads, assign[placed], spec.activities[placed])
    for t in range(p):
        if (assign == t).any():
            continue
        free = np.flatnonzero(assign < 0)
        if len(free):
            assign[int(free[0])] = t
            continue
        rel = (loads / spec.safe).max(axis=1)
        sizes = np.bincount(assign, minlength=p)
        heavy = int(np.argmax(np.where(sizes > 1, rel, -np.inf)))
        members = np.flatnonzero(assign == heavy)
        cut = topology(spec.neighbours, members)[2] if spec.contiguous else set()
        edge = [u for u in members.tolist() if u not in cut and spec.movable[u]]
        if not edge:
            continue
        far = dist.pairwise(np.asarray(edge)).max(axis=1)
        u = edge[int(np.argmax(far))]
        assign[u] = t
        loads[heavy] -= spec.activities[u]
        loads[t] += spec.activities[u]
    origins = []
    for t in range(p):
        members = np.flatnonzero(assign == t)
        if len(members) == 0:
            origins.append(0)
            continue
        origins.append(int(members[np.argmin(dist.pairwise(members).max(axis=1))]))
    return grow(spec, assign, dist.rows_from(origins))


def relabel(assign: np.ndarray, current: np.ndarray, p: int, pinned: set[int]) -> np.ndarray:
    """Renumber the territories not pinned (by fixed units or centres) so that the plan
    keeps as many units as possible where `current` has them."""
    free = [t for t in range(p) if t not in pinned]
    if len(free) < 2:
        return assign
    pos = np.full(p, -1)
    pos[free] = np.arange(len(free))
    known = (current >= 0) & (pos[assign] >= 0) & (pos[np.maximum(current, 0)] >= 0)
    overlap = np.zeros((len(free), len(free)))
    np.add.at(overlap, (pos[assign[known]], pos[current[known]]), 1)
    rows, cols = linear_sum_assignment(-overlap)
    mapping = np.arange(p)
    mapping[np.asarray(free)[rows]] = np.asarray(free)[cols]
    return mapping[assign]
