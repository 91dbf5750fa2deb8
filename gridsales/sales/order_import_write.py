"""The write side of the order import: what a valid file changes, decided in memory, then
written in one transaction with bulk operations (the audit keeps one ImportRun instead of
one record per order; see core/io/runs.py).

The grid of a new order, or of an order whose date or customer the file changes, is the
customer's grid on the order date (one grids_on call for the whole file); every other
order keeps its grid, whatever happened to the customer since.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from gridsales.analytics.services import rollup_sales_refresh, sales_touch
from gridsales.care.choices import FollowUpTrigger
from gridsales.care.followups import FollowUpEvent, followups_schedule
from gridsales.customers.selectors import grids_on
from gridsales.sales.choices import OrderSource
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.order_rules import order_totals

BATCH = 2000
LINE_VALUES = (
    "product_id",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
)
COPIES = ("order_date", "customer_id", "grid_id", "rep_id")
ORDER_UPDATE_FIELDS = [
    "order_date",
    "customer",
    "rep",
    "grid",
    "amount",
    "returned_amount",
    "status",
    "updated_at",
]
LINE_UPDATE_FIELDS = [
    "product",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
    "order_date",
    "customer",
    "grid",
    "rep",
]


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class ImportPlan:
    """Orders and lines to create or update, and the report's line counts."""

    def __init__(self, existing: dict[str, dict], existing_lines: dict[int, dict[int, dict]]):
        self.existing = existing
        self.existing_lines = existing_lines
        self.orders: dict[str, list] = {}  # order_no → its valid file lines
        # New orders (number, date, customer, rep, grid, status, amount, returned) and new
        # lines (order id or the new order's number, line_no, LINE_VALUES, COPIES).
        self.new_orders: list[tuple] = []
        self.changed_orders: list[Order] = []
        self.new_lines: list[tuple] = []
        self.changed_lines: list[OrderLine] = []
        self.created = self.updated = self.unchanged = 0

    def add_order(self, order_no: str, lines: list) -> None:
        self.orders[order_no] = lines

    def counts(self) -> tuple[int, int, int]:
        return self.created, self.updated, self.unchanged

    def decide_grids(self) -> None:
        """Look up the grids on the order dates, then decide every write."""
        pairs = []
        for order_no, lines in self.orders.items():
            first, old = lines[0], self.existing.get(order_no)
            if old is None or (first.order_date, first.customer_id) != (
                old["order_date"],
                old["customer_id"],
            ):
                pairs.append((first.customer_id, first.order_date))
        grids = grids_on(pairs)
        for order_no, lines in self.orders.items():
            first, old = lines[0], self.existing.get(order_no)
            if old is None:
                self._new_order(order_no, lines, grids[(first.customer_id, first.order_date)])
            else:
                self._existing_order(old, lines, grids)

    def _new_order(self, order_no: str, lines: list, grid_id: int | None) -> None:
        first = lines[0]
        amount, returned, status = order_totals(
            (line.amount, line.status, line.returned_amount) for line in lines
        )
        self.new_orders.append(
            (
                order_no,
                first.order_date,
                first.customer_id,
                first.rep_id,
                grid_id,
                status,
                amount,
                returned,
            )
        )
        copies = (first.order_date, first.customer_id, grid_id, first.rep_id)
        self.new_lines += [
            (order_no, line.line_no, *(getattr(line, n) for n in LINE_VALUES), *copies)
            for line in lines
        ]
        self.created += len(lines)

    def _existing_order(self, old: dict, lines: list, grids: dict) -> None:
        first = lines[0]
        moved = (first.order_date, first.customer_id) != (old["order_date"], old["customer_id"])
        grid_id = grids[(first.customer_id, first.order_date)] if moved else old["grid_id"]
        copies = {
            "order_date": first.order_date,
            "customer_id": first.customer_id,
            "grid_id": grid_id,
            "rep_id": first.rep_id,
        }
        stored = self.existing_lines.get(old["id"], {})
        final: dict[int, tuple] = {
            number: (row["amount"], row["status"], row["returned_amount"])
            for number, row in stored.items()
        }
        in_file = set()
        for line in lines:
            in_file.add(line.line_no)
            values = {name: getattr(line, name) for name in LINE_VALUES}
            final[line.line_no] = (line.amount, line.status, line.returned_amount)
            row = stored.get(line.line_no)
            if row is None:
                self.new_lines.append((old["id"], line.line_no, *values.values(), *copies.values()))
                self.created += 1
            elif any(row[k] != v for k, v in values.items()) or any(
                row[k] != v for k, v in copies.items()
            ):
                self.changed_lines.append(_line(row, values, copies))
                self.updated += 1
            else:
                self.unchanged += 1
        # Lines the file leaves out stay, with the order's new date, customer, grid, rep.
        for number, row in stored.items():
            if number not in in_file and any(row[k] != v for k, v in copies.items()):
                self.changed_lines.append(_line(row, {}, copies))
        amount, returned, status = order_totals(final.values())
        header = {
            "order_date": first.order_date,
            "customer_id": first.customer_id,
            "rep_id": first.rep_id,
            "grid_id": grid_id,
            "amount": amount,
            "returned_amount": returned,
            "status": status,
        }
        if any(old[k] != v for k, v in header.items()):
            self.changed_orders.append(Order(pk=old["id"], number=old["number"], **header))

    @transaction.atomic
    def write(self) -> list[int]:
        """Write everything; plan the follow-ups of the new orders. Returns the ids of the
        orders created or changed."""
        now = timezone.now()
        existing = {o.pk for o in self.changed_orders} | {li.order_id for li in self.changed_lines}
        existing |= {line[0] for line in self.new_lines if isinstance(line[0], int)}
        touched = sales_touch(order_ids=existing)
        ids = self._insert_orders(now)
        _insert(
            OrderLine,
            ["order_id", "line_no", *LINE_VALUES, *COPIES],
            [(ids.get(line[0], line[0]), *line[1:]) for line in self.new_lines],
        )
        for order in self.changed_orders:
            order.updated_at = now
        for batch in _chunks(self.changed_orders, BATCH):
            Order.objects.bulk_update(batch, ORDER_UPDATE_FIELDS)
        for batch in _chunks(self.changed_lines, BATCH):
            OrderLine.objects.bulk_update(batch, LINE_UPDATE_FIELDS)
        rollup_sales_refresh(order_ids=existing | set(ids.values()), before=touched)
        followups_schedule(
            events=[
                FollowUpEvent(
                    trigger=FollowUpTrigger.ORDER,
                    customer_id=customer_id,
                    owner_id=rep_id,
                    on=order_date,
                    order_id=ids[number],
                )
                for number, order_date, customer_id, rep_id, *_rest in self.new_orders
            ]
        )
        return list(ids.values()) + [order.pk for order in self.changed_orders]

    def _insert_orders(self, now) -> dict[str, int]:
        """Insert the new orders; their ids by number."""
        if not self.new_orders:
            return {}
        last = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        stamp = connection.ops.adapt_datetimefield_value(now)
        _insert(
            Order,
            [
                "number",
                "order_date",
                "customer_id",
                "rep_id",
                "grid_id",
                "status",
                "amount",
                "returned_amount",
                "currency",
                "source",
                "note",
                "created_at",
                "updated_at",
            ],
            [(*o, "CNY", OrderSource.IMPORT.value, "", stamp, stamp) for o in self.new_orders],
        )
        numbers = {o[0] for o in self.new_orders}
        ids = {}
        rows = Order.objects.filter(pk__gt=last).order_by().values_list("number", "pk")
        for number, pk in rows.iterator(chunk_size=BATCH):
            if number in numbers:
                ids[number] = pk
        return ids


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """INSERT rows with one prepared statement (executemany): model instances and
    bulk_create cost more than the database itself at 100,000 lines. Values are what
    both drivers take as they are (str, int, Decimal, date; sqlite3 gets Django's
    adapters); no instance, no signal."""
    if not rows:
        return
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for batch in _chunks(rows, 20000):
            cursor.executemany(sql, batch)


def _line(row: dict, values: dict, copies: dict) -> OrderLine:
    line = OrderLine(**{k: v for k, v in row.items()})
    for name, value in {**values, **copies}.items():
        setattr(line, name, value)
    return line
