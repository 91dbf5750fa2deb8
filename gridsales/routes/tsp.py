"""Polish a single closed tour (TSP): iterated local search with 2-opt and Or-opt.

Pure core. PyVRP has no intra-route 2-opt, so on a pure TSP it stalls around 0.5 % above
the optimum on 100 nodes; this closes that gap. Local search uses neighbour lists and
don't-look bits; the kick is a double bridge inside a short stretch of the tour (so the
local search repairs only a few edges); a kicked tour is kept when it is no longer than the
current one. The matrix must be symmetric.
"""

from __future__ import annotations

import random
import time

import numpy as np

NEIGHBOURS = 10
SEGMENT = 3  # longest Or-opt segment
KICK_SPAN = 30  # positions a double bridge spans


class Tour:
    """A cyclic tour as an array of nodes and each node's position."""

    def __init__(self, order: list[int], dist: list[list[float]], near: list[list[int]]):
        self.order = list(order)
        self.n = len(order)
        self.pos = [0] * self.n
        for i, node in enumerate(self.order):
            self.pos[node] = i
        self.d = dist
        self.near = near

    def succ(self, node: int) -> int:
        return self.order[(self.pos[node] + 1) % self.n]

    def pred(self, node: int) -> int:
        return self.order[self.pos[node] - 1]

    def length(self) -> float:
        d, order = self.d, self.order
        return sum(d[order[i - 1]][order[i]] for i in range(self.n))

    def reverse(self, a: int, b: int) -> None:
        """Reverse the path from node a forward to node b (the other side if shorter)."""
        n, order, pos = self.n, self.order, self.pos
        i, j = pos[a], pos[b]
        length = (j - i) % n + 1
        if 2 * length > n:  # reversing the complement gives the same cycle, with fewer swaps
            i, j = (j + 1) % n, (i - 1) % n
            length = n - length
        for _ in range(length // 2):
            u, v = order[i], order[j]
            order[i], order[j] = v, u
            pos[v], pos[u] = i, j
            i = (i + 1) % n
            j = (j - 1) % n

    def two_opt(self, a: int) -> bool:
        """Apply the best-first improving 2-opt move around node a; True if one was made."""
        d = self.d
        for forward in (True, False):
            b = self.succ(a) if forward else self.pred(a)
            dab = d[a][b]
            for c in self.near[a]:
                dac = d[a][c]
                if dac >= dab:
                    break
                e = self.succ(c) if forward else self.pred(c)
                if c == b or e == a:
                    continue
                delta = dac + d[b][e] - dab - d[c][e]
                if delta < -1e-9:
                    if forward:
                        self.reverse(b, c)
                    else:
                        self.reverse(c, b)
                    return True
        return False

    def or_opt(self, a: int) -> bool:
        """Move a segment of 1–SEGMENT nodes starting at a (either way round) next to a
        neighbour of one of its ends; True if an improving move was made."""
        d, n = self.d, self.n
        if n < 5:
            return False
        for length in range(1, SEGMENT + 1):
            if length > n - 3:
                break
            for forward in (True, False):
                seg = [a]
                for _ in range(length - 1):
                    seg.append(self.succ(seg[-1]) if forward else self.pred(seg[-1]))
                first, last = seg[0], seg[-1]
                p = self.pred(first) if forward else self.succ(first)
                q = self.succ(last) if forward else self.pred(last)
                gain = d[p][first] + d[last][q] - d[p][q]
                if gain <= 1e-9:
                    continue
                inside = set(seg)
                for end, other in ((first, last), (last, first)):
                    for c in self.near[end]:
                        if d[c][end] >= gain:
                            break
                        if c in inside:
                            continue
                        for e in (self.succ(c), self.pred(c)):
                            if e in inside:
                                continue
                            # insert between c and e: c–end … other–e
                            delta = d[c][end] + d[other][e] - d[c][e] - gain
                            if delta < -1e-9:
                                self._move(seg if forward else seg[::-1], c, e, end)
                                return True
        return False

    def _move(self, seg: list[int], c: int, e: int, end: int) -> None:
        """Take seg (in tour order) out and put it between the adjacent nodes c and e, with
        `end` next to c."""
        inside = set(seg)
        rest = [node for node in self.order if node not in inside]
        placed = seg if end == seg[0] else seg[::-1]
        k = rest.index(c)
        if rest[(k + 1) % len(rest)] == e:
            self.order = rest[: k + 1] + placed + rest[k + 1 :]
        else:  # e precedes c
            self.order = rest[:k] + placed[::-1] + rest[k:]
        for i, node in enumerate(self.order):
            self.pos[node] = i

    def local_search(self, queue: list[int]) -> None:
        """Improve until no node in the queue (and the nodes it touches) yields a move."""
        active = [False] * self.n
        todo = []
        for node in queue:
            if not active[node]:
                active[node] = True
                todo.append(node)
        while todo:
            a = todo.pop()
            active[a] = False
            before = (self.pred(a), self.succ(a))
            if self.two_opt(a) or self.or_opt(a):
                touched = {a, *before, self.pred(a), self.succ(a)}
                for node in touched:
                    for m in (node, self.pred(node), self.succ(node)):
                        if not active[m]:
                            active[m] = True
                            todo.append(m)


def neighbour_lists(dist: np.ndarray, k: int = NEIGHBOURS) -> list[list[int]]:
    """Each node's k nearest other nodes, nearest first."""
    order = np.argsort(dist, axis=1, kind="stable")
    lists = []
    for i in range(dist.shape[0]):
        lists.append([int(j) for j in order[i] if j != i][:k])
    return lists


def improve(dist: np.ndarray, order: list[int], *, time_limit: float, seed: int = 1) -> list[int]:
    """A tour no longer than `order`, improved by iterated local search for `time_limit` s."""
    n = len(order)
    if n < 4:
        return list(order)
    deadline = time.perf_counter() + time_limit
    rng = random.Random(seed)
    d = dist.tolist()
    tour = Tour(order, d, neighbour_lists(dist))
    tour.local_search(list(tour.order))
    best, best_len = list(tour.order), tour.length()
    current_len = best_len
    span = min(KICK_SPAN, n - 1)
    while time.perf_counter() < deadline:
        saved = list(tour.order)
        touched = _double_bridge(tour, rng, span)
        tour.local_search(touched)
        length = tour.length()
        if length <= current_len + 1e-9:
            current_len = length
            if length < best_len - 1e-9:
                best, best_len = list(tour.order), length
        else:
            tour.order = saved
            for i, node in enumerate(saved):
                tour.pos[node] = i
    return best


def _double_bridge(tour: Tour, rng: random.Random, span: int) -> list[int]:
    """Reconnect A B C D as A C B D for three cut points within `span` positions."""
    n = tour.n
    if span < 4:
        return []
    start = rng.randrange(n)
    cuts = sorted(rng.sample(range(1, span), 3))
    rotated = tour.order[start:] + tour.order[:start]
    i, j, k = cuts
    new = rotated[:i] + rotated[j:k] + rotated[i:j] + rotated[k:]
    tour.order = new
    for p, node in enumerate(new):
        tour.pos[node] = p
    ends = {0, i - 1, i, j - 1, j, k - 1, k % n, (k - 1) % n}
    return [new[p % n] for p in ends] + [rotated[i - 1], rotated[j - 1], rotated[k - 1]]


def tour_length(dist: np.ndarray, order: list[int]) -> float:
    """Length of the closed tour visiting `order`."""
    idx = np.asarray(order)
    return float(dist[idx, np.roll(idx, -1)].sum())
