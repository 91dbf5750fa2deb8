"""The assignment core against the brute-force exact answer (no database)."""

import numpy as np
import pytest
import shapely

from gridsales.grids.spatial import PointIndex, haversine_m, locate, locate_exact


def squares(n: int = 4, size: float = 0.1, x0: float = 121.0, y0: float = 31.0):
    """An n×n tiling of squares, row by row."""
    return [
        shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
        for j in range(n)
        for i in range(n)
    ]


def voronoi(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    box = shapely.box(121.0, 30.7, 122.0, 31.5)
    seeds = shapely.multipoints(
        shapely.points(rng.uniform(121.0, 122.0, n), rng.uniform(30.7, 31.5, n))
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box))
    return list(shapely.intersection(cells, box))


def adversarial_points(polygons, rng, jitter: float = 1e-12):
    """Every vertex, every edge midpoint, and both nudged by a hair in each direction."""
    coords = shapely.get_coordinates(shapely.boundary(np.asarray(polygons, dtype=object)))
    mids = (coords[1:] + coords[:-1]) / 2
    pts = np.vstack([coords, mids])
    nudged = [pts + rng.choice([-1, 1], size=pts.shape) * jitter for _ in range(2)]
    pts = np.vstack([pts, *nudged])
    return pts[:, 0], pts[:, 1]


def assert_same_as_exact(polygons, lon, lat, **kwargs):
    fast = PointIndex(polygons, **kwargs).locate(lon, lat)
    exact = locate_exact(polygons, lon, lat)
    assert np.array_equal(fast, exact)
    return fast


@pytest.mark.parametrize("cells_per_grid", [1, 50, 1000])
def test_it_matches_the_exact_answer_on_random_points_in_a_voronoi_tiling(cells_per_grid):
    rng = np.random.default_rng(1)
    polygons = voronoi(200)
    lon, lat = rng.uniform(120.9, 122.1, 50_000), rng.uniform(30.6, 31.6, 50_000)
    found = assert_same_as_exact(polygons, lon, lat, cells_per_grid=cells_per_grid)
    inside = (lon > 121) & (lon < 122) & (lat > 30.7) & (lat < 31.5)
    assert (found[inside] >= 0).all() and (found[~inside] == -1).all()


@pytest.mark.parametrize("cells_per_grid", [1, 64, 1000])
def test_it_matches_the_exact_answer_on_vertices_and_edges(cells_per_grid):
    rng = np.random.default_rng(2)
    for polygons in (voronoi(150, seed=3), squares(6)):
        lon, lat = adversarial_points(polygons, rng)
        assert_same_as_exact(polygons, lon, lat, cells_per_grid=cells_per_grid)


def test_a_point_on_a_shared_border_goes_to_the_lowest_index():
    left, right = shapely.box(121.0, 31.0, 121.1, 31.1), shapely.box(121.1, 31.0, 121.2, 31.1)
    lon, lat = np.array([121.1, 121.1, 121.05]), np.array([31.05, 31.1, 31.0])
    assert list(locate([left, right], lon, lat)) == [0, 0, 0]
    assert list(locate([right, left], lon, lat)) == [0, 0, 1]


def test_a_shared_corner_of_four_squares_goes_to_the_first():
    polygons = squares(2)
    corner = np.array([121.1]), np.array([31.1])
    assert list(locate(polygons, *corner)) == [0]
    assert list(locate(polygons[::-1], *corner)) == [0]


def test_overlapping_grids_resolve_to_the_lowest_index_everywhere_in_the_overlap():
    rng = np.random.default_rng(4)
    a = shapely.box(121.0, 31.0, 121.3, 31.3)
    b = shapely.box(121.2, 31.2, 121.5, 31.5)
    lon, lat = rng.uniform(120.9, 121.6, 20_000), rng.uniform(30.9, 31.6, 20_000)
    for polygons in ([a, b], [b, a]):
        found = assert_same_as_exact(polygons, lon, lat, cells_per_grid=500)
        overlap = (lon >= 121.2) & (lon <= 121.3) & (lat >= 31.2) & (lat <= 31.3)
        assert overlap.sum() > 100 and (found[overlap] == 0).all()


def test_holes_and_multipolygons():
    rng = np.random.default_rng(5)
    donut = shapely.Polygon(
        [(121.0, 31.0), (121.4, 31.0), (121.4, 31.4), (121.0, 31.4)],
        holes=[[(121.1, 31.1), (121.3, 31.1), (121.3, 31.3), (121.1, 31.3)]],
    )
    islands = shapely.MultiPolygon(
        [shapely.box(121.15, 31.15, 121.2, 31.2), shapely.box(121.6, 31.0, 121.7, 31.1)]
    )
    polygons = [donut, islands]
    lon, lat = rng.uniform(120.9, 121.8, 30_000), rng.uniform(30.9, 31.5, 30_000)
    found = assert_same_as_exact(polygons, lon, lat, cells_per_grid=300)
    in_hole = (lon > 121.1) & (lon < 121.3) & (lat > 31.1) & (lat < 31.3)
    on_island = (lon > 121.15) & (lon < 121.2) & (lat > 31.15) & (lat < 31.2)
    assert set(found[in_hole & ~on_island]) == {-1}
    assert set(found[on_island]) == {1}
    ex, ey = adversarial_points(polygons, rng)
    assert_same_as_exact(polygons, ex, ey, cells_per_grid=300)


def test_points_without_coordinates_and_no_grids_give_minus_one():
    lon, lat = np.array([np.nan, 121.05]), np.array([np.nan, 31.05])
    assert list(locate(squares(1), lon, lat)) == [-1, 0]
    assert list(locate([], lon, lat)) == [-1, -1]


def test_nearest_grid_and_distance_in_metres():
    polygons = squares(2)  # 121.0–121.2 × 31.0–31.2
    index = PointIndex(polygons)
    lon, lat = np.array([121.3, 121.05, 120.95]), np.array([31.05, 31.05, 31.15])
    grid, metres = index.nearest(lon, lat)
    assert list(grid) == [1, 0, 2]
    # 0.1° of longitude at 31.05° N is about 9.53 km.
    assert metres[0] == pytest.approx(haversine_m(121.3, 31.05, 121.2, 31.05), rel=1e-9)
    assert 9_400 < metres[0] < 9_600
    assert metres[1] == 0
    assert 4_700 < metres[2] < 4_800


def test_nearest_ties_go_to_the_lowest_index():
    polygons = [shapely.box(121.2, 31.0, 121.3, 31.1), shapely.box(121.0, 31.0, 121.1, 31.1)]
    grid, _ = PointIndex(polygons).nearest(np.array([121.15]), np.array([31.05]))
    assert list(grid) == [0]


@pytest.mark.parametrize("seed", range(5))
def test_random_overlapping_triangles_with_points_on_every_vertex_and_edge(seed):
    rng = np.random.default_rng(100 + seed)
    polygons = []
    for _ in range(40):
        x, y = rng.uniform(121.0, 121.5), rng.uniform(31.0, 31.5)
        pts = [(x + dx, y + dy) for dx, dy in rng.uniform(-0.08, 0.08, size=(3, 2))]
        polygon = shapely.Polygon(pts)
        if polygon.is_valid and polygon.area > 0:
            polygons.append(polygon)
    lon, lat = adversarial_points(polygons, rng, jitter=1e-13)
    lon = np.concatenate([lon, rng.uniform(120.9, 121.6, 20_000)])
    lat = np.concatenate([lat, rng.uniform(30.9, 31.6, 20_000)])
    for cells_per_grid in (3, 200, 5000):
        assert_same_as_exact(polygons, lon, lat, cells_per_grid=cells_per_grid)


def test_points_on_grid_lines_of_the_raster_itself():
    """Points exactly on raster cell edges and corners, next to polygon edges on them."""
    polygons = squares(4, size=0.125)  # edges at exact binary fractions
    index = PointIndex(polygons, cells_per_grid=16)
    xs = index.x0 + np.arange(index.nx + 1) * index.cell
    ys = index.y0 + np.arange(index.ny + 1) * index.cell
    lon, lat = (a.ravel() for a in np.meshgrid(xs, ys))
    assert np.array_equal(index.locate(lon, lat), locate_exact(polygons, lon, lat))


def test_a_single_thin_grid():
    sliver = [shapely.box(121.0, 31.0, 121.5, 31.0000001)]
    lon = np.array([121.2, 121.2, 121.2])
    lat = np.array([31.00000005, 31.0000001, 31.0000002])
    assert list(locate(sliver, lon, lat)) == [0, 0, -1]
