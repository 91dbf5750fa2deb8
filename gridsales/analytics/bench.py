"""`gridsales bench kpi [--lines N]`: the KPI API at scale, against DuckDB on the raw lines.

Inside a transaction that is rolled back (the database is left as it was): makes a tree of
--grids leaf grids (root → 20 regions → leaves), --reps reps (each credited in the same
grids), --customers customers, and N order lines over 3 years (2024–2026; 1–4 lines per
order; 3 % cancelled, 2 % half returned 7–30 days later), loaded with COPY on PostgreSQL
and executemany on SQLite; times the load and `rollup_rebuild`; then calls the KPI view
(`metrics=revenue`, one month) grouped by child of the root, by leaf and by rep, --calls
times each, and has DuckDB (in memory, the same lines read from the same CSV) compute the
same revenue group-by from the raw lines, --calls times each. Prints p50/p95 and the ratio
our p95 / DuckDB p95 (issue 6: ≤ 0.5, and p95 ≤ 100 ms). DuckDB is the optional `bench`
extra (pip install duckdb); without it the baseline is skipped. Results go to
docs/benchmarks.md by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from django.db import connection, transaction

START = dt.date(2024, 1, 1)
DAYS = 1096  # 2024-01-01 .. 2026-12-31
MONTH = "2026-06"
GROUPS = ("child", "leaf", "rep")


class _Rollback(Exception):
    pass


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def make_tree(leaves: int, reps: int, customers: int) -> dict:
    """Grids, reps, an admin and customers, in bulk (paths computed here)."""
    from gridsales.accounts.choices import Role
    from gridsales.accounts.models import User
    from gridsales.customers.models import Customer
    from gridsales.grids.models import Grid
    from gridsales.grids.services import grid_create
    from gridsales.sales.models import Product

    root = grid_create(code="KB-ROOT", name="基准公司", level="company")
    regions = Grid.objects.bulk_create(
        Grid(code=f"KB-R{i:02d}", name=f"基准区域{i}", parent=root, level="region", is_leaf=False)
        for i in range(20)
    )
    for region in regions:
        region.path, region.depth = f"{root.path}{region.pk}/", root.depth + 1
    Grid.objects.bulk_update(regions, ["path", "depth"])
    Grid.objects.filter(pk=root.pk).update(is_leaf=False)
    grids = Grid.objects.bulk_create(
        (
            Grid(code=f"KB-G{i:04d}", name=f"基准网格{i}", parent=regions[i % 20], level="grid")
            for i in range(leaves)
        ),
        batch_size=2000,
    )
    by_pk = {r.pk: r for r in regions}
    for grid in grids:
        grid.path, grid.depth = f"{by_pk[grid.parent_id].path}{grid.pk}/", root.depth + 2
    Grid.objects.bulk_update(grids, ["path", "depth"], batch_size=2000)
    users = User.objects.bulk_create(
        User(username=f"kb-rep{i}", display_name=f"基准员{i}", role=Role.REP) for i in range(reps)
    )
    admin = User.objects.create(username="kb-admin", role=Role.ADMIN, is_superuser=True)
    made = Customer.objects.bulk_create(
        (
            Customer(code=f"KC{i:07d}", name=f"基准客户{i}", current_grid=grids[i % leaves])
            for i in range(customers)
        ),
        batch_size=5000,
    )
    product = Product.objects.create(code="KB-P", name="基准产品")
    return {
        "root": root,
        "grids": [g.pk for g in grids],
        "child": {g.pk: g.parent_id for g in grids},
        "reps": [u.pk for u in users],
        "customers": [c.pk for c in made],
        "product": product.pk,
        "admin": admin,
    }


ORDER_COLUMNS = [
    "id", "number", "order_date", "customer_id", "rep_id", "grid_id", "status", "amount",
    "returned_amount", "currency", "source", "note", "created_at", "updated_at",
]  # fmt: skip
LINE_COLUMNS = [
    "order_id", "line_no", "product_id", "quantity", "unit_price", "discount", "amount",
    "status", "returned_amount", "return_date", "order_date", "customer_id", "grid_id",
    "rep_id",
]  # fmt: skip


def write_files(folder: Path, lines: int, tree: dict, seed: int = 6) -> tuple[Path, Path, int]:
    """orders.csv and lines.csv (with a header); returns the paths and the order count.
    Each customer stays in its grid; a grid's rep is rep[grid index % reps]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    grids, reps, customers = tree["grids"], tree["reps"], tree["customers"]
    n_orders = int(lines / 2.5 * 1.1) + 10  # enough orders to reach N lines
    per_order = rng.integers(1, 5, n_orders)
    total = np.cumsum(per_order)
    n_orders = int(np.searchsorted(total, lines)) + 1
    per_order = per_order[:n_orders]
    per_order[-1] -= int(total[n_orders - 1] - lines)
    day = rng.integers(0, DAYS, n_orders)
    cust = rng.integers(0, len(customers), n_orders)
    grid_index = cust % len(grids)
    first = (
        Path(folder).joinpath("orders.csv"),
        Path(folder).joinpath("lines.csv"),
    )
    base = _next_id()
    dates = [(START + dt.timedelta(days=int(d))).isoformat() for d in range(DAYS + 40)]
    stamp = dt.datetime.now(dt.UTC).isoformat()
    with first[0].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(ORDER_COLUMNS)
        for i in range(n_orders):
            g = int(grid_index[i])
            out.writerow(
                (
                    base + i, f"KB{i:09d}", dates[day[i]], customers[int(cust[i])],
                    reps[g % len(reps)], grids[g], "confirmed", "0", "0", "CNY", "import", "",
                    stamp, stamp,
                )
            )  # fmt: skip
    order_of_line = np.repeat(np.arange(n_orders), per_order)
    line_no = np.arange(lines) - np.repeat(np.cumsum(per_order) - per_order, per_order) + 1
    fen = rng.integers(100, 100_000, lines)
    kind = rng.random(lines)
    back = rng.integers(7, 31, lines)
    with first[1].open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(LINE_COLUMNS)
        for k in range(lines):
            i = int(order_of_line[k])
            g = int(grid_index[i])
            amount = f"{fen[k] // 100}.{fen[k] % 100:02d}"
            status, returned, returned_on = "confirmed", "0", ""
            if kind[k] < 0.03:
                status = "cancelled"
            elif kind[k] < 0.05:
                half = fen[k] // 2
                status, returned = "returned", f"{half // 100}.{half % 100:02d}"
                returned_on = dates[day[i] + back[k]]
            out.writerow(
                (
                    base + i, int(line_no[k]), tree["product"], "1", amount, "0", amount,
                    status, returned, returned_on, dates[day[i]], customers[int(cust[i])],
                    grids[g], reps[g % len(reps)],
                )
            )  # fmt: skip
    return first[0], first[1], n_orders


def _next_id() -> int:
    from gridsales.sales.models import Order

    return (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def load(path: Path, table: str, columns: list[str]) -> None:
    """COPY on PostgreSQL; executemany on SQLite (an empty return date is NULL)."""
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    if connection.vendor == "postgresql":
        raw = connection.connection
        with raw.cursor() as cursor, path.open("rb") as handle:
            # An empty CSV field is NULL to COPY: the note is an empty string instead.
            keep = ", FORCE_NOT_NULL (note)" if "note" in columns else ""
            sql = f"COPY {qn(table)} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true{keep})"
            with cursor.copy(sql) as copy:
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        return
    sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['?'] * len(columns))})"
    raw = connection.connection
    nullable = [i for i, name in enumerate(columns) if name == "return_date"]
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch = []
        for row in reader:
            for i in nullable:
                if not row[i]:
                    row[i] = None
            batch.append(row)
            if len(batch) >= 50_000:
                raw.executemany(sql, batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)


def time_api(tree: dict, group_by: str, calls: int) -> list[float]:
    from rest_framework.test import APIRequestFactory, force_authenticate

    from gridsales.analytics.api.views import KpiView

    view = KpiView.as_view()
    factory = APIRequestFactory()
    params = {"period": MONTH, "grid": "KB-ROOT", "group_by": group_by, "metrics": "revenue"}
    samples = []
    for _ in range(calls + 1):
        request = factory.get("/api/v1/kpis/", params)
        force_authenticate(request, user=tree["admin"])
        started = time.perf_counter()
        response = view(request)
        response.render()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
    return samples[1:]  # the first call warms the caches


def duckdb_times(lines_csv: Path, tree: dict, calls: int, out) -> dict[str, list[float]] | None:
    try:
        import duckdb
    except ImportError:
        out("DuckDB is not installed (pip install 'gridsales[bench]'): no baseline.")
        return None
    con = duckdb.connect()
    started = time.perf_counter()
    con.execute(
        """
        CREATE TABLE lines AS SELECT * FROM read_csv(?, header = true, columns = {
            'order_id': 'BIGINT', 'line_no': 'INTEGER', 'product_id': 'BIGINT',
            'quantity': 'DECIMAL(14,3)', 'unit_price': 'DECIMAL(16,2)',
            'discount': 'DECIMAL(16,2)', 'amount': 'DECIMAL(16,2)', 'status': 'VARCHAR',
            'returned_amount': 'DECIMAL(16,2)', 'return_date': 'DATE', 'order_date': 'DATE',
            'customer_id': 'BIGINT', 'grid_id': 'BIGINT', 'rep_id': 'BIGINT'})
        """,
        [str(lines_csv)],
    )
    con.execute("CREATE TABLE grid_child (grid_id BIGINT, child_id BIGINT)")
    con.executemany("INSERT INTO grid_child VALUES (?, ?)", list(tree["child"].items()))
    out(f"DuckDB load of the raw lines: {time.perf_counter() - started:.1f} s")
    year, month = (int(p) for p in MONTH.split("-"))
    first = dt.date(year, month, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    revenue = (
        "SUM(CASE WHEN order_date BETWEEN $1 AND $2 THEN amount ELSE 0 END)"
        " - SUM(CASE WHEN return_date BETWEEN $1 AND $2 THEN returned_amount ELSE 0 END)"
    )
    where = (
        "status <> 'cancelled' AND (order_date BETWEEN $1 AND $2 OR return_date BETWEEN $1 AND $2)"
    )
    queries = {
        "child": f"SELECT child_id, {revenue} FROM lines JOIN grid_child USING (grid_id) "
        f"WHERE {where} GROUP BY child_id",
        "leaf": f"SELECT grid_id, {revenue} FROM lines WHERE {where} GROUP BY grid_id",
        "rep": f"SELECT rep_id, {revenue} FROM lines WHERE {where} GROUP BY rep_id",
    }
    times = {}
    for name, sql in queries.items():
        samples = []
        for _ in range(calls + 1):
            started = time.perf_counter()
            con.execute(sql, [first, last]).fetchall()
            samples.append(time.perf_counter() - started)
        times[name] = samples[1:]
    return times


class KpiBench:
    help = "KPI API at N order lines (rollups) vs DuckDB on the raw lines: p95 by child, leaf, rep."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=10_000_000)
        parser.add_argument("--grids", type=int, default=2_000)
        parser.add_argument("--reps", type=int, default=500)
        parser.add_argument("--customers", type=int, default=200_000)
        parser.add_argument("--calls", type=int, default=20)

    def run(self, options, out):
        from gridsales.analytics.services import rollup_rebuild

        n, calls = options["lines"], options["calls"]
        out(f"database: {connection.vendor}; {n:,} lines, {options['grids']:,} grids, "
            f"{options['reps']} reps, {options['customers']:,} customers")  # fmt: skip
        try:
            with transaction.atomic(), tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                tree = make_tree(options["grids"], options["reps"], options["customers"])
                out(f"reference data: {time.perf_counter() - started:.1f} s")
                started = time.perf_counter()
                orders_csv, lines_csv, n_orders = write_files(Path(folder), n, tree)
                out(f"generate CSV ({n_orders:,} orders): {time.perf_counter() - started:.1f} s")
                started = time.perf_counter()
                load(orders_csv, "sales_order", ORDER_COLUMNS)
                load(lines_csv, "sales_orderline", LINE_COLUMNS)
                seconds = time.perf_counter() - started
                out(f"load: {seconds:.1f} s ({n / seconds:,.0f} lines/s)")
                started = time.perf_counter()
                counts = rollup_rebuild()
                out(f"rollup rebuild: {time.perf_counter() - started:.1f} s {counts}")
                ours = {group: time_api(tree, group, calls) for group in GROUPS}
                theirs = duckdb_times(lines_csv, tree, calls, out)
                for group in GROUPS:
                    line = (
                        f"group_by={group}: our p50 {statistics.median(ours[group]) * 1000:.1f}"
                        f" ms, p95 {p95(ours[group]) * 1000:.1f} ms"
                    )
                    if theirs:
                        ratio = p95(ours[group]) / p95(theirs[group])
                        line += (
                            f"; DuckDB p95 {p95(theirs[group]) * 1000:.1f} ms;"
                            f" ours/DuckDB {ratio:.2f}"
                        )
                    out(line)
                raise _Rollback
        except _Rollback:
            pass


BENCHES = {"kpi": KpiBench()}
