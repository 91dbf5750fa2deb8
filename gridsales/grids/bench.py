"""`gridsales bench assign`: the assignment core against the plain ways, and end to end.

1. Core: a Voronoi tiling of `--grids` cells clipped to a box around Shanghai and
   `--customers` uniform random points; from the same numpy arrays, one grid per customer
   (lowest index among covering grids) by (a) shapely.points + STRtree.query(intersects),
   (b) GeoPandas points_from_xy + sjoin (skipped when geopandas is not installed: `pip
   install -e .[bench]`), (c) our core (index build included). Best of `--repeat` runs;
   (c) must equal (a) exactly; target: ours ≤ 0.5 × the faster baseline.
2. End to end (`--e2e`): a child process on a scratch SQLite database (a temporary
   GRIDSALES_VAR_DIR, or `--database-url`) with the same grids and customers, timing
   `customers_assign()` — read customers, assign, write changed assignments and history.
   Target: ≤ 30 s for 1,000,000 customers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import shapely

BOX = (121.0, 30.7, 122.0, 31.5)


def tiling(n_grids: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    box = shapely.box(*BOX)
    seeds = shapely.points(
        rng.uniform(BOX[0], BOX[2], n_grids), rng.uniform(BOX[1], BOX[3], n_grids)
    )
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    return shapely.intersection(cells, box)


def customers(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return rng.uniform(BOX[0], BOX[2], n), rng.uniform(BOX[1], BOX[3], n)


def _best(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def strtree_way(polygons, lon, lat) -> np.ndarray:
    tree = shapely.STRtree(polygons)
    point_idx, grid_idx = tree.query(shapely.points(lon, lat), predicate="intersects")
    out = np.full(len(lon), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, point_idx, grid_idx)
    out[out == np.iinfo(np.int64).max] = -1
    return out


def geopandas_way(polygons, lon, lat) -> np.ndarray:
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat))
    grids = gpd.GeoDataFrame({"grid": np.arange(len(polygons))}, geometry=list(polygons))
    joined = gpd.sjoin(points, grids, how="left", predicate="intersects")
    best = joined["grid"].groupby(level=0).min()
    return best.fillna(-1).astype(np.int64).reindex(range(len(lon)), fill_value=-1).to_numpy()


class AssignBench:
    help = "Customer-to-grid assignment: our core vs STRtree and GeoPandas; end to end on SQLite"

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1_000_000)
        parser.add_argument("--grids", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--e2e", action="store_true", help="also run end to end on SQLite")
        parser.add_argument("--skip-core", action="store_true")
        parser.add_argument("--database-url", default="", help="end to end on this database")
        parser.add_argument("--e2e-worker", action="store_true", help="(internal)")

    def run(self, options, out):
        if options["e2e_worker"]:
            return self.e2e_worker(options, out)
        if not options["skip_core"]:
            self.core(options, out)
        if options["e2e"]:
            self.e2e(options, out)

    def core(self, options, out):
        from gridsales.grids.spatial import PointIndex

        polygons = tiling(options["grids"], options["seed"])
        lon, lat = customers(options["customers"], options["seed"])
        repeat = options["repeat"]
        out(f"dataset: {len(polygons):,} Voronoi grids, {len(lon):,} customers, box {BOX}")
        t_tree, reference = _best(lambda: strtree_way(polygons, lon, lat), repeat)
        out(f"(a) shapely.points + STRtree.query(intersects): {t_tree:.3f} s")
        baselines = [t_tree]
        try:
            import geopandas  # noqa: F401
        except ImportError:
            out("(b) GeoPandas sjoin: skipped (pip install -e .[bench] installs geopandas)")
        else:
            t_gpd, by_gpd = _best(lambda: geopandas_way(polygons, lon, lat), repeat)
            same = np.array_equal(by_gpd, reference)
            out(f"(b) GeoPandas points_from_xy + sjoin: {t_gpd:.3f} s (same answer: {same})")
            baselines.append(t_gpd)
        t_build, index = _best(lambda: PointIndex(polygons), repeat)
        t_query, _ = _best(lambda: index.locate(lon, lat), repeat)
        t_ours, ours = _best(lambda: PointIndex(polygons).locate(lon, lat), repeat)
        exact = np.array_equal(ours, reference)
        out(
            f"(c) ours, build + locate: {t_ours:.3f} s (build {t_build:.3f} s, locate "
            f"{t_query:.3f} s; {index.nx}×{index.ny} cells, "
            f"{index.boundary_fraction():.1%} boundary)"
        )
        out(f"identical to the exact answer: {exact}")
        ratio = t_ours / min(baselines)
        out(f"ratio ours / faster baseline: {ratio:.3f} (target ≤ 0.5)")
        if not exact:
            raise SystemExit("our core disagrees with the exact answer")

    def e2e(self, options, out):
        env = dict(os.environ)
        with tempfile.TemporaryDirectory(prefix="gridsales-bench-") as tmp:
            if options["database_url"]:
                env["DATABASE_URL"] = options["database_url"]
            else:
                env.pop("DATABASE_URL", None)
                env["GRIDSALES_VAR_DIR"] = tmp
            cli = [sys.executable, "-m", "gridsales.cli"]
            out("end to end: migrating a scratch database…")
            subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
            args = ["--customers", str(options["customers"]), "--grids", str(options["grids"])]
            args += ["--seed", str(options["seed"])]
            subprocess.run([*cli, "bench", "assign", "--e2e-worker", *args], env=env, check=True)

    def e2e_worker(self, options, out):
        from django.db import connection

        from gridsales.grids.assignment import customers_assign

        start = time.perf_counter()
        polygons = tiling(options["grids"], options["seed"])
        lon, lat = customers(options["customers"], options["seed"])
        _insert_grids(polygons)
        _insert_customers(lon, lat)
        out(
            f"end to end on {connection.vendor} ({connection.settings_dict['NAME']}): "
            f"{len(polygons):,} grids, {len(lon):,} customers inserted in "
            f"{time.perf_counter() - start:.1f} s (not timed)"
        )
        runs = [
            ("first run (every customer placed)", None),
            ("second run (nothing changes)", None),
            ("third run (10% of the customers relocated)", _shift_some_customers),
        ]
        for label, before in runs:
            if before is not None:
                before(len(lon), options["seed"])
            stages = _StageClock()
            summary = customers_assign(progress=stages)
            seconds = time.perf_counter() - stages.start
            out(
                f"{label}: {seconds:.1f} s ({stages}) — newly assigned "
                f"{summary.newly_assigned:,}, moved {summary.moved:,}, unchanged "
                f"{summary.unchanged:,}, outside {summary.outside:,} (target ≤ 30 s)"
            )


class _StageClock:
    """A progress callback that notes when each stage of customers_assign ends."""

    def __init__(self):
        self.start = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.last
        self.last = now

    def __str__(self) -> str:
        return ", ".join(f"{k} {v:.1f} s" for k, v in self.stages.items())


def _insert_grids(polygons) -> None:
    from gridsales.grids.choices import GridLevel
    from gridsales.grids.models import Grid
    from gridsales.grids.services import grid_create

    root = grid_create(code="BENCH", name="Bench", level=GridLevel.COMPANY)
    bounds = shapely.bounds(polygons)
    leaves = [
        Grid(
            code=f"B{i:05d}",
            name=f"Bench {i}",
            parent=root,
            path="/",
            depth=1,
            geometry=json.loads(shapely.to_geojson(polygon)),
            min_lng=b[0],
            min_lat=b[1],
            max_lng=b[2],
            max_lat=b[3],
        )
        for i, (polygon, b) in enumerate(zip(polygons, bounds, strict=True))
    ]
    Grid.objects.bulk_create(leaves, batch_size=500)
    created = list(Grid.objects.filter(parent=root).only("pk", "path"))
    for grid in created:
        grid.path = f"{root.path}{grid.pk:08d}/"
    Grid.objects.bulk_update(created, ["path"], batch_size=500)
    Grid.objects.filter(pk=root.pk).update(is_leaf=False)


def _insert_customers(lon, lat) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from gridsales.customers.models import Customer

    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    table = Customer._meta.db_table
    sql = (
        f"INSERT INTO {table} (code, name, type, industry, tier, tags, address, lat, lng, "
        "source_crs, status, assignment_reason, grid_pinned, created_at, updated_at) VALUES "
        "(%s, %s, 'enterprise', '', 'C', '[]', '', %s, %s, 'wgs84', 'lead', '', %s, %s, %s)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(lon), 100_000):
            rows = [
                (f"C{i:07d}", f"客户{i}", float(lat[i]), float(lon[i]), False, stamp, stamp)
                for i in range(start, min(start + 100_000, len(lon)))
            ]
            cursor.executemany(sql, rows)


def _shift_some_customers(n: int, seed: int) -> None:
    from django.db import connection, transaction

    from gridsales.customers.models import Customer

    rng = np.random.default_rng(seed + 2)
    ids = Customer.objects.order_by("pk").values_list("pk", flat=True)[:1]
    first = ids[0]
    chosen = rng.choice(n, size=n // 10, replace=False) + first
    lon, lat = customers(n // 10, seed + 3)
    table = Customer._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET lng = %s, lat = %s WHERE id = %s",
            [(float(x), float(y), int(i)) for x, y, i in zip(lon, lat, chosen, strict=True)],
        )


BENCHES = {"assign": AssignBench()}
