"""The districting local search: a plan with its loads, diameters and shape, changed one
unit at a time. Pure core (numpy, no Django); `districting.solve` drives it.

A plan is scored lexicographically (smaller is better):

1. `excess`: Σ_T (pieces of T − 1) — 0 when every territory is contiguous (contiguous
   mode only; always 0 with `allow_disconnected`);
2. the balance violation Σ_T Σ_a max(0, |w_a(T) − μ_a| / μ_a − τ);
3. every diameter from the largest down (leximax); with a current plan, the largest is
   charged `disruption_weight` per unit moved, and the number moved comes last.

Moves keep what is already right: a cut vertex never leaves its territory (so a piece is
never split), fixed units never move, and a territory never loses its last unit.
Comparing leximax vectors that differ in two entries depends on those entries only, so
after a move only the units around the two territories it changed are looked at again.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace

import numpy as np

from gridsales.planning.graph import topology

EPS = 1e-9
SWAP_CANDIDATES = 25  # units of the receiving territory tried in a swap, farthest first


@dataclass
class Spec:
    """What does not change during a solve: the instance and the rules of the plan."""

    neighbours: list[list[int]]
    activities: np.ndarray
    p: int
    tau: float
    dist: object  # graph.DenseDistances or graph.BoundedDistances
    contiguous: bool
    movable: np.ndarray  # False for fixed units
    current: np.ndarray | None  # territory today, −1 where none
    weight: float  # distance charged per unit moved
    near: list[list[int]] | None = None  # disconnected mode: a unit's nearest units
    reverse_near: list[list[int]] | None = None

    def __post_init__(self):
        self.mu = self.activities.sum(axis=0) / self.p
        self.safe = np.where(self.mu > 0, self.mu, 1.0)
        self.counted = self.mu > 0
        # Activities relative to μ, as plain floats: a move changes m numbers, and plain
        # Python beats numpy on a handful of them. An activity with μ = 0 counts as 0.
        self.wrel = (self.activities / self.safe * self.counted).tolist()


def _violation(row: list[float], tau: float) -> float:
    total = 0.0
    for r in row:
        excess = (r if r > 0 else -r) - tau
        if excess > 0:
            total += excess
    return total


def _spread(row: list[float]) -> float:
    return sum(r * r for r in row)


class State:
    """A plan, with per-territory loads (relative to μ), violation, spread and diameter,
    and cached members, pairwise distances and topology."""

    def __init__(self, spec: Spec, assign: np.ndarray):
        self.spec = spec
        self.assign = np.asarray(assign, dtype=np.int64).copy()
        self.where = self.assign.tolist()  # the same as plain ints, for fast lookups
        p = spec.p
        self.loads = np.zeros((p, spec.activities.shape[1]))
        np.add.at(self.loads, self.assign, spec.activities)
        self.size = np.bincount(self.assign, minlength=p)
        self._members: dict[int, np.ndarray] = {}
        self._pairs: dict[int, np.ndarray] = {}
        self._topo: dict[int, tuple] = {}
        self.rel = (((self.loads - spec.mu) / spec.safe) * spec.counted).tolist()
        self.viol_t = [_violation(r, spec.tau) for r in self.rel]
        self.viol = sum(self.viol_t)
        self.spread_t = [_spread(r) for r in self.rel]
        self.spread = sum(self.spread_t)
        self.diam = [self.diameter(t) for t in range(p)]
        self.excess = 0
        if spec.contiguous:
            self.excess = sum(max(0, self.topo(t)[1] - 1) for t in range(p))
        self.moved = 0
        if spec.current is not None:
            self.moved = int(((spec.current >= 0) & (spec.current != self.assign)).sum())
        self.log: list[tuple[int, int, int]] = []

    # -- cached views of one territory
    def members(self, t: int) -> np.ndarray:
        m = self._members.get(t)
        if m is None:
            m = self._members[t] = np.flatnonzero(self.assign == t)
        return m

    def pair(self, t: int) -> np.ndarray:
        m = self._pairs.get(t)
        if m is None:
            m = self._pairs[t] = self.spec.dist.pairwise(self.members(t))
        return m

    def topo(self, t: int) -> tuple[dict[int, int], int, set[int]]:
        m = self._topo.get(t)
        if m is None:
            m = self._topo[t] = topology(self.spec.neighbours, self.members(t))
        return m

    def diameter(self, t: int) -> float:
        return float(self.pair(t).max()) if self.size[t] > 1 else 0.0

    def retune(self, tau: float) -> None:
        """Judge the balance against another tolerance from now on."""
        self.spec = replace(self.spec, tau=tau)
        self.viol_t = [_violation(r, tau) for r in self.rel]
        self.viol = sum(self.viol_t)

    # -- scores
    def key(self, excess: int, viol: float, spread: float, diam: list[float], moved: int) -> tuple:
        # While some territory is out of balance, evening out the loads everywhere (the
        # spread, Σ relative deviation²) comes before the diameters: it makes room for the
        # moves that end the violation, which single moves rarely find otherwise.
        viol = max(0.0, round(viol, 9))
        spread = round(spread, 9) if viol > 0 else 0.0
        ds = sorted(diam, reverse=True)
        if self.spec.current is None:
            return (excess, viol, spread, *ds)
        ds[0] += self.spec.weight * moved
        return (excess, viol, spread, *ds, moved)

    def score(self) -> tuple:
        return self.key(self.excess, self.viol, self.spread, self.diam, self.moved)

    # -- moves
    def candidates(self, u: int) -> list[int]:
        """The territories u may move to: those it touches (contiguous) or those of its
        nearest units."""
        sp, where = self.spec, self.where
        around = sp.neighbours[u] if sp.contiguous else sp.near[u]
        return sorted({where[v] for v in around} - {where[u]})

    def evaluate(self, u: int, b: int, bound: tuple | None = None):
        """(score after moving u to b, the move), or None when the move is not allowed or,
        given a `bound` score, cannot beat it (decided before the diameters are computed)."""
        sp, where = self.spec, self.where
        a = where[u]
        if not sp.movable[u] or self.size[a] <= 1 or a == b:
            return None
        wu = sp.wrel[u]
        na = [x - y for x, y in zip(self.rel[a], wu, strict=True)]
        nb = [x + y for x, y in zip(self.rel[b], wu, strict=True)]
        va, vb = _violation(na, sp.tau), _violation(nb, sp.tau)
        sa, sb = _spread(na), _spread(nb)
        viol = self.viol - self.viol_t[a] - self.viol_t[b] + va + vb
        spread = self.spread - self.spread_t[a] - self.spread_t[b] + sa + sb
        # A move never adds pieces (cut vertices stay), so with none to join the excess
        # stays 0 and the balance alone can rule the move out, before any graph work.
        if bound is not None and self.excess == 0 and not self._may_beat(bound, 0, viol, spread):
            return None
        dexcess = 0
        if sp.contiguous:
            _piece, _pieces, cut = self.topo(a)
            if u in cut:
                return None
            around = sp.neighbours[u]
            if not any(where[v] == a for v in around):
                dexcess -= 1  # u was a piece of its own
            piece_b = self.topo(b)[0]
            joined = {piece_b[v] for v in around if where[v] == b}
            if not joined:
                return None
            dexcess -= len(joined) - 1
        excess = self.excess + dexcess
        if bound is not None and not self._may_beat(bound, excess, viol, spread):
            return None
        dist = sp.dist
        members_a, members_b = self.members(a), self.members(b)
        db = max(self.diam[b], dist.farthest(u, self.assign, b, members_b))
        if dist.farthest(u, self.assign, a, members_a) >= self.diam[a] - EPS:
            da = self._diameter_without(a, u)
        else:
            da = self.diam[a]
        dmoved = 0
        if sp.current is not None and sp.current[u] >= 0:
            dmoved = int(b != sp.current[u]) - int(a != sp.current[u])
        diam = list(self.diam)
        diam[a], diam[b] = da, db
        key = self.key(excess, viol, spread, diam, self.moved + dmoved)
        return key, (u, a, b, da, db, dexcess, na, nb, va, vb, sa, sb, dmoved)

    @staticmethod
    def _may_beat(bound: tuple, excess: int, viol: float, spread: float) -> bool:
        """Whether a plan with these first terms can still score below `bound`."""
        if excess != bound[0]:
            return excess < bound[0]
        rounded = max(0.0, round(viol, 9))
        if rounded != bound[1]:
            return rounded < bound[1]
        return rounded == 0 or round(spread, 9) <= bound[2]

    def _diameter_without(self, t: int, u: int) -> float:
        members = self.members(t)
        if len(members) <= 2:
            return 0.0
        keep = members != u
        return float(self.pair(t)[keep][:, keep].max())

    def apply(self, move) -> None:
        u, a, b, da, db, dexcess, na, nb, va, vb, sa, sb, dmoved = move
        w = self.spec.activities[u]
        self.loads[a] -= w
        self.loads[b] += w
        self.assign[u] = b
        self.where[u] = b
        self.size[a] -= 1
        self.size[b] += 1
        self.diam[a], self.diam[b] = da, db
        self.rel[a], self.rel[b] = na, nb
        self.viol += va + vb - self.viol_t[a] - self.viol_t[b]
        self.viol_t[a], self.viol_t[b] = va, vb
        self.spread += sa + sb - self.spread_t[a] - self.spread_t[b]
        self.spread_t[a], self.spread_t[b] = sa, sb
        self.excess += dexcess
        self.moved += dmoved
        for cache in (self._members, self._pairs, self._topo):
            cache.pop(a, None)
            cache.pop(b, None)
        self.log.append((u, a, b))

    def copy(self) -> State:
        new = object.__new__(State)
        new.__dict__.update(self.__dict__)
        new.assign, new.loads, new.size = self.assign.copy(), self.loads.copy(), self.size.copy()
        for name in ("where", "rel", "viol_t", "spread_t", "diam"):
            setattr(new, name, list(getattr(self, name)))
        for name in ("_members", "_pairs", "_topo"):
            setattr(new, name, dict(getattr(self, name)))
        new.log = []
        return new

    def affected(self, moves) -> list[int]:
        """Units whose moves may score differently after `moves`: those of the territories
        they changed and the units touching them."""
        sp = self.spec
        territories = {t for _u, a, b in moves for t in (a, b)}
        out: set[int] = set()
        around = sp.neighbours if sp.contiguous else sp.reverse_near
        for t in territories:
            members = self.members(t).tolist()
            out.update(members)
            for x in members:
                out.update(around[x])
        return sorted(out)


def local_search(st: State, rng: np.random.Generator, deadline: float, units=None) -> None:
    """First-improvement single-unit moves until none improves (or time runs out); starts
    from `units` (all, in random order, by default) and follows the changes."""
    n = len(st.assign)
    order = rng.permutation(n) if units is None else np.asarray(units, dtype=np.int64)
    queue = deque(order.tolist())
    queued = np.zeros(n, dtype=bool)
    queued[order] = True
    current = st.score()
    movable = st.spec.movable
    steps = 0
    while queue:
        u = queue.popleft()
        queued[u] = False
        steps += 1
        if steps % 64 == 0 and time.monotonic() >= deadline:
            return
        if not movable[u]:
            continue
        for b in st.candidates(u):
            found = st.evaluate(u, b, current)
            if found is not None and found[0] < current:
                current, move = found
                st.apply(move)
                for x in st.affected([move[:3]]):
                    if not queued[x]:
                        queued[x] = True
                        queue.append(x)
                break


def shake(st: State, k: int, rng: np.random.Generator, focus: float = 0.0) -> None:
    """k random moves that keep the plan's shape rules (contiguity, fixed units); with
    probability `focus` all of them around one of the three largest territories."""
    n = len(st.assign)
    pool = None
    if focus and rng.random() < focus:
        top = sorted(range(st.spec.p), key=st.diam.__getitem__, reverse=True)[:3]
        t = top[int(rng.integers(len(top)))]
        pool = st.affected([(-1, t, t)])
    done = tries = 0
    while done < k and tries < 50 * k:
        tries += 1
        u = int(rng.integers(n)) if pool is None else pool[int(rng.integers(len(pool)))]
        options = st.candidates(u)
        if not options:
            continue
        found = st.evaluate(u, options[int(rng.integers(len(options)))])
        if found is None:
            continue
        st.apply(found[1])
        done += 1


def swap_search(st: State, deadline: float) -> bool:
    """Swaps u∈A ↔ v∈B for the two ends u of the largest diameter (v among the units of B
    farthest from u); True when one improved the score. Moving u alone usually breaks the
    balance, which the swap restores."""
    sp = st.spec
    current = st.score()
    a = max(range(sp.p), key=st.diam.__getitem__)
    members = st.members(a)
    if len(members) < 2:
        return False
    i, j = np.unravel_index(np.argmax(st.pair(a)), (len(members), len(members)))
    for u in (int(members[i]), int(members[j])):
        for b in st.candidates(u):
            first = st.evaluate(u, b)
            if first is None:
                continue
            saved = st.copy()
            st.apply(first[1])
            best = None
            cands = st.members(b)
            cands = cands[np.argsort(-sp.dist.to(u, cands), kind="stable")]
            for v in cands[: SWAP_CANDIDATES + 1].tolist():
                if v == u:
                    continue
                if sp.contiguous and not any(st.where[x] == a for x in sp.neighbours[v]):
                    continue
                found = st.evaluate(v, a)
                if (
                    found is not None
                    and found[0] < current
                    and (best is None or found[0] < best[0])
                ):
                    best = found
            if best is not None:
                st.apply(best[1])
                return True
            log = st.log
            st.__dict__.update(saved.__dict__)
            st.log = log[:-1]
            if time.monotonic() >= deadline:
                return False
    return False
