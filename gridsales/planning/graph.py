"""Shortest paths over the adjacency graph, and the shape of a territory in it.

Pure core (numpy and scipy.sparse.csgraph, no Django). Two ways to hold the distances,
with the same methods, chosen by `distances_for()`:

- `DenseDistances`: the full n × n matrix (Dijkstra from every unit, in C) while
  n ≤ DENSE_LIMIT (2,500 units: 50 MB);
- `BoundedDistances`: per unit only the units within a radius R, sorted by distance (a
  Dijkstra from every unit that stops at R). R is RADIUS_FACTOR times the radius of a disc
  holding one territory's worth of units, so a few territory diameters. A distance beyond
  R, which only a territory far off the optimum has, reads as the larger of R and a
  landmark lower bound (max over LANDMARKS units l of |d(l, u) − d(l, v)|), so the search
  still sees such a territory shrink. `exact_diameter` runs unbounded Dijkstras where a
  territory reaches past R, so reports are exact. 10,000 H3 units into 100 territories:
  ~8 million entries, a few seconds.

`topology()` gives a territory's connected pieces and its cut vertices (articulation
points: the units whose removal splits their piece), so the search tests a move in O(1)
instead of a breadth-first search per move.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

DENSE_LIMIT = 2500
RADIUS_FACTOR = 3.0
LANDMARKS = 16
UNREACHABLE = 1e15  # stands for inf in the landmark rows, so that differences stay finite
# csgraph drops explicit zeros as "no edge": a zero-length edge (two units at the same
# place) is kept as this instead.
ZERO_LENGTH = 1e-12


def adjacency_matrix(n: int, edges: list[tuple[int, int, float]]) -> csr_matrix:
    """The symmetric weighted adjacency (the shortest of parallel edges; no loops)."""
    if not edges:
        return csr_matrix((n, n))
    arr = np.asarray(edges, dtype=float).reshape(-1, 3)
    i, j = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    d = np.maximum(arr[:, 2], ZERO_LENGTH)
    keep = i != j
    lo, hi, d = np.minimum(i, j)[keep], np.maximum(i, j)[keep], d[keep]
    order = np.lexsort((d, hi, lo))
    lo, hi, d = lo[order], hi[order], d[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, d = lo[first], hi[first], d[first]
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    return csr_matrix((np.concatenate([d, d]), (rows, cols)), shape=(n, n))


class DenseDistances:
    """All pairs, exact (inf between units of different graph components)."""

    cap = math.inf

    def __init__(self, graph: csr_matrix):
        self.graph = graph
        self.n = graph.shape[0]
        self.matrix = dijkstra(graph, directed=False)

    def to(self, u: int, targets) -> np.ndarray:
        return self.matrix[u, targets]

    def farthest(self, u: int, assign: np.ndarray, t: int, members: np.ndarray) -> float:
        """The longest distance from u to a unit of territory t (its `members`; 0 when
        there is none)."""
        return float(self.matrix[u, members].max()) if len(members) else 0.0

    def pairwise(self, members: np.ndarray) -> np.ndarray:
        return self.matrix[np.ix_(members, members)]

    def rows_from(self, sources) -> np.ndarray:
        return self.matrix[np.asarray(sources)]

    def exact_diameter(self, members: np.ndarray) -> float:
        return float(self.pairwise(members).max()) if len(members) > 1 else 0.0

    def nearest(self, k: int) -> np.ndarray:
        """The k nearest other units of every unit (n × k)."""
        k = min(k, self.n - 1)
        order = np.argsort(self.matrix, axis=1, kind="stable")
        return order[:, 1 : k + 1]


class BoundedDistances:
    """Per unit, the units within `radius` and their distances, nearest first (CSR)."""

    def __init__(self, graph: csr_matrix, radius: float, batch: int = 256):
        self.graph = graph
        self.n = n = graph.shape[0]
        self.cap = float(radius)
        counts = np.zeros(n, dtype=np.int64)
        idx_parts, d_parts = [], []
        for start in range(0, n, batch):
            sources = np.arange(start, min(n, start + batch))
            block = dijkstra(graph, directed=False, indices=sources, limit=radius)
            r, c = np.nonzero(np.isfinite(block))
            d = block[r, c]
            order = np.lexsort((c, d, r))
            idx_parts.append(c[order].astype(np.int32))
            d_parts.append(d[order])
            counts[start : start + len(sources)] = np.bincount(r, minlength=len(sources))
        self.indptr = np.concatenate([[0], np.cumsum(counts)])
        self.indices = np.concatenate(idx_parts)
        self.data = np.concatenate(d_parts)
        self._scratch = np.full(n, np.nan)
        self.landmarks = self._landmark_rows(min(LANDMARKS, n))

    def _landmark_rows(self, count: int) -> np.ndarray:
        """Full distance rows from `count` landmarks spread by farthest-point sampling."""
        rows = [dijkstra(self.graph, directed=False, indices=[0])[0]]
        nearest = np.where(np.isfinite(rows[0]), rows[0], UNREACHABLE)
        while len(rows) < count:
            row = dijkstra(self.graph, directed=False, indices=[int(np.argmax(nearest))])[0]
            row = np.where(np.isfinite(row), row, UNREACHABLE)
            rows.append(row)
            np.minimum(nearest, row, out=nearest)
        rows[0] = np.where(np.isfinite(rows[0]), rows[0], UNREACHABLE)
        return np.array(rows)

    def beyond(self, u: int, targets) -> np.ndarray:
        """What a distance past the radius reads as: max(R, the landmark lower bound)."""
        land = self.landmarks
        bound = np.abs(land[:, u, None] - land[:, targets]).max(axis=0)
        return np.maximum(bound, self.cap)

    @property
    def entries(self) -> int:
        return int(self.indptr[-1])

    def row(self, u: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[u], self.indptr[u + 1]
        return self.indices[lo:hi], self.data[lo:hi]

    def to(self, u: int, targets) -> np.ndarray:
        idx, d = self.row(u)
        scratch = self._scratch
        scratch[idx] = d
        targets = np.asarray(targets)
        out = scratch[targets].copy()
        scratch[idx] = np.nan
        far = np.isnan(out)
        if far.any():
            out[far] = self.beyond(u, targets[far])
        return out

    def farthest(self, u: int, assign: np.ndarray, t: int, members: np.ndarray) -> float:
        """As DenseDistances.farthest; when u's row holds fewer units of t than it has,
        some are beyond the radius (and read as `beyond`)."""
        idx, d = self.row(u)
        sel = assign[idx] == t
        found = int(np.count_nonzero(sel))
        known = float(d[sel].max()) if found else 0.0
        if found < len(members):
            return max(known, float(self.to(u, members).max()))
        return known

    def pairwise(self, members: np.ndarray) -> np.ndarray:
        members = np.asarray(members)
        k = len(members)
        pos = np.full(self.n, -1, dtype=np.int64)
        pos[members] = np.arange(k)
        starts, ends = self.indptr[members], self.indptr[members + 1]
        lengths = ends - starts
        flat = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        flat = flat + np.arange(int(lengths.sum()))
        local_rows = np.repeat(np.arange(k), lengths)
        cols = pos[self.indices[flat]]
        keep = cols >= 0
        out = np.full((k, k), np.nan)
        out[local_rows[keep], cols[keep]] = self.data[flat][keep]
        far = np.isnan(out)
        if far.any():
            bound = np.full((k, k), self.cap)
            for row in self.landmarks[:, members]:
                np.maximum(bound, np.abs(row[:, None] - row[None, :]), out=bound)
            out[far] = bound[far]
        return out

    def rows_from(self, sources) -> np.ndarray:
        return dijkstra(self.graph, directed=False, indices=np.asarray(sources))

    def exact_diameter(self, members: np.ndarray) -> float:
        if len(members) < 2:
            return 0.0
        pairs = self.pairwise(members)
        known = float(pairs.max())
        if known < self.cap:  # every pair within the radius: all exact
            return known
        return float(self.rows_from(members)[:, members].max())

    def nearest(self, k: int) -> np.ndarray:
        out = np.empty((self.n, k), dtype=np.int64)
        for u in range(self.n):
            idx, _d = self.row(u)
            others = idx[idx != u][:k]
            if len(others) < k:  # a unit with fewer than k others within the radius
                others = np.concatenate(
                    [others, np.full(k - len(others), others[-1] if len(others) else u)]
                )
            out[u] = others
        return out


def radius_for(graph: csr_matrix, p: int, samples: int = 16) -> float:
    """RADIUS_FACTOR × the median, over sample units, of the distance to the (n/p)-th
    nearest unit: the radius of a disc holding one territory's worth of units."""
    n = graph.shape[0]
    sources = np.unique(np.linspace(0, n - 1, min(n, samples)).astype(np.int64))
    rows = dijkstra(graph, directed=False, indices=sources)
    k = min(n - 1, max(1, math.ceil(n / p)))
    radii = []
    for row in rows:
        finite = row[np.isfinite(row)]
        if len(finite) > k:
            radii.append(float(np.partition(finite, k)[k]))
    positive = [r for r in radii if r > 0]
    if not positive:
        return math.inf
    return RADIUS_FACTOR * float(np.median(positive))


def distances_for(graph: csr_matrix, p: int):
    """Dense distances for small graphs, bounded ones (radius from p) for large ones."""
    if graph.shape[0] <= DENSE_LIMIT:
        return DenseDistances(graph)
    radius = radius_for(graph, p)
    if not math.isfinite(radius):
        return DenseDistances(graph)
    return BoundedDistances(graph, radius)


def topology(neighbours: list[list[int]], members) -> tuple[dict[int, int], int, set[int]]:
    """The connected pieces of a territory (its `members`) (unit → piece number), their count, and the cut
    vertices: units whose removal splits their piece (Tarjan, iterative)."""
    inside = set(int(m) for m in members)
    piece: dict[int, int] = {}
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    cut: set[int] = set()
    pieces = 0
    timer = 0
    for root in inside:
        if root in disc:
            continue
        disc[root] = low[root] = timer
        timer += 1
        piece[root] = pieces
        children = 0
        stack = [(root, -1, iter(neighbours[root]))]
        while stack:
            v, parent, it = stack[-1]
            descended = False
            for w in it:
                if w not in inside:
                    continue
                if w not in disc:
                    disc[w] = low[w] = timer
                    timer += 1
                    piece[w] = pieces
                    stack.append((w, v, iter(neighbours[w])))
                    descended = True
                    break
                if w != parent and disc[w] < low[v]:
                    low[v] = disc[w]
            if descended:
                continue
            stack.pop()
            if not stack:
                break
            u = stack[-1][0]
            if low[v] < low[u]:
                low[u] = low[v]
            if u == root:
                children += 1
            elif low[v] >= disc[u]:
                cut.add(u)
        if children >= 2:
            cut.add(root)
        pieces += 1
    return piece, pieces, cut
