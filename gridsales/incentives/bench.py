"""`gridsales bench incentives`: a commission run of one month on SQLite.

1,000,000 order lines (`--lines`) of 2,000 reps (`--reps`) in March 2026, marginal tiers on
attainment with category multipliers, bonuses and a cap; 2 % of the lines returned in the
same month and a further 10,000 February lines returned in March (clawbacks). A child
process builds a scratch SQLite database (a temporary GRIDSALES_VAR_DIR, or
`--database-url`), loads the data with SQL (not timed), then times
`commission_run_calculate()`: read the facts and targets, calculate, write every statement
and statement line. Target ≤ 10 s.
"""

from __future__ import annotations

import datetime
import os
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

PLAN = {
    "name": "bench",
    "tier_basis": "attainment",
    "tier_mode": "marginal",
    "tiers": [
        {"from": "0", "rate": "0.01"},
        {"from": "0.8", "rate": "0.03"},
        {"from": "1.0", "rate": "0.05"},
        {"from": "1.2", "rate": "0.08"},
    ],
    "category_multipliers": {"NEW-PRODUCT": "1.5", "PROMO": "0.5"},
    "bonuses": [
        {"attainment_at_least": "1.0", "amount": "2000.00"},
        {"attainment_at_least": "1.2", "amount": "5000.00"},
    ],
    "cap": "50000.00",
    "clawback_days": 90,
}


class IncentivesBench:
    help = "Commission run: 1,000,000 order lines, 2,000 reps, one month, on SQLite"

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=1_000_000)
        parser.add_argument("--reps", type=int, default=2_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--database-url", default="")
        parser.add_argument("--worker", action="store_true", help="(internal)")

    def run(self, options, out):
        if options["worker"]:
            return self.worker(options, out)
        env = dict(os.environ)
        cli = [sys.executable, "-m", "gridsales.cli"]
        args = ["--lines", str(options["lines"]), "--reps", str(options["reps"])]
        args += ["--seed", str(options["seed"])]
        with tempfile.TemporaryDirectory() as tmp:
            if options["database_url"]:
                env["DATABASE_URL"] = options["database_url"]
            else:
                env.pop("DATABASE_URL", None)
                env["GRIDSALES_VAR_DIR"] = tmp
            subprocess.run([*cli, "migrate", "-v", "0"], env=env, check=True)
            subprocess.run([*cli, "bench", "incentives", "--worker", *args], env=env, check=True)

    def worker(self, options, out):
        from django.db import connection

        from gridsales.incentives import services
        from gridsales.incentives.models import CommissionRun, StatementLine

        started = time.perf_counter()
        if not CommissionRun.objects.exists():  # --database-url may point at loaded data
            _load(options["lines"], options["reps"], options["seed"])
            out(f"data loaded in {time.perf_counter() - started:.1f} s (not timed)")
        for old in CommissionRun.objects.filter(period="2026-03"):
            services._delete_statements(old)  # one DELETE, not a million model deletes
            old.delete()
        run = services.commission_run_create(period="2026-03")
        start, cpu = time.perf_counter(), time.process_time()
        run = services.commission_run_calculate(run=run)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        lines = StatementLine.objects.filter(statement__run=run).count()
        # CPU time too: on a shared machine the wall time includes waiting for a core.
        out(
            f"run ({connection.vendor}): {run.rep_count:,} statements, {lines:,} lines, "
            f"total {run.total} in {took:.2f} s (CPU {cpu:.2f} s) "
            f"(target ≤ 10 s: {'OK' if took <= 10 else 'MISSED'})"
        )


def _insert(model, rows: list[dict]) -> None:
    """Rows as dicts of attnames, written with one executemany (a bulk load)."""
    from django.db import connection

    columns = list(rows[0])
    table = model._meta.db_table
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(r[c] for c in columns) for r in rows])


def _load(n_lines: int, n_reps: int, seed: int) -> None:
    from django.utils import timezone

    from gridsales.accounts.models import User
    from gridsales.customers.models import Customer
    from gridsales.grids.models import Grid
    from gridsales.incentives import services
    from gridsales.sales.models import Order, OrderLine, Product, ProductCategory
    from gridsales.targets.choices import PlanStatus, VersionKind
    from gridsales.targets.models import PeriodKind, TargetLine, TargetPlan, TargetPlanVersion
    from gridsales.team.models import Membership

    rng = random.Random(seed)
    now = timezone.now()
    hq = Grid.objects.create(code="HQ", name="HQ", level="company", path="/1/", depth=0)
    grids = [
        Grid.objects.create(
            code=f"G{i:02d}", name=f"G{i:02d}", level="grid", parent=hq, path=f"/1/{i + 2}/"
        )
        for i in range(20)
    ]
    User.objects.bulk_create(
        User(username=f"rep{i:04d}", password="!", role="rep") for i in range(n_reps)
    )
    reps = list(User.objects.filter(role="rep").order_by("pk").values_list("pk", flat=True))
    Membership.objects.bulk_create(
        Membership(user_id=rep, grid=grids[i % 20], valid_from=datetime.date(2025, 1, 1))
        for i, rep in enumerate(reps)
    )
    Customer.objects.bulk_create(Customer(code=f"C{i:05d}", name=f"C{i}") for i in range(n_reps))
    customers = list(Customer.objects.order_by("pk").values_list("pk", flat=True))
    categories = [
        ProductCategory.objects.create(code=code, name=code)
        for code in ("STD", "NEW-PRODUCT", "PROMO")
    ]
    products = [
        Product.objects.create(code=f"P{i}", name=f"P{i}", category=categories[i % 3])
        for i in range(9)
    ]
    per_order = 4
    orders, lines = [], []
    # March, and 10,000 February lines returned in March (clawbacks).
    plan = [(datetime.date(2026, 3, 1), n_lines, 0.02), (datetime.date(2026, 2, 1), 10_000, 1.0)]
    order_id = 0
    for first, count, return_share in plan:
        for start in range(0, count, per_order):
            order_id += 1
            i = rng.randrange(n_reps)
            day = first + datetime.timedelta(days=rng.randrange(28))
            orders.append(
                {
                    "id": order_id,
                    "number": f"SO{order_id:07d}",
                    "order_date": day,
                    "customer_id": customers[i],
                    "rep_id": reps[i],
                    "grid_id": grids[i % 20].pk,
                    "status": "confirmed",
                    "amount": "0",
                    "returned_amount": "0",
                    "currency": "CNY",
                    "source": "import",
                    "note": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            for line_no in range(1, min(per_order, count - start) + 1):
                price = Decimal(rng.randrange(1000, 600000)) / 100
                returned = rng.random() < return_share
                back = (price / 2).quantize(Decimal("0.01")) if returned else Decimal("0")
                lines.append(
                    {
                        "order_id": order_id,
                        "line_no": line_no,
                        "product_id": products[rng.randrange(9)].pk,
                        "quantity": "1",
                        "unit_price": str(price),
                        "discount": "0",
                        "amount": str(price),
                        "status": "returned" if returned else "confirmed",
                        "returned_amount": str(back),
                        "return_date": datetime.date(2026, 3, 28) if returned else None,
                        "order_date": day,
                        "customer_id": customers[i],
                        "grid_id": grids[i % 20].pk,
                        "rep_id": reps[i],
                    }
                )
    _insert(Order, orders)
    for chunk in range(0, len(lines), 200_000):
        _insert(OrderLine, lines[chunk : chunk + 200_000])
    target_plan = TargetPlan.objects.create(
        code="BENCH",
        name="bench",
        year=2026,
        total=Decimal("1"),
        level_methods=["reference"],
        seasonality=[],
        status=PlanStatus.APPROVED,
    )
    version = TargetPlanVersion.objects.create(
        plan=target_plan, number=1, kind=VersionKind.IMPORT, total=Decimal("1")
    )
    # About 1.5 M a month per rep on average: attainment spread around 100 %.
    TargetLine.objects.bulk_create(
        TargetLine(
            version=version,
            grid=grids[i % 20],
            user_id=rep,
            period_kind=PeriodKind.MONTH,
            period=period,
            amount=Decimal(rng.randrange(40, 200)) * 10000,
        )
        for i, rep in enumerate(reps)
        for period in ("2026-02", "2026-03")
    )
    incentive_plan = services.incentive_plan_create(
        code="BENCH", name="bench", definition=PLAN, effective_from="2026-01"
    )
    services.plan_assignment_create(plan=incentive_plan, role="rep", valid_from="2026-01")


BENCHES = {"incentives": IncentivesBench()}
