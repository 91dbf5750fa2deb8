"""`gridsales bench targets`: the split of 10,000 grids × all periods, and saving it.

1. Core: a company → `--regions` regions → `--areas` areas each → `--grids` grids in
   total (10,000 by default: 10 × 10 × 100), references random, a few locks and max
   bounds; `split_tree` plus the year → quarters, months, all ISO weeks of every unit
   (working days, 调休). Best of `--repeat`. Target ≤ 2 s.
2. Save (`--save`, on by default): a child process on a scratch SQLite database (a
   temporary GRIDSALES_VAR_DIR, or `--database-url`) with the same tree as Grid rows;
   times `target_plan_split()` — load grids and inputs, split, write the version and every
   cell. Target ≤ 10 s.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

SEASONALITY = [8, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 9]


def tree(regions: int, areas: int, grids: int, seed: int):
    """(code, parent code, reference, lock, max) rows: company, regions, areas, grids."""
    rng = random.Random(seed)
    rows = [("HQ", None, None, None, None)]
    per_area = max(1, grids // (regions * areas))
    for r in range(regions):
        rows.append((f"R{r:02d}", "HQ", None, None, None))
        for a in range(areas):
            area = f"R{r:02d}-A{a:02d}"
            rows.append((area, f"R{r:02d}", None, None, None))
            for g in range(per_area):
                lock = Decimal("50000.00") if g == 0 and a % 10 == 0 else None
                cap = Decimal("200000.00") if g == 1 else None
                rows.append((f"{area}-G{g:03d}", area, Decimal(rng.randint(0, 10**6)), lock, cap))
    return rows


class TargetsBench:
    help = "Target split of 10,000 grids over every period; saving the plan to SQLite"

    def add_arguments(self, parser):
        parser.add_argument("--regions", type=int, default=10)
        parser.add_argument("--areas", type=int, default=10, help="areas per region")
        parser.add_argument("--grids", type=int, default=10_000, help="grids in total")
        parser.add_argument("--total", default="1200000000.00")
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--no-save", action="store_true")
        parser.add_argument("--database-url", default="")
        parser.add_argument("--save-worker", action="store_true", help="(internal)")

    def run(self, options, out):
        if options["save_worker"]:
            return self.save_worker(options, out)
        self.core(options, out)
        if not options["no_save"]:
            self.save(options, out)

    def core(self, options, out):
        from gridsales.targets.decompose import Unit, split_tree
        from gridsales.targets.periods import PeriodPlan

        rows = tree(options["regions"], options["areas"], options["grids"], options["seed"])
        units = [Unit(c, p, reference=ref, lock=lock, max=cap) for c, p, ref, lock, cap in rows]
        best = float("inf")
        cells = 0
        for _ in range(options["repeat"]):
            start = time.perf_counter()
            split = split_tree(total=Decimal(options["total"]), units=units, method="reference")
            plan = PeriodPlan(year=options["year"], seasonality=SEASONALITY)
            cells = 0
            for fen in split.amounts.values():
                periods = plan.split(fen)
                cells += 1 + len(periods.quarters) + len(periods.months) + len(periods.weeks)
            best = min(best, time.perf_counter() - start)
        out(
            f"core: {len(units):,} units, {cells:,} cells (year, quarters, months, "
            f"{len(plan.week_keys)} weeks): best of {options['repeat']} {best:.3f} s "
            f"(target ≤ 2 s: {'OK' if best <= 2 else 'MISSED'})"
        )

    def save(self, options, out):
        env = dict(os.environ)
        cli = [sys.executable, "-m", "gridsales.cli"]
        args = [
            "--regions", str(options["regions"]), "--areas", str(options["areas"]),
            "--grids", str(options["grids"]), "--total", options["total"],
            "--year", str(options["year"]), "--seed", str(options["seed"]),
        ]  # fmt: skip
        with tempfile.TemporaryDirectory() as tmp:
            if options["database_url"]:
                env["DATABASE_URL"] = options["database_url"]
            else:
                env.pop("DATABASE_URL", None)
                env["GRIDSALES_VAR_DIR"] = tmp
            subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
            subprocess.run([*cli, "bench", "targets", "--save-worker", *args], env=env, check=True)

    def save_worker(self, options, out):
        from django.db import connection

        from gridsales.grids.models import Grid
        from gridsales.targets import services
        from gridsales.targets.models import TargetPlan, TargetUnitInput

        rows = tree(options["regions"], options["areas"], options["grids"], options["seed"])
        _insert_grids(rows)
        plan = TargetPlan.objects.create(
            code="BENCH",
            name="bench",
            year=options["year"],
            total=Decimal(options["total"]),
            level_methods=["reference"],
            reference_source="market_potential",
            seasonality=SEASONALITY,
        )
        ids = dict(Grid.objects.values_list("code", "pk"))
        TargetUnitInput.objects.bulk_create(
            TargetUnitInput(plan=plan, grid_id=ids[c], reference=ref, lock=lock, max_amount=cap)
            for c, _p, ref, lock, cap in rows
            if ref is not None
        )
        start, cpu = time.perf_counter(), time.process_time()
        version = services.target_plan_split(plan=plan)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        # CPU time too: on a shared machine the wall time includes waiting for a core.
        out(
            f"save ({connection.vendor}): {version.parameters['units']:,} units, "
            f"{version.lines.count():,} rows in {took:.2f} s (CPU {cpu:.2f} s) "
            f"(target ≤ 10 s: {'OK' if took <= 10 else 'MISSED'})"
        )


def _insert_grids(rows) -> None:
    """The tree as Grid rows, paths computed here (a bulk load, not the per-grid service)."""
    from gridsales.grids.models import Grid

    pks: dict[str, int] = {}
    paths: dict[str, str] = {}
    objects = []
    for pk, (code, parent, *_rest) in enumerate(rows, start=1):
        pks[code] = pk
        path = (paths[parent] if parent else "/") + f"{pk}/"
        paths[code] = path
        depth = path.count("/") - 2
        objects.append(
            Grid(
                pk=pk,
                code=code,
                name=code,
                parent_id=pks.get(parent),
                path=path,
                depth=depth,
                is_leaf=depth == 3,
                level=["company", "region", "area", "grid"][depth],
            )
        )
    Grid.objects.bulk_create(objects, batch_size=2000)


BENCHES = {"targets": TargetsBench()}
