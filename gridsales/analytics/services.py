"""Writes of the rollups: refresh the cells an order change touched, or rebuild them all.

A refresh recomputes whole cells from the lines (never adds deltas), so a rollup cell
always equals its recomputation: the order services call `sales_touch` before a change
(the cells the lines sat in) and `rollup_sales_refresh` after it (those cells plus the
ones the lines sit in now). A day cell is (day, grid, rep); refreshing a day recomputes the
cells of the touched grids on that day, then their months; a customer's month and
first-order rows are recomputed for each touched customer. Written in SQL
(INSERT … SELECT) because a rebuild at 10 million lines must not pass through Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from gridsales.analytics.models import CustomerFirstOrder, CustomerMonth, SalesDay, SalesMonth
from gridsales.sales.models import OrderLine

CANCELLED = "cancelled"
CHUNK = 500


@dataclass
class SalesTouch:
    """The rollup keys some lines occupy: their days (order and return dates), grids and
    customers."""

    days: set[dt.date] = field(default_factory=set)
    grids: set[int | None] = field(default_factory=set)
    customers: set[int] = field(default_factory=set)

    def __or__(self, other: SalesTouch | None) -> SalesTouch:
        if other is None:
            return self
        return SalesTouch(
            self.days | other.days, self.grids | other.grids, self.customers | other.customers
        )


def sales_touch(*, order_ids: Iterable[int]) -> SalesTouch:
    """The keys the lines of these orders occupy now (call it before changing them)."""
    touch = SalesTouch()
    ids = sorted({pk for pk in order_ids if pk is not None})
    for chunk in _chunks(ids, CHUNK):
        rows = (
            OrderLine.objects.filter(order_id__in=chunk)
            .order_by()
            .values_list("order_date", "return_date", "grid_id", "customer_id")
            .distinct()
        )
        for order_date, return_date, grid_id, customer_id in rows:
            touch.days.add(order_date)
            if return_date is not None:
                touch.days.add(return_date)
            touch.grids.add(grid_id)
            touch.customers.add(customer_id)
    return touch


@transaction.atomic
def rollup_sales_refresh(*, order_ids: Iterable[int], before: SalesTouch | None = None) -> None:
    """Recompute the rollup cells the lines of `order_ids` occupy now and those in
    `before` (what `sales_touch` returned before the change), from the lines."""
    touch = sales_touch(order_ids=order_ids) | before
    if not touch.days and not touch.customers:
        return
    grid_sql, grid_params = _grid_filter(touch.grids)
    days = sorted(touch.days)
    for chunk in _chunks(days, CHUNK):
        marks = ", ".join(["%s"] * len(chunk))
        SalesDay.objects.filter(day__in=chunk).filter(_grid_q(touch.grids)).delete()
        _insert_days(
            f"order_date IN ({marks}) AND {grid_sql}",
            [*chunk, *grid_params],
            f"return_date IN ({marks}) AND {grid_sql}",
            [*chunk, *grid_params],
        )
    months = sorted({day.replace(day=1) for day in days})
    for month in months:
        SalesMonth.objects.filter(month=month).filter(_grid_q(touch.grids)).delete()
        _insert_months(
            f"day >= %s AND day < %s AND {grid_sql}", [month, _next_month(month), *grid_params]
        )
    customers = sorted(touch.customers)
    for chunk in _chunks(customers, CHUNK):
        marks = ", ".join(["%s"] * len(chunk))
        CustomerMonth.objects.filter(customer_id__in=chunk).delete()
        CustomerFirstOrder.objects.filter(customer_id__in=chunk).delete()
        _insert_customer_months(f"customer_id IN ({marks})", list(chunk))
        _insert_first_orders(f"customer_id IN ({marks})", list(chunk))


@transaction.atomic
def rollup_rebuild() -> dict[str, int]:
    """Recompute every rollup from the order lines; returns the rows written per table."""
    for model in (SalesMonth, SalesDay, CustomerMonth, CustomerFirstOrder):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_table(model)}")
    _insert_days("1 = 1", [], "1 = 1", [])
    _insert_months("1 = 1", [])
    _insert_customer_months("1 = 1", [])
    _insert_first_orders("1 = 1", [])
    return {
        model._meta.model_name: model.objects.count()
        for model in (SalesDay, SalesMonth, CustomerMonth, CustomerFirstOrder)
    }


# -- SQL ----------------------------------------------------------------------------------------


def _insert_days(sales_where: str, sales_params: list, returns_where: str, returns_params):
    lines = _table(OrderLine)
    _execute(
        f"""
        INSERT INTO {_table(SalesDay)} (day, grid_id, rep_id, sales, returned, orders, lines)
        SELECT d, g, r, SUM(s), SUM(ret), SUM(o), SUM(n) FROM (
            SELECT order_date AS d, grid_id AS g, rep_id AS r, SUM(amount) AS s, 0 AS ret,
                   COUNT(DISTINCT order_id) AS o, COUNT(*) AS n
            FROM {lines} WHERE status <> '{CANCELLED}' AND {sales_where}
            GROUP BY order_date, grid_id, rep_id
            UNION ALL
            SELECT return_date, grid_id, rep_id, 0, SUM(returned_amount), 0, 0
            FROM {lines}
            WHERE status <> '{CANCELLED}' AND return_date IS NOT NULL AND {returns_where}
            GROUP BY return_date, grid_id, rep_id
        ) u GROUP BY d, g, r
        """,
        [*sales_params, *returns_params],
    )


def _insert_months(where: str, params: list) -> None:
    month = _month_sql("day")
    _execute(
        f"""
        INSERT INTO {_table(SalesMonth)} (month, grid_id, rep_id, sales, returned, orders, lines)
        SELECT {month}, grid_id, rep_id, SUM(sales), SUM(returned), SUM(orders), SUM(lines)
        FROM {_table(SalesDay)} WHERE {where}
        GROUP BY {month}, grid_id, rep_id
        """,
        params,
    )


def _insert_customer_months(where: str, params: list) -> None:
    lines = _table(OrderLine)
    order_month, return_month = _month_sql("order_date"), _month_sql("return_date")
    _execute(
        f"""
        INSERT INTO {_table(CustomerMonth)}
            (month, customer_id, grid_id, rep_id, sales, returned, orders, lines)
        SELECT m, c, g, r, SUM(s), SUM(ret), SUM(o), SUM(n) FROM (
            SELECT {order_month} AS m, customer_id AS c, grid_id AS g, rep_id AS r,
                   SUM(amount) AS s, 0 AS ret, COUNT(DISTINCT order_id) AS o, COUNT(*) AS n
            FROM {lines} WHERE status <> '{CANCELLED}' AND {where}
            GROUP BY {order_month}, customer_id, grid_id, rep_id
            UNION ALL
            SELECT {return_month}, customer_id, grid_id, rep_id, 0, SUM(returned_amount), 0, 0
            FROM {lines} WHERE status <> '{CANCELLED}' AND return_date IS NOT NULL AND {where}
            GROUP BY {return_month}, customer_id, grid_id, rep_id
        ) u GROUP BY m, c, g, r
        """,
        [*params, *params],
    )


def _insert_first_orders(where: str, params: list) -> None:
    _execute(
        f"""
        INSERT INTO {_table(CustomerFirstOrder)} (customer_id, day, grid_id, rep_id)
        SELECT customer_id, order_date, grid_id, rep_id FROM (
            SELECT customer_id, order_date, grid_id, rep_id, ROW_NUMBER() OVER (
                PARTITION BY customer_id ORDER BY order_date, order_id, line_no
            ) AS rn
            FROM {_table(OrderLine)} WHERE status <> '{CANCELLED}' AND {where}
        ) t WHERE rn = 1
        """,
        params,
    )


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('month', {column}) AS date)"
    return f"DATE({column}, 'start of month')"


def _grid_filter(grids: set[int | None]) -> tuple[str, list]:
    ids = sorted(g for g in grids if g is not None)
    parts = []
    if ids:
        parts.append("grid_id IN ({})".format(", ".join(["%s"] * len(ids))))
    if None in grids:
        parts.append("grid_id IS NULL")
    return "(" + (" OR ".join(parts) or "1 = 0") + ")", ids


def _grid_q(grids: set[int | None]) -> Q:
    q = Q(grid_id__in=[g for g in grids if g is not None])
    if None in grids:
        q |= Q(grid__isnull=True)
    return q


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
