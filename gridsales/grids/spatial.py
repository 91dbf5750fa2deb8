"""Point-in-grid assignment at scale: which leaf grid covers each customer (no Django).

Input: leaf grid polygons (shapely, WGS-84 lon/lat) **in rule order** — the caller sorts
them by grid code — and numpy arrays of longitudes and latitudes. Output: one polygon index
per point, or -1.

The rule (the same in the fast path and in the exact reference):

    a point belongs to the grid with the lowest index (= lowest code) among the grids whose
    polygon *covers* it (interior or boundary).

So a customer exactly on a border shared by two grids, or inside an overlap, goes to the
grid whose code sorts first; a point in a hole belongs to no grid.

How it is fast: most customers sit deep inside a grid. `PointIndex` lays a regular raster
over the grids (about `cells_per_grid` cells per grid) and marks every cell that any
polygon boundary touches, with a small safety margin (`_EPS` of a cell, far above float
rounding). Every other cell lies wholly inside exactly one grid, wholly outside all grids,
or wholly inside an overlap; one point test per row run of such cells tells which. A point
in a clean cell is answered by an array lookup; only points in boundary or overlap cells
get an exact test (STRtree + covers), so the answer is identical to `locate_exact`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely

EARTH_RADIUS_M = 6_371_008.8
_EPS = 1e-7  # in cells; float error of the raster coordinates is ~1e-12 cells
_BOUNDARY = -2  # cell label: test points there exactly
_OUTSIDE = -1


def locate_exact(polygons, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The reference: STRtree + intersects (= covers for a point), lowest index wins."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    tree = shapely.STRtree(np.asarray(polygons, dtype=object))
    return _lowest_covering(tree, lon, lat)


def _lowest_covering(tree: shapely.STRtree, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    out = np.full(len(lon), _OUTSIDE, dtype=np.int64)
    if len(lon) == 0:
        return out
    # Points without coordinates (NaN) are empty points: they intersect nothing.
    point_idx, grid_idx = tree.query(shapely.points(lon, lat), predicate="intersects")
    if len(point_idx):
        best = np.full(len(lon), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, point_idx, grid_idx)
        hit = best != np.iinfo(np.int64).max
        out[hit] = best[hit]
    return out


@dataclass
class PointIndex:
    """A raster index over grid polygons; `locate` answers many points at once."""

    polygons: np.ndarray
    cells_per_grid: int = 2000
    tree: shapely.STRtree = field(init=False, repr=False)
    x0: float = field(init=False, default=0.0)
    y0: float = field(init=False, default=0.0)
    cell: float = field(init=False, default=1.0)
    nx: int = field(init=False, default=0)
    ny: int = field(init=False, default=0)
    labels: np.ndarray = field(init=False, repr=False)
    _nearest_tree: shapely.STRtree | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self.polygons = np.asarray(self.polygons, dtype=object)
        self.tree = shapely.STRtree(self.polygons)
        if len(self.polygons) == 0:
            self.labels = np.empty((0, 0), dtype=np.int32)
            return
        minx, miny, maxx, maxy = shapely.total_bounds(self.polygons)
        width, height = max(maxx - minx, 1e-9), max(maxy - miny, 1e-9)
        target = max(64, self.cells_per_grid * len(self.polygons))
        self.cell = min(math.sqrt(width * height / target), max(width, height))
        # One clean cell of margin on every side: points on the outer edge of the grids
        # land in boundary cells, not beyond the raster.
        self.x0 = math.floor(minx / self.cell) * self.cell - self.cell
        self.y0 = math.floor(miny / self.cell) * self.cell - self.cell
        self.nx = int(math.floor((maxx - self.x0) / self.cell)) + 2
        self.ny = int(math.floor((maxy - self.y0) / self.cell)) + 2
        boundary = self._boundary_cells()
        self.labels = self._label_clean_cells(boundary)

    # -- building ---------------------------------------------------------------------

    def _segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every boundary segment of every polygon, in raster units."""
        lines = shapely.get_parts(shapely.boundary(self.polygons))
        coords, line_idx = shapely.get_coordinates(lines, return_index=True)
        u = (coords[:, 0] - self.x0) / self.cell
        v = (coords[:, 1] - self.y0) / self.cell
        same = line_idx[1:] == line_idx[:-1]
        return u[:-1][same], v[:-1][same], u[1:][same], v[1:][same]

    def _boundary_cells(self) -> np.ndarray:
        """Cells any boundary segment touches (a supercover with an `_EPS` margin).

        A segment meets a closed cell only if an end lies in it or the segment crosses one
        of the cell's edges, which lie on grid lines: marking the end cells and the two
        cells on either side of every grid-line crossing covers every cell it touches.
        """
        au, av, bu, bv = self._segments()
        boundary = np.zeros((self.ny, self.nx), dtype=bool)
        cols: list[np.ndarray] = []
        rows: list[np.ndarray] = []

        def mark(u: np.ndarray, v: np.ndarray, du: tuple, dv: tuple) -> None:
            for eu in du:
                for ev in dv:
                    cols.append(np.floor(u + eu).astype(np.int64))
                    rows.append(np.floor(v + ev).astype(np.int64))

        both = (-_EPS, _EPS)
        mark(au, av, both, both)
        mark(bu, bv, both, both)
        for a, b, c, d, transpose in ((au, bu, av, bv, False), (av, bv, au, bu, True)):
            # Crossings of the lines a = k (vertical lines when not transposed).
            lo, hi = np.minimum(a, b), np.maximum(a, b)
            k_first = np.ceil(lo)
            count = (np.floor(hi) - k_first + 1).astype(np.int64)
            count[(count < 0) | (a == b)] = 0
            seg = np.repeat(np.arange(len(a)), count)
            if len(seg) == 0:
                continue
            starts = np.cumsum(count) - count
            k = k_first[seg] + (np.arange(len(seg)) - np.repeat(starts, count))
            t = (k - a[seg]) / (b[seg] - a[seg])
            other = c[seg] + t * (d[seg] - c[seg])
            if transpose:
                mark(other, k, both, (-0.5, 0.5))
            else:
                mark(k, other, (-0.5, 0.5), both)
        col = np.concatenate(cols)
        row = np.concatenate(rows)
        ok = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        boundary[row[ok], col[ok]] = True
        return boundary

    def _label_clean_cells(self, boundary: np.ndarray) -> np.ndarray:
        """Label clean cells with their one grid (or -1); boundary and overlap cells -2.

        A run of clean cells along a row touches no boundary, so all its points are
        covered by the same set of grids: one point test at the run's first cell decides.
        """
        flat = boundary.ravel()
        clean = ~flat
        start = clean.copy()
        start[1:] &= flat[:-1]
        start[:: self.nx] = clean[:: self.nx]  # a new row starts a new run
        run_of_cell = np.cumsum(start) - 1
        first = np.flatnonzero(start)
        cx = self.x0 + ((first % self.nx) + 0.5) * self.cell
        cy = self.y0 + ((first // self.nx) + 0.5) * self.cell
        run_idx, grid_idx = self.tree.query(shapely.points(cx, cy), predicate="intersects")
        hits = np.bincount(run_idx, minlength=len(first))
        run_label = np.full(len(first), _OUTSIDE, dtype=np.int32)
        run_label[run_idx] = grid_idx
        run_label[hits > 1] = _BOUNDARY  # an overlap: the exact rule decides per point
        labels = np.full(flat.shape, _BOUNDARY, dtype=np.int32)
        labels[clean] = run_label[run_of_cell[clean]]
        return labels

    # -- answering --------------------------------------------------------------------

    def boundary_fraction(self) -> float:
        """The share of raster cells that need exact tests (for tuning and benchmarks)."""
        return float(np.mean(self.labels == _BOUNDARY)) if self.labels.size else 0.0

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The covering grid of each point by the lowest-index rule, or -1."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        out = np.full(len(lon), _OUTSIDE, dtype=np.int64)
        if len(self.polygons) == 0 or len(lon) == 0:
            return out
        col = np.floor((lon - self.x0) / self.cell)
        row = np.floor((lat - self.y0) / self.cell)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)  # NaN → False
        cells = row[inside].astype(np.int64) * self.nx + col[inside].astype(np.int64)
        found = self.labels[cells].astype(np.int64)
        where = np.flatnonzero(inside)
        out[where] = found
        exact = where[found == _BOUNDARY]
        if len(exact):
            out[exact] = _lowest_covering(self.tree, lon[exact], lat[exact])
        return out

    def nearest(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The nearest grid of each point and the distance to it in metres.

        Distances are measured in a local equirectangular projection (longitudes scaled by
        the cosine of the grids' mid-latitude), good to well under 1 % within a country-
        sized area; the metres reported are the haversine distance to the nearest boundary
        point. Equidistant grids: the lowest index wins. Points inside a grid get 0 m.
        """
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        idx = np.full(len(lon), _OUTSIDE, dtype=np.int64)
        dist = np.full(len(lon), np.nan)
        ok = np.isfinite(lon) & np.isfinite(lat)
        if len(self.polygons) == 0 or not ok.any():
            return idx, dist
        scale = self._scale()
        if self._nearest_tree is None:
            scaled = shapely.transform(self.polygons, lambda c: c * np.array([scale, 1.0]))
            self._nearest_tree = shapely.STRtree(scaled)
        where = np.flatnonzero(ok)
        points = shapely.points(lon[where] * scale, lat[where])
        (p_idx, g_idx) = self._nearest_tree.query_nearest(points, all_matches=True)
        best = np.full(len(where), np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, p_idx, g_idx)
        idx[where] = best
        scaled_geoms = self._nearest_tree.geometries.take(best)
        near = shapely.get_coordinates(shapely.shortest_line(points, scaled_geoms))[1::2]
        dist[where] = haversine_m(lon[where], lat[where], near[:, 0] / scale, near[:, 1])
        return idx, dist

    def _scale(self) -> float:
        _, miny, _, maxy = shapely.total_bounds(self.polygons)
        return max(math.cos(math.radians((miny + maxy) / 2)), 1e-6)


def haversine_m(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres between arrays of WGS-84 points."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def locate(polygons, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Build an index and locate the points in one call (the benchmark's "our core")."""
    return PointIndex(polygons).locate(lon, lat)
