"""`gridsales bench import-customers [--rows N]`: the customer import at scale.

Builds a GBK CSV of N customers (seeded; Chinese names, addresses and status labels, points
around Shanghai) in memory, then times on the configured database: the dry run (decode +
validate every row), the real import (validate, bulk write, assignment) inside a
transaction that is rolled back, so the database is left as it was. Measured numbers go
to docs/benchmarks.md.
"""

from __future__ import annotations

import random
import time

from django.db import transaction

STATUSES = ["线索", "潜在客户", "活跃客户", "lead", "active"]


def gbk_csv(rows: int, seed: int = 3) -> bytes:
    rng = random.Random(seed)
    lines = ["code,name,lat,lng,type,industry,tier,status,tags,address,owner"]
    for i in range(rows):
        lat = 31.0 + rng.random() * 0.5
        lng = 121.2 + rng.random() * 0.6
        lines.append(
            f"BENCH{i:07d},上海测试客户{i}有限公司,{lat:.6f},{lng:.6f},enterprise,制造业,"
            f'{rng.choice("ABCD")},{rng.choice(STATUSES)},"重点,新客户",上海市浦东新区测试路{i}号,'
        )
    return ("\n".join(lines) + "\n").encode("gbk")


class ImportCustomersBench:
    help = "Customer import from a GBK CSV: dry run and a rolled-back real import."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)

    def run(self, options, out):
        from gridsales.core.io.runner import run_import

        data = gbk_csv(options["rows"])
        out(f"{options['rows']:,} rows, {len(data) / 1e6:.1f} MB GBK")
        started = time.perf_counter()
        report = run_import("customers", user=None, data=data, file_name="b.csv", dry_run=True)
        out(f"dry run: {time.perf_counter() - started:.1f} s ({report.summary()})")
        started = time.perf_counter()
        with transaction.atomic():
            report = run_import("customers", user=None, data=data, file_name="b.csv")
            elapsed = time.perf_counter() - started
            transaction.set_rollback(True)
        out(f"import (rolled back): {elapsed:.1f} s ({report.summary()})")


BENCHES = {"import-customers": ImportCustomersBench()}
