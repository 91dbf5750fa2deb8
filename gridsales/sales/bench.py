"""`gridsales bench import-orders [--lines N]`: the order import at scale.

Inside a transaction that is rolled back (the database is left as it was): makes 20 grids,
--customers customers, --products products and --reps reps (half of the file names them by
employee number), writes N order lines (default 100,000; 1–5 lines per order, a few
cancelled and returned lines, Chinese status labels) as a GBK CSV in a temporary file, then
times the dry run (decode + validate), the import (validate + bulk write) and a re-import
of the same file (every line unchanged), in lines per second. Results go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.db import transaction

STATUSES = ["已确认"] * 18 + ["已取消", "已退货"]


class _Rollback(Exception):
    pass


def make_reference_data(customers: int, products: int, reps: int) -> dict:
    """Grids, customers, products and reps for the file (bulk; no history rows, so each
    customer's grid on any date is its current grid)."""
    from gridsales.accounts.choices import Role
    from gridsales.accounts.models import User
    from gridsales.customers.models import Customer
    from gridsales.grids.services import grid_create
    from gridsales.sales.models import Product
    from gridsales.team.models import RepProfile

    root = grid_create(code="BENCH-ROOT", name="基准测试", level="region")
    grids = [
        grid_create(code=f"BENCH-G{i:02d}", name=f"基准网格{i}", parent=root, level="grid")
        for i in range(20)
    ]
    users = User.objects.bulk_create(
        User(username=f"bench-rep{i}", display_name=f"基准员{i}", role=Role.REP)
        for i in range(reps)
    )
    RepProfile.objects.bulk_create(
        RepProfile(user=user, employee_no=f"E{90000 + i}") for i, user in enumerate(users)
    )
    Customer.objects.bulk_create(
        (
            Customer(code=f"BC{i:06d}", name=f"基准客户{i}", current_grid=grids[i % 20])
            for i in range(customers)
        ),
        batch_size=2000,
    )
    Product.objects.bulk_create(
        Product(code=f"BP{i:05d}", name=f"基准产品{i}", list_price=Decimal("9.90"))
        for i in range(products)
    )
    return {"customers": customers, "products": products, "reps": reps}


def order_csv(lines: int, customers: int, products: int, reps: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    header = (
        "order_no,line_no,order_date,customer_code,rep,product_code,quantity,unit_price,"
        "discount,amount,status,returned_amount,return_date"
    )
    out = [header]
    start = dt.date(2025, 1, 1)
    written = order = 0
    while written < lines:
        order += 1
        day = start + dt.timedelta(days=rng.randrange(365))
        customer = f"BC{rng.randrange(customers):06d}"
        r = rng.randrange(reps)
        rep = f"bench-rep{r}" if r % 2 else f"E{90000 + r}"
        for line_no in range(1, min(rng.randint(1, 5), lines - written) + 1):
            quantity = rng.randint(1, 20)
            price = Decimal(rng.randint(100, 99999)) / 100
            discount = Decimal(rng.randint(0, 500)) / 100
            amount = quantity * price - discount
            if amount < 0:
                discount, amount = Decimal("0"), quantity * price
            status = rng.choice(STATUSES)
            returned = back = ""
            if status == "已退货":
                returned = f"{(amount / 2).quantize(Decimal('0.01'))}"
                back = (day + dt.timedelta(days=7)).isoformat()
            out.append(
                f"SO{order:08d},{line_no},{day.isoformat()},{customer},{rep},"
                f"BP{rng.randrange(products):05d},{quantity},{price},{discount},{amount},"
                f"{status},{returned},{back}"
            )
            written += 1
    return ("\n".join(out) + "\n").encode("gbk")


class ImportOrdersBench:
    help = "Order import of N lines from a GBK CSV: dry run, import, unchanged re-import."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=100_000)
        parser.add_argument("--customers", type=int, default=5_000)
        parser.add_argument("--products", type=int, default=500)
        parser.add_argument("--reps", type=int, default=60)

    def run(self, options, out):
        from gridsales.core.io.runner import run_import

        n = options["lines"]
        try:
            with transaction.atomic():
                counts = make_reference_data(
                    options["customers"], options["products"], options["reps"]
                )
                data = order_csv(n, **counts)
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / "orders.csv"
                    path.write_bytes(data)
                    out(f"{n:,} lines, {len(data) / 1e6:.1f} MB GBK ({path.name})")
                    for label, dry_run in (
                        ("dry run (validate)", True),
                        ("import (validate + write)", False),
                        ("re-import (unchanged)", False),
                    ):
                        started, cpu = time.perf_counter(), time.process_time()
                        report = run_import(
                            "orders",
                            user=None,
                            data=path.read_bytes(),
                            file_name="orders.csv",
                            dry_run=dry_run,
                        )
                        seconds = time.perf_counter() - started
                        cpu = time.process_time() - cpu
                        out(
                            f"{label}: {seconds:.1f} s, {n / seconds:,.0f} lines/s "
                            f"(this process's CPU: {cpu:.1f} s; {report.summary()})"
                        )
                        if report.errors:
                            out(f"  first error: {report.errors[0]}")
                raise _Rollback
        except _Rollback:
            pass


BENCHES = {"import-orders": ImportOrdersBench()}
