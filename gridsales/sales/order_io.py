"""Order import (CSV/XLSX, one row per order line, as an ERP exports them): `gridsales import
orders FILE`.

Contract columns (exact names, or the Chinese titles in ALIASES):
`order_no,line_no,order_date,customer_code,rep,product_code,quantity,unit_price,discount,
amount,status,returned_amount,return_date` (`grid_code`, written by the export, is read as
information only: the grid is always the customer's grid on the order date).

Lines are matched by (order_no, line_no): a re-import of the same file writes nothing, a
changed row updates its line, new lines are added to their order (lines the file leaves
out are kept). Every row is checked first, with every lookup prefetched (no query per
row); nothing is written when a row is wrong (unless skip_invalid, which skips every line
of an order with a wrong row); then one transaction of bulk writes. The rules of a line
are the order services' (sales.orders.line_problems). See docs/orders.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.accounts.models import User
from gridsales.core.io.report import FileRejected, ImportReport
from gridsales.core.io.tabular import read_table
from gridsales.core.scope import scope_for
from gridsales.customers.models import Customer
from gridsales.sales.choices import OrderLineStatus
from gridsales.sales.import_values import (
    choice_map,
    decimal_problem,
    header_map,
    key,
    parse_date,
    read_decimal,
)
from gridsales.sales.models import Order, OrderLine, Product
from gridsales.sales.order_import_write import ImportPlan
from gridsales.sales.order_rules import ZERO, line_problems
from gridsales.sales.product_io import read_columns
from gridsales.team.models import RepProfile

COLUMNS = (
    "order_no",
    "line_no",
    "order_date",
    "customer_code",
    "rep",
    "product_code",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
)
REQUIRED = COLUMNS[:8]
ORDER_COLUMNS = ("order_date", "customer_code", "rep")  # the same on every line of an order
LABELS = {
    "order_no": (Order, "number"),
    "line_no": (OrderLine, "line_no"),
    "order_date": (Order, "order_date"),
    "customer_code": (Customer, "code"),
    "rep": (Order, "rep"),
    "product_code": (Product, "code"),
    **{c: (OrderLine, c) for c in COLUMNS[6:]},
    "grid_code": (Order, "grid"),
}
ALIASES = {
    "订单编号": "order_no",
    "订单号": "order_no",
    "行号": "line_no",
    "订单日期": "order_date",
    "客户编码": "customer_code",
    "业务员": "rep",
    "销售代表": "rep",
    "产品编码": "product_code",
    "数量": "quantity",
    "单价": "unit_price",
    "折扣": "discount",
    "折扣金额": "discount",
    "金额": "amount",
    "状态": "status",
    "退货金额": "returned_amount",
    "退货日期": "return_date",
    "网格编码": "grid_code",
}
STATUS_ALIASES = {
    "已确认": OrderLineStatus.CONFIRMED.value,
    "确认": OrderLineStatus.CONFIRMED.value,
    "已取消": OrderLineStatus.CANCELLED.value,
    "取消": OrderLineStatus.CANCELLED.value,
    "已退货": OrderLineStatus.RETURNED.value,
    "退货": OrderLineStatus.RETURNED.value,
}
LOOKUP_CHUNK = 500


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _in(path: str | None, paths: tuple[str, ...]) -> bool:
    return path is not None and any(path.startswith(p) for p in paths)


@dataclass(slots=True)
class Line:
    """One valid row of the file."""

    row: int
    order_no: str
    line_no: int
    order_date: object
    customer_id: int
    rep_id: int
    product_id: int
    quantity: object
    unit_price: object
    discount: object
    amount: object
    status: str
    returned_amount: object
    return_date: object


class OrderImporter:
    help = gettext_lazy(
        "Order lines from CSV (UTF-8, UTF-8 with BOM, GBK) or XLSX, one row per line"
    )
    title = gettext_lazy("Orders")
    section = "sales"
    suffixes = (".csv", ".xlsx")

    def list_url(self) -> str:
        return reverse("sales:order-list")

    def form_fields(self) -> dict:
        return {}

    def add_arguments(self, parser):
        pass

    def check_user(self, user) -> None:
        """Administrators and directors import any order; regional and grid managers the
        orders of customers in the grids they manage (checked row by row)."""
        if user is None:
            return
        scope = scope_for(user)
        if not (scope.write_all or (scope.is_manager and scope.write_paths)):
            raise PermissionDenied(_("You are not allowed to import orders."))

    def run(self, *, user, data, file_name, options, dry_run=False, skip_invalid=False):
        # A fresh instance per run: the lookups are per-run state.
        return type(self)()._run(user, data, file_name, dry_run, skip_invalid)

    def _run(self, user, data, file_name, dry_run, skip_invalid) -> ImportReport:
        self.check_user(user)
        table = read_table(data, file_name)
        report = ImportReport(
            kind="orders", file_name=file_name, encoding=table.encoding, dry_run=dry_run
        )
        columns, self.written = read_columns(table.headers, header_map(LABELS, ALIASES), report)
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            raise FileRejected(
                _(
                    "Required columns are missing: {missing}. The first row must name the columns {columns}."
                ).format(missing=", ".join(missing), columns=",".join(COLUMNS))
            )
        report.rows = len(table.rows)
        self.scope = None if user is None else scope_for(user)
        self._lookups(user, table, columns)
        lines = self._parse(table, columns, report)
        by_order = self._group(lines, report)
        plan = ImportPlan(self.existing, self.existing_lines)
        bad_orders = {self._row_order[row] for row in report.invalid_rows}
        for order_no, order_lines in by_order.items():
            if order_no in bad_orders:
                for line in order_lines if skip_invalid else ():
                    report.warn(
                        line.row,
                        self.written["order_no"],
                        order_no,
                        _("Skipped with the other lines of this order (one of them is wrong)."),
                    )
                continue
            plan.add_order(order_no, order_lines)
        # The order checks come after the cell checks: report by row, as the file reads.
        report.errors.sort(key=lambda e: e.row or 0)
        report.skipped = len(report.invalid_rows) + sum(
            len(by_order.get(no, ())) for no in bad_orders
        )
        if report.errors and not skip_invalid:
            return report
        plan.decide_grids()
        report.created, report.updated, report.unchanged = plan.counts()
        if not dry_run:
            report.object_ids = plan.write()
            report.written = True
        return report

    # -- lookups ----------------------------------------------------------------------------

    def _lookups(self, user, table, columns) -> None:
        def distinct(column):
            index = columns[column]
            return list({v[index] for _n, v in table.rows if index < len(v) and v[index]})

        customers = Customer.objects.all() if user is None else Customer.objects.restrict(user)
        self.customers: dict[str, tuple[int, str | None]] = {}
        for chunk in _chunks(distinct("customer_code"), LOOKUP_CHUNK):
            rows = customers.filter(code__in=chunk).order_by()
            for pk, code, path in rows.values_list("id", "code", "current_grid__path"):
                self.customers[code] = (pk, path)
        self.products: dict[str, int] = {}
        for chunk in _chunks(distinct("product_code"), LOOKUP_CHUNK):
            rows = Product.objects.filter(code__in=chunk).order_by().values_list("code", "id")
            self.products.update(rows)
        users = User.objects.all() if user is None else User.objects.restrict(user, "view")
        self.reps: dict[str, int] = dict(users.order_by().values_list("username", "id"))
        visible = set(self.reps.values())
        employees = RepProfile.objects.filter(employee_no__isnull=False).exclude(employee_no="")
        for number, user_id in employees.order_by().values_list("employee_no", "user_id"):
            if user_id in visible:
                self.reps.setdefault(number, user_id)
        self.existing: dict[str, dict] = {}
        for chunk in _chunks(distinct("order_no"), LOOKUP_CHUNK):
            rows = Order.objects.filter(number__in=chunk).order_by()
            for row in rows.values(
                "id",
                "number",
                "order_date",
                "customer_id",
                "rep_id",
                "grid_id",
                "amount",
                "returned_amount",
                "status",
                "grid__path",
                "customer__current_grid__path",
            ):
                self.existing[row["number"]] = row
        self.existing_lines: dict[int, dict[int, dict]] = {}
        ids = [row["id"] for row in self.existing.values()]
        fields = [f.attname for f in OrderLine._meta.concrete_fields]
        for chunk in _chunks(ids, LOOKUP_CHUNK):
            for row in OrderLine.objects.filter(order_id__in=chunk).order_by().values(*fields):
                self.existing_lines.setdefault(row["order_id"], {})[row["line_no"]] = row
        self.statuses = choice_map(OrderLineStatus, STATUS_ALIASES)

    # -- rows ---------------------------------------------------------------------------------

    def _parse(self, table, columns, report) -> list[Line]:
        width = len(table.headers)
        # Absent columns read the empty cell appended at the end of every row.
        index = {c: columns.get(c, width) for c in COLUMNS}
        padding = [""] * (width + 1)
        written = self.written
        seen: dict[tuple[str, int], int] = {}
        self._row_order: dict[int, str] = {}
        lines: list[Line] = []
        for number, values in table.rows:
            row = [*values[:width], *padding[len(values) :]]
            cell = {c: row[i] for c, i in index.items()}
            errors_before = len(report.errors)

            def error(column, reason, cell=cell, number=number):
                report.error(number, written.get(column, column), cell[column], reason)

            order_no = cell["order_no"]
            self._row_order[number] = order_no
            if not order_no:
                error("order_no", _("An order number is required."))
            elif len(order_no) > 40:
                error("order_no", _("At most 40 characters."))
            text = cell["line_no"]
            line_no = int(text) if text.isdigit() and 0 < int(text) < 2**31 else None
            if line_no is None:
                error("line_no", _("Not a line number: write a whole number from 1."))
            order_date, problem = parse_date(cell["order_date"])
            if problem:
                error("order_date", problem)
            customer = self.customers.get(cell["customer_code"])
            if customer is None:
                error("customer_code", _("No customer with this code."))
            elif self.scope is not None and not self.scope.write_all:
                if not _in(customer[1], self.scope.write_paths):
                    error("customer_code", _("The customer is outside the grids you manage."))
            rep_id = self.reps.get(cell["rep"])
            if rep_id is None:
                error("rep", _("No user with this username or employee number."))
            product_id = self.products.get(cell["product_code"])
            if product_id is None:
                error("product_code", _("No product with this code."))
            numbers = {}
            for column, places, default in (
                ("quantity", 3, None),
                ("unit_price", 2, None),
                ("discount", 2, ZERO),
                ("amount", 2, None),
                ("returned_amount", 2, None),
            ):
                text = cell[column]
                if text == "" and column not in ("quantity", "unit_price"):
                    numbers[column] = default
                    continue
                value, problem = read_decimal(text, places)
                if problem:
                    error(column, decimal_problem(problem, places))
                numbers[column] = value
            status = self.statuses.get(key(cell["status"])) if cell["status"] else "confirmed"
            if status is None:
                error(
                    "status",
                    _("Unknown status; use one of: {choices}.").format(
                        choices="confirmed, cancelled, returned, 已确认, 已取消, 已退货"
                    ),
                )
            return_date = None
            if cell["return_date"]:
                return_date, problem = parse_date(cell["return_date"])
                if problem:
                    error("return_date", problem)
            if line_no is not None and order_no:
                first = seen.setdefault((order_no, line_no), number)
                if first != number:
                    error(
                        "line_no",
                        _(
                            "Line {line} of order {order} appears twice (first in row {row})."
                        ).format(line=line_no, order=order_no, row=first),
                    )
            if len(report.errors) > errors_before:
                continue
            amount, problems = line_problems(
                quantity=numbers["quantity"],
                unit_price=numbers["unit_price"],
                discount=numbers["discount"],
                amount=numbers["amount"],
                status=status,
                returned_amount=numbers["returned_amount"],
                return_date=return_date,
                order_date=order_date,
            )
            for column, message in problems:
                error(column, message)
            if problems:
                continue
            lines.append(
                Line(
                    number,
                    order_no,
                    line_no,
                    order_date,
                    customer[0],
                    rep_id,
                    product_id,
                    numbers["quantity"],
                    numbers["unit_price"],
                    numbers["discount"],
                    amount,
                    status,
                    numbers["returned_amount"] or ZERO,
                    return_date,
                )
            )
        return lines

    def _group(self, lines: list[Line], report) -> dict[str, list[Line]]:
        """Lines by order; every line must agree with the order's first on date, customer
        and rep; an existing order must be one the user may change."""
        by_order: dict[str, list[Line]] = {}
        for line in lines:
            group = by_order.setdefault(line.order_no, [])
            if group:
                first = group[0]
                for column, mine, theirs in (
                    ("order_date", line.order_date, first.order_date),
                    ("customer_code", line.customer_id, first.customer_id),
                    ("rep", line.rep_id, first.rep_id),
                ):
                    if mine != theirs:
                        report.error(
                            line.row,
                            self.written[column],
                            self._cell_text(column, mine),
                            _(
                                "Order {order} has {column} “{other}” in row {row}: every line of an order must have the same order_date, customer_code and rep."
                            ).format(
                                order=line.order_no,
                                column=self.written[column],
                                other=self._cell_text(column, theirs),
                                row=first.row,
                            ),
                        )
                        break
                else:
                    group.append(line)
                continue
            group.append(line)
            existing = self.existing.get(line.order_no)
            if existing is not None and not self._may_change(existing):
                report.error(
                    line.row,
                    self.written["order_no"],
                    line.order_no,
                    _("An order with this number exists outside what you may change."),
                )
        return by_order

    def _cell_text(self, column: str, value) -> str:
        """How the file wrote a parsed order-level value (for messages)."""
        if column == "order_date":
            return value.isoformat()
        if not hasattr(self, "_names"):
            self._names = {
                "customer_code": {pk: code for code, (pk, _path) in self.customers.items()},
                "rep": {},
            }
            for name, pk in self.reps.items():  # usernames first, then employee numbers
                self._names["rep"].setdefault(pk, name)
        return self._names[column].get(value, "")

    def _may_change(self, order: dict) -> bool:
        """Managers change the orders recorded in, or of customers now in, their grids."""
        scope = self.scope
        if scope is None or scope.write_all:
            return True
        return _in(order["grid__path"], scope.write_paths) or _in(
            order["customer__current_grid__path"], scope.write_paths
        )
