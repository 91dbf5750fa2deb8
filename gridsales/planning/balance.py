"""Chains of moves that carry load across several territories. Pure core (numpy).

Single-unit moves balance neighbours; they rarely fix a territory whose neighbours are
all near the tolerance too (many territories, a heavy downtown). A chain shifts one unit
across each border of the shortest path of adjacent territories from a territory out of
balance to one with room: every territory on the way gains a unit and loses one of a
similar weight, and only the two ends really change.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from gridsales.planning.search import State

MAX_HOPS = 20


def territory_graph(st: State) -> list[set[int]]:
    """Which territories touch which (through an adjacency edge)."""
    sp = st.spec
    touching: list[set[int]] = [set() for _ in range(sp.p)]
    assign = st.assign
    for u, around in enumerate(sp.neighbours):
        a = assign[u]
        for v in around:
            b = assign[v]
            if b != a:
                touching[a].add(int(b))
    return touching


def relative_loads(st: State) -> np.ndarray:
    sp = st.spec
    rel = (st.loads - sp.mu) / sp.safe
    rel[:, ~sp.counted] = 0.0
    return rel


def _path(touching: list[set[int]], start: int, wanted) -> list[int] | None:
    """The shortest chain of territories from `start` to one for which wanted(t) holds."""
    parent = {start: -1}
    queue = deque([start])
    while queue:
        t = queue.popleft()
        if t != start and wanted(t):
            path = [t]
            while parent[path[-1]] != -1:
                path.append(parent[path[-1]])
            return path[::-1]
        if len(parent) > 1 and _depth(parent, t) >= MAX_HOPS:
            continue
        for s in sorted(touching[t]):
            if s not in parent:
                parent[s] = t
                queue.append(s)
    return None


def _depth(parent: dict[int, int], t: int) -> int:
    depth = 0
    while parent[t] != -1:
        t = parent[t]
        depth += 1
    return depth


def _pick(st: State, x: int, y: int, target: np.ndarray):
    """The move of a unit of x into y whose activities are nearest `target` (allowed
    moves only: movable, not a cut vertex, x keeps a unit)."""
    sp = st.spec
    best = None
    best_gap = np.inf
    members = st.members(x).tolist()
    for u in members:
        if not any(st.where[v] == y for v in sp.neighbours[u]):
            continue
        gap = float(np.abs((sp.activities[u] - target) / sp.safe).sum())
        if gap < best_gap:
            found = st.evaluate(u, y)
            if found is not None:
                best, best_gap = found, gap
    return best


def chain(st: State, t: int, touching: list[set[int]]) -> bool:
    """Try one chain for territory t (out of balance); True if it improved the score and
    was applied (the moves are in st.log)."""
    sp = st.spec
    rel = relative_loads(st)
    a = int(np.argmax(np.abs(rel[t])))
    heavy = rel[t, a] > 0
    if heavy:
        path = _path(touching, t, lambda s: rel[s, a] < 0)
    else:
        path = _path(touching, t, lambda s: rel[s, a] > 0)
        path = path[::-1] if path else None
    if not path:
        return False
    current = st.score()
    trial = st.copy()
    source = path[0]
    # Carry about the load the end of the chain can give or take.
    amount = min(abs(rel[t, a]), abs(rel[path[-1] if heavy else source, a])) * sp.safe[a]
    target = np.zeros_like(sp.mu)
    target[a] = amount
    for x, y in zip(path, path[1:], strict=False):
        found = _pick(trial, x, y, target)
        if found is None:
            return False
        trial.apply(found[1])
        target = sp.activities[found[1][0]]
    if trial.score() < current:
        log = st.log
        st.__dict__.update(trial.__dict__)
        st.log = log + trial.log
        return True
    return False


def rebalance(st: State) -> bool:
    """One chain for each territory out of balance (worst first); True if any helped."""
    if st.viol <= 1e-9:
        return False
    touching = territory_graph(st)
    order = np.argsort(-np.asarray(st.viol_t), kind="stable")
    improved = False
    for t in order.tolist():
        if st.viol_t[t] <= 0:
            break
        # The territory graph is not recomputed after a chain: a border that has gone
        # only makes a later chain fail.
        improved = chain(st, t, touching) or improved
    return improved
