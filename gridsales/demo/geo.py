"""Geometry for the demo: split a district into grids, scatter points inside polygons.

Framework-free (shapely only) so it can be tested and reasoned about on its own. All
coordinates are WGS-84 longitude/latitude in degrees.
"""

from __future__ import annotations

import math
import random

import shapely
from shapely.geometry.base import BaseGeometry

# People's Square (人民广场), the conventional centre of Shanghai.
CITY_CENTRE = (121.4737, 31.2304)
KM_PER_DEGREE = 111.32
# Grid boundaries and customer coordinates are stored at this precision (about 0.1 m).
DECIMALS = 6


def area_km2(geom: BaseGeometry) -> float:
    """Approximate area in km²: degrees scaled at the geometry's own latitude.

    Good to a fraction of a percent at city scale, which is all the demo needs to weight
    grids; it saves a projection library.
    """
    lat = geom.centroid.y
    return geom.area * KM_PER_DEGREE**2 * math.cos(math.radians(lat))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance between two lon/lat points, in km."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = (a[0] - b[0]) * math.cos(mean_lat)
    dy = a[1] - b[1]
    return math.hypot(dx, dy) * KM_PER_DEGREE


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts of `geom` (clipping can leave stray lines and points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if len(parts) == 1:
        return parts[0]
    return shapely.MultiPolygon(parts)


def sample_points(
    geom: BaseGeometry,
    n: int,
    rnd: random.Random,
    decimals: int | None = DECIMALS,
) -> list[tuple[float, float]]:
    """`n` uniformly random points strictly inside `geom` (rejection sampling).

    Points are rounded *before* the inside test, so a stored, rounded coordinate is
    guaranteed to lie inside the polygon, not just the unrounded draw.
    """
    if n <= 0:
        return []
    shapely.prepare(geom)
    minx, miny, maxx, maxy = geom.bounds
    # Draw in batches sized by the polygon's fill of its bounding box, so thin or
    # island-rich shapes need few rounds and compact ones draw little waste.
    fill = max(geom.area / max((maxx - minx) * (maxy - miny), 1e-12), 0.05)
    points: list[tuple[float, float]] = []
    while len(points) < n:
        batch = int((n - len(points)) / fill * 1.2) + 8
        xs = [rnd.uniform(minx, maxx) for _ in range(batch)]
        ys = [rnd.uniform(miny, maxy) for _ in range(batch)]
        if decimals is not None:
            xs = [round(x, decimals) for x in xs]
            ys = [round(y, decimals) for y in ys]
        inside = shapely.contains_xy(geom, xs, ys)
        points.extend((x, y) for x, y, ok in zip(xs, ys, inside, strict=True) if ok)
    return points[:n]


def split_polygon(
    geom: BaseGeometry, n: int, rnd: random.Random, iterations: int = 12
) -> list[BaseGeometry]:
    """Split `geom` into `n` compact parts of similar area (a centroidal Voronoi tessellation).

    Random seeds inside the polygon are moved to the centroids of their clipped Voronoi
    cells a few times (Lloyd's algorithm), which evens out the areas and rounds the
    shapes, as a planner drawing grids by hand would. The work is done in a plane
    stretched by cos(latitude) so cells are compact in kilometres, not degrees. The parts
    are sorted north to south, then west to east, so their numbering reads like a map.
    """
    if n <= 1:
        return [geom]
    kx = math.cos(math.radians(geom.centroid.y))

    def to_plane(g):
        return shapely.transform(g, lambda c: c * [kx, 1.0])

    def from_plane(g):
        return shapely.transform(g, lambda c: c / [kx, 1.0])

    plane = to_plane(geom)
    shapely.prepare(plane)
    minx, miny, maxx, maxy = plane.bounds
    pad = max(maxx - minx, maxy - miny)
    envelope = shapely.box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    seeds = shapely.points([(x * kx, y) for x, y in sample_points(geom, n, rnd, decimals=None)])

    def cells_for(points):
        diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=envelope)
        return shapely.intersection(shapely.get_parts(diagram), plane)

    for _ in range(iterations):
        clipped = cells_for(seeds)
        centroids = shapely.centroid(clipped)
        # A centroid can fall outside a concave or island-rich district, where its cell
        # would clip to nothing; fall back to a point on the cell's surface.
        outside = ~shapely.contains(plane, centroids)
        centroids[outside] = shapely.point_on_surface(clipped[outside])
        seeds = centroids

    parts = [
        polygonal(shapely.set_precision(from_plane(cell), 10**-DECIMALS))
        for cell in cells_for(seeds)
    ]
    parts = [p for p in parts if not p.is_empty]
    parts.sort(key=lambda p: (-round(p.centroid.y, 3), p.centroid.x))
    return parts
