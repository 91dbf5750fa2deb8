"""Order export: one row per line in the import's columns plus `grid_code` (the grid stored
on the order: the customer's grid on the order date). Re-imports unchanged.

Used by `gridsales export orders`, the order list's CSV/XLSX buttons and the API; the
pages and the API filter it with the order list's parameters (OrderFilterSet).
"""

from __future__ import annotations

import types
from decimal import Decimal

from django.utils.translation import gettext_lazy

from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.sales.choices import OrderLineStatus
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.product_io import CONTENT_TYPES

HEADERS = [*COLUMNS, "grid_code"]
VALUES = (
    "order__number",
    "line_no",
    "order_date",
    "customer__code",
    "rep__username",
    "product__code",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
    "grid__code",
)


def plain(value: Decimal) -> Decimal:
    """2.500 → 2.5, 3.000 → 3: quantities as people write them."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def export_row(values: tuple) -> list:
    row = list(values)
    row[6] = plain(row[6])
    if row[10] != OrderLineStatus.RETURNED:
        row[11] = ""  # only a returned line has a returned amount
    row[12] = row[12] or ""
    row[13] = row[13] or ""
    return row


class OrderExporter:
    help = gettext_lazy("Order lines as CSV (UTF-8 with BOM) or XLSX, with grid_code")
    formats = ("csv", "xlsx")
    content_types = CONTENT_TYPES

    def queryset(self, *, user, params=None):
        from gridsales.sales.order_filtersets import OrderFilterSet

        lines = OrderLine.objects.all()
        if user is not None or params:
            orders = Order.objects.all() if user is None else Order.objects.restrict(user, "view")
            if params:
                request = types.SimpleNamespace(user=user) if user is not None else None
                filterset = OrderFilterSet(params, queryset=orders, request=request)
                if filterset.is_valid():
                    orders = filterset.qs
            lines = lines.filter(order__in=orders.order_by().values("pk"))
        return lines.order_by("order__number", "line_no").values_list(*VALUES)

    def write(self, *, user, fmt, stream, params=None) -> None:
        rows = (
            export_row(values)
            for values in self.queryset(user=user, params=params).iterator(chunk_size=5000)
        )
        if fmt == "xlsx":
            write_xlsx(stream, HEADERS, rows, title="orders")
        else:
            write_csv(stream, HEADERS, rows)
