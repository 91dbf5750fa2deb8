"""`gridsales bench kpi [--lines N]`: the KPI API at scale, against DuckDB on the raw lines.

Inside a transaction that is rolled back (the database is left as it was): makes a tree of
--grids leaf grids (root → 20 regions → leaves), --reps reps (each credited in the same
grids), --customers customers, and N order lines over 3 years (2024–2026; 3 and 2 lines per
order in turn; 3 % cancelled, 2 % half returned 7–30 days later). The lines are generated
inside the database (INSERT … SELECT over a series, from integer hashes of the row number,
with the table's indexes and constraints dropped and rebuilt after), so that DuckDB can
generate exactly the same lines with the same SQL. Times the load and `rollup_rebuild`;
then calls the KPI view (`metrics=revenue`, one month) grouped by child of the root, by
leaf and by rep, --calls times each, and has DuckDB (in memory) compute the same revenue
group-by from its raw lines, --calls times each; the two revenue totals must agree to the
fen. Prints p50/p95 and the ratio our p95 / DuckDB p95 (issue 6: ≤ 0.5, and p95 ≤ 100 ms).
DuckDB is the optional `bench` extra (pip install duckdb); without it the baseline is
skipped. Results go to docs/kpis.md and docs/benchmarks.md by hand.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction

from gridsales.core.money import FEN

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


P = 2147483647  # a prime below 2**31: the generator's hashes stay within 64-bit integers


class Dialect:
    """The few SQL spellings that differ between SQLite, PostgreSQL and DuckDB, so that the
    same generator makes the same lines in our database and in DuckDB."""

    def __init__(self, vendor: str):
        self.vendor = vendor

    def div(self, a: str, b: str) -> str:  # integer division
        return f"(({a}) // ({b}))" if self.vendor == "duckdb" else f"(({a}) / ({b}))"

    def h(self, k: str, salt: int) -> str:
        """A deterministic pseudo-random integer in [0, P) for row k (MINSTD, then squared)."""
        h1 = f"((({k}) + {salt}) * 48271 % {P})"
        return f"(({h1} * {h1} + {salt}) % {P})"

    def day(self, days: str) -> str:
        if self.vendor == "sqlite":
            return f"date('{START.isoformat()}', '+' || ({days}) || ' days')"
        return f"(DATE '{START.isoformat()}' + CAST({days} AS INTEGER))"

    def money(self, fen: str) -> str:
        if self.vendor == "sqlite":
            return f"(({fen}) / 100.0)"
        return f"(CAST({fen} AS DECIMAL(16, 2)) / 100)"

    def series(self, count: int) -> str:
        """FROM clause giving k = 0 .. count − 1."""
        if self.vendor == "sqlite":
            return (
                "(WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s "
                f"WHERE k < {count - 1}) SELECT k FROM s) AS seq"
            )
        if self.vendor == "postgresql":
            return f"generate_series(CAST(0 AS BIGINT), {count - 1}) AS seq(k)"
        return f"range(0, {count}) AS seq(k)"

    def number(self, k: str) -> str:
        if self.vendor == "sqlite":
            return f"('KB' || printf('%09d', {k}))"
        return f"('KB' || lpad(CAST({k} AS VARCHAR), 9, '0'))"


def order_count(lines: int) -> int:
    """Line k belongs to order 2k div 5: orders of 3 and 2 lines in turn (2.5 on average)."""
    return (2 * (lines - 1)) // 5 + 1


def order_fields(d: Dialect, o: str, tree: dict) -> dict[str, str]:
    """SQL for an order's day, customer, grid and rep from its index o."""
    cust = f"({d.h(o, 2)} % {tree['n_customers']})"
    grid = f"({cust} % {tree['n_grids']})"
    return {
        "days": f"({d.h(o, 1)} % {DAYS})",
        "customer_id": f"({tree['customer0']} + {cust})",
        "grid_id": f"({tree['grid0']} + {grid})",
        "rep_id": f"({tree['rep0']} + {grid} % {tree['n_reps']})",
    }


def line_select(d: Dialect, lines: int, tree: dict, first_order_id: int) -> str:
    """SELECT of every generated line with the columns LINE_COLUMNS (in that order): 3 %
    cancelled, 2 % returned by half 7–30 days after the order, amounts 1.00–999.99."""
    o = d.div("2 * k", "5")
    order = order_fields(d, o, tree)
    line_no = f"(k - {d.div(f'5 * {o} + 1', '2')} + 1)"
    fen = f"(100 + {d.h('k', 3)} % 99900)"
    kind = f"({d.h('k', 4)} % 100)"
    back = f"(7 + {d.h('k', 5)} % 24)"
    returned = f"{kind} >= 3 AND {kind} < 5"
    return f"""
        SELECT {first_order_id} + {o}, {line_no}, {tree["product"]}, 1, {d.money(fen)}, 0,
            {d.money(fen)},
            CASE WHEN {kind} < 3 THEN 'cancelled' WHEN {returned} THEN 'returned'
                 ELSE 'confirmed' END,
            CASE WHEN {returned} THEN {d.money(d.div(fen, "2"))} ELSE 0 END,
            CASE WHEN {returned} THEN {d.day(f"{order['days']} + {back}")} END,
            {d.day(order["days"])}, {order["customer_id"]}, {order["grid_id"]},
            {order["rep_id"]}
        FROM {d.series(lines)}
    """


def order_select(d: Dialect, n_orders: int, tree: dict, first_order_id: int) -> str:
    order = order_fields(d, "k", tree)
    now = "CURRENT_TIMESTAMP"
    return f"""
        SELECT {first_order_id} + k, {d.number("k")}, {d.day(order["days"])},
            {order["customer_id"]}, {order["rep_id"]}, {order["grid_id"]}, 'confirmed', 0, 0,
            'CNY', 'import', '', {now}, {now}
        FROM {d.series(n_orders)}
    """


ORDER_COLUMNS = [
    "id", "number", "order_date", "customer_id", "rep_id", "grid_id", "status", "amount",
    "returned_amount", "currency", "source", "note", "created_at", "updated_at",
]  # fmt: skip
LINE_TYPES = (
    "order_id BIGINT, line_no INTEGER, product_id BIGINT, quantity DECIMAL(14, 3), "
    "unit_price DECIMAL(16, 2), discount DECIMAL(16, 2), amount DECIMAL(16, 2), "
    "status VARCHAR, returned_amount DECIMAL(16, 2), return_date DATE, order_date DATE, "
    "customer_id BIGINT, grid_id BIGINT, rep_id BIGINT"
)
LINE_COLUMNS = [
    "order_id", "line_no", "product_id", "quantity", "unit_price", "discount", "amount",
    "status", "returned_amount", "return_date", "order_date", "customer_id", "grid_id",
    "rep_id",
]  # fmt: skip


def first_ids(tree: dict) -> None:
    """The generator addresses grids, reps and customers by offset from the first key:
    check that bulk_create gave each a contiguous range."""
    for name, pks in (
        ("grid", tree["grids"]),
        ("rep", tree["reps"]),
        ("customer", tree["customers"]),
    ):
        if pks != list(range(pks[0], pks[0] + len(pks))):
            raise RuntimeError(f"the bench's {name}s did not get contiguous keys")
        tree[f"{name}0"] = pks[0]
        tree[f"n_{name}s"] = len(pks)


def _next_id() -> int:
    from gridsales.sales.models import Order

    return (Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def without_indexes(table: str):
    """Drop a table's secondary indexes and its foreign-key and unique constraints; return
    the statements that put them back (building an index once is much faster than keeping
    it up to date row by row). Inside the bench's transaction, so a failure undoes it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the deferred foreign-key checks of the rows made so far: a table with
            # pending trigger events cannot be altered.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u')",
                [table],
            )
            constraints = cursor.fetchall()
            for name, _definition in constraints:
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT LIKE '%%_pkey'",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            return [definition for _name, definition in indexes] + [
                f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
                for name, definition in constraints
            ]
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in indexes]


def load(tree: dict, lines: int) -> int:
    """Generate the orders and lines inside the database (INSERT … SELECT over a series),
    with the indexes rebuilt after; returns the number of orders."""
    d = Dialect(connection.vendor)
    n_orders = order_count(lines)
    first = _next_id()
    restore = without_indexes("sales_orderline") + without_indexes("sales_order")
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, columns, select in (
            ("sales_order", ORDER_COLUMNS, order_select(d, n_orders, tree, first)),
            ("sales_orderline", LINE_COLUMNS, line_select(d, lines, tree, first)),
        ):
            names = ", ".join(qn(c) for c in columns)
            cursor.execute(f"INSERT INTO {qn(table)} ({names}) {select}")
        for statement in restore:
            cursor.execute(statement)
    tree["first_order_id"] = first
    return n_orders


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
    total = sum(Decimal(row["revenue"]) for row in response.data["rows"])
    return samples[1:], total  # the first call warms the caches


def duckdb_times(lines: int, tree: dict, calls: int, out) -> dict[str, list[float]] | None:
    try:
        import duckdb
    except ImportError:
        out("DuckDB is not installed (pip install 'gridsales[bench]'): no baseline.")
        return None
    con = duckdb.connect()
    started = time.perf_counter()
    columns = ", ".join(LINE_COLUMNS)
    select = line_select(Dialect("duckdb"), lines, tree, tree["first_order_id"])
    con.execute(f"CREATE TABLE lines ({LINE_TYPES})")
    con.execute(f"INSERT INTO lines ({columns}) {select}")
    con.execute("CREATE TABLE grid_child (grid_id BIGINT, child_id BIGINT)")
    con.executemany("INSERT INTO grid_child VALUES (?, ?)", list(tree["child"].items()))
    out(f"DuckDB: the same {lines:,} lines generated in {time.perf_counter() - started:.1f} s")
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
            rows = con.execute(sql, [first, last]).fetchall()
            samples.append(time.perf_counter() - started)
        total = sum((Decimal(value) for _key, value in rows), Decimal(0)).quantize(FEN)
        times[name] = (samples[1:], total)
    return times


def existing_tree() -> dict | None:
    """The tree a `--keep` run left in this database, or None."""
    from gridsales.accounts.models import User
    from gridsales.customers.models import Customer
    from gridsales.grids.models import Grid
    from gridsales.sales.models import Order, OrderLine, Product

    root = Grid.objects.filter(code="KB-ROOT").first()
    if root is None:
        return None
    grids = list(
        Grid.objects.filter(code__startswith="KB-G").order_by("pk").values_list("pk", "parent_id")
    )
    orders = Order.objects.filter(number__startswith="KB")
    tree = {
        "root": root,
        "grids": [pk for pk, _parent in grids],
        "child": dict(grids),
        "reps": list(
            User.objects.filter(username__startswith="kb-rep")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "customers": list(
            Customer.objects.filter(code__startswith="KC")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "product": Product.objects.get(code="KB-P").pk,
        "admin": User.objects.get(username="kb-admin"),
        "first_order_id": orders.order_by("pk").values_list("pk", flat=True).first(),
    }
    tree["lines"] = OrderLine.objects.filter(order__number__startswith="KB").count()
    first_ids(tree)
    return tree


def tune_for_bulk() -> None:
    """Session settings for loading and aggregating millions of rows, as a database
    administrator would set them for a bulk job (docs/kpis.md)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size = -1048576")  # 1 GiB of page cache
            cursor.execute("PRAGMA temp_store = MEMORY")
        else:
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")


class KpiBench:
    help = "KPI API at N order lines (rollups) vs DuckDB on the raw lines: p95 by child, leaf, rep."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=10_000_000)
        parser.add_argument("--grids", type=int, default=2_000)
        parser.add_argument("--reps", type=int, default=500)
        parser.add_argument("--customers", type=int, default=200_000)
        parser.add_argument("--calls", type=int, default=20)
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Commit the generated data (use a scratch database!) and, when it is already "
            "there, time the API and DuckDB on it without generating it again.",
        )

    def run(self, options, out):
        n, calls = options["lines"], options["calls"]
        try:
            with transaction.atomic():
                tree = existing_tree() if options["keep"] else None
                if tree is None:
                    tree = self.build(options, out)
                else:
                    n = tree["lines"]
                    out(f"database: {connection.vendor}; reusing the {n:,} lines kept before")
                self.measure(tree, n, calls, out)
                if not options["keep"]:
                    raise _Rollback
        except _Rollback:
            pass

    def build(self, options, out) -> dict:
        from gridsales.analytics.services import rollup_rebuild

        n = options["lines"]
        out(f"database: {connection.vendor}; {n:,} lines, {options['grids']:,} grids, "
            f"{options['reps']} reps, {options['customers']:,} customers")  # fmt: skip
        tune_for_bulk()
        started = time.perf_counter()
        tree = make_tree(options["grids"], options["reps"], options["customers"])
        first_ids(tree)
        out(f"reference data: {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        n_orders = load(tree, n)
        seconds = time.perf_counter() - started
        out(
            f"load ({n_orders:,} orders, {n:,} lines, indexes rebuilt): {seconds:.1f} s"
            f" ({n / seconds:,.0f} lines/s)"
        )
        started = time.perf_counter()
        counts = rollup_rebuild()
        out(f"rollup rebuild: {time.perf_counter() - started:.1f} s {counts}")
        return tree

    def measure(self, tree: dict, n: int, calls: int, out) -> None:
        ours, totals = {}, {}
        for group in GROUPS:
            ours[group], totals[group] = time_api(tree, group, calls)
        theirs = duckdb_times(n, tree, calls, out)
        for group in GROUPS:
            line = (
                f"group_by={group}: our p50 {statistics.median(ours[group]) * 1000:.1f}"
                f" ms, p95 {p95(ours[group]) * 1000:.1f} ms"
            )
            if theirs:
                samples, total = theirs[group]
                if total != totals[group]:
                    raise RuntimeError(
                        f"group_by={group}: the API's revenue totals {totals[group]},"
                        f" DuckDB's {total}"
                    )
                ratio = p95(ours[group]) / p95(samples)
                line += (
                    f"; both total {total}; DuckDB p95 {p95(samples) * 1000:.1f} ms;"
                    f" ours/DuckDB {ratio:.2f}"
                )
            out(line)


BENCHES = {"kpi": KpiBench()}
