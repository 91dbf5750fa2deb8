"""Two years of demo orders: the fact table every report reads.

Orders are drawn per customer: how often depends on the tier (A orders most), the type
and the status (dormant and lost customers stopped ordering a while ago); the dates follow
the year's rhythm (the Spring Festival dip, the Golden Week, busy quarter- and month-ends,
quiet weekends). Each order is credited, with all its lines, to the grid the customer was
in and the rep who served it on the order date (gridsales.demo.history). Money is counted
in integer fen and converted to Decimal exactly: a line's amount is quantity × unit price
rounded half up to the fen, minus the discount.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.utils import timezone

from gridsales.customers.choices import CustomerStatus, CustomerType
from gridsales.demo.catalogue import (
    NEW_PRODUCTS_LAUNCHED_DAYS_AGO,
    TYPE_COLUMN,
    Catalogue,
    draw_products,
)
from gridsales.demo.history import Calendar, History, np_rng
from gridsales.demo.plan import Progress
from gridsales.demo.rows import adapt_datetime, insert_values, next_pk, reset_sequences
from gridsales.sales.choices import OrderLineStatus, OrderSource
from gridsales.sales.models import Order, OrderLine

ORDER_CHUNK = 5000

# Orders per year of a customer that orders all year round, before scaling to the
# requested number of lines: tier first, then type and status.
TIER_RATE = {"A": 20.0, "B": 9.0, "C": 4.0, "D": 1.8}
TYPE_RATE = {
    CustomerType.ENTERPRISE: 1.0,
    CustomerType.SME: 0.9,
    CustomerType.GOVERNMENT: 0.8,
    CustomerType.INDIVIDUAL: 0.5,
}
STATUS_RATE = {CustomerStatus.ACTIVE: 1.0, CustomerStatus.DORMANT: 0.7, CustomerStatus.LOST: 0.6}
# Bigger customers buy more of a thing (seats, months, devices).
TIER_QUANTITY = {"A": 2.0, "B": 1.4, "C": 1.0, "D": 0.7}
TYPE_QUANTITY = {
    CustomerType.ENTERPRISE: 1.2,
    CustomerType.SME: 0.6,
    CustomerType.GOVERNMENT: 1.0,
    CustomerType.INDIVIDUAL: 0.3,
}
# Negotiated prices: the biggest price cut (basis points) a tier gets.
TIER_PRICE_CUT = {"A": 1500, "B": 1000, "C": 600, "D": 300}
LINES_PER_ORDER = (np.array([1, 2, 3, 4]), np.array([0.45, 0.30, 0.15, 0.10]))
TERM_MONTHS = (np.array([1, 3, 6, 12]), np.array([0.2, 0.15, 0.2, 0.45]))
CANCELLED_ORDERS = 0.012
CANCELLED_LINES = 0.008
RETURNED_LINES = 0.015

# 春节 (day 1 of the lunar year): orders stop for about a week before and after.
SPRING_FESTIVAL = {
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23),
    2032: dt.date(2032, 2, 11),
}
MONTH_FACTOR = [0.95, 0.8, 1.0, 1.0, 1.0, 1.1, 0.95, 0.9, 1.05, 0.95, 1.1, 1.3]
YEARLY_GROWTH = 1.12


@dataclass
class Orders:
    """What the order builder wrote, for the follow-ups and the summary."""

    ids: np.ndarray
    customer: np.ndarray  # customer index (History order)
    day: np.ndarray
    rep: np.ndarray
    cancelled: np.ndarray  # every line cancelled
    lines: int
    revenue_fen: int


def day_weights(cal: Calendar) -> np.ndarray:
    """Relative order volume of each day of the history (mean 1)."""
    dates = [cal.date(d) for d in range(cal.days)]
    w = np.array([MONTH_FACTOR[d.month - 1] for d in dates])
    weekday = cal.weekday(np.arange(cal.days))
    w *= np.where(weekday == 5, 0.35, np.where(weekday == 6, 0.2, 1.0))
    for i, d in enumerate(dates):
        next_month = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        to_month_end = (next_month - d).days
        if to_month_end <= 3:
            w[i] *= 1.8 if d.month % 3 == 0 else 1.5
        festival = SPRING_FESTIVAL.get(d.year)
        if festival is not None and -5 <= (d - festival).days <= 8:
            w[i] *= 0.35
        if d.month == 10 and d.day <= 7:
            w[i] *= 0.3
    w *= YEARLY_GROWTH ** (np.arange(cal.days) / 365.0)
    return w / w.mean()


def order_windows(history: History, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """First and last day on which each customer may order (last < first: never)."""
    cal = history.calendar
    n = len(history)
    first = np.maximum(history.created, 0)
    # Some active customers are new business won during the two years.
    joined = gen.random(n) < 0.15
    first = np.where(joined, np.maximum(first, gen.integers(0, cal.days - 30, n)), first)
    last = np.full(n, cal.days - 1, dtype=np.int64)
    dormant = history.status == CustomerStatus.DORMANT
    lost = history.status == CustomerStatus.LOST
    last[dormant] = cal.days - 1 - gen.integers(180, 420, int(dormant.sum()))
    last[lost] = cal.days - 1 - gen.integers(300, 650, int(lost.sum()))
    never = ~np.isin(history.status, list(STATUS_RATE))
    last[never] = -1
    return first, last


def order_lines_target(customers: int, lines_per_customer: float) -> int:
    return round(customers * lines_per_customer)


def build_orders(
    *,
    history: History,
    catalogue: Catalogue,
    lines_per_customer: float,
    seed: int,
    progress: Progress,
) -> Orders:
    """Draw and write the orders and their lines (≈ lines_per_customer per customer)."""
    gen = np_rng(seed, "orders")
    n = len(history)
    weights = day_weights(history.calendar)
    cum = np.concatenate([[0.0], np.cumsum(weights)])
    first, last = order_windows(history, gen)
    span = np.where(last >= first, cum[np.maximum(last, first) + 1] - cum[first], 0.0)
    rate = np.array(
        [
            TIER_RATE[history.tier[i]]
            * TYPE_RATE.get(history.type[i], 1.0)
            * STATUS_RATE.get(history.status[i], 0.0)
            for i in range(n)
        ]
    )
    expected = rate * span / 365.0
    wanted_orders = order_lines_target(n, lines_per_customer) / float(
        LINES_PER_ORDER[0] @ LINES_PER_ORDER[1]
    )
    scale = wanted_orders / expected.sum() if expected.sum() else 0.0
    counts = gen.poisson(expected * scale)

    customer = np.repeat(np.arange(n), counts)
    low, high = cum[first[customer]], cum[last[customer] + 1]
    u = low + gen.random(len(customer)) * (high - low)
    day = np.clip(np.searchsorted(cum, u, side="right") - 1, first[customer], last[customer])
    order = np.lexsort((gen.random(len(customer)), day))
    customer, day = customer[order], day[order]

    grid = np.empty(len(customer), dtype=np.int64)
    rep = np.empty(len(customer), dtype=np.int64)
    for k, (i, d) in enumerate(zip(customer.tolist(), day.tolist(), strict=True)):
        grid[k] = history.grid_on(i, d)
        rep[k] = history.rep_on(i, d)

    lines = _draw_lines(history, catalogue, customer, day, gen)
    ids = _write(history, customer, day, grid, rep, lines, progress)
    live = np.bincount(lines["order"], weights=lines["status"] != 1, minlength=len(customer))
    return Orders(
        ids=ids,
        customer=customer,
        day=day,
        rep=rep,
        cancelled=live == 0,
        lines=len(lines["order"]),
        revenue_fen=int(lines["amount"][lines["status"] != 1].sum()),
    )


def _draw_lines(history, catalogue: Catalogue, customer, day, gen) -> dict[str, np.ndarray]:
    """Products, quantities, prices, discounts and statuses of every line, as arrays."""
    cal = history.calendar
    n_orders = len(customer)
    per_order = gen.choice(LINES_PER_ORDER[0], size=n_orders, p=LINES_PER_ORDER[1])
    order = np.repeat(np.arange(n_orders), per_order)
    ctype = np.array([TYPE_COLUMN.get(t, 1) for t in history.type])[customer[order]]
    launched = day[order] >= cal.days - NEW_PRODUCTS_LAUNCHED_DAYS_AGO
    product = draw_products(catalogue, ctype, launched, gen)
    # One line per product in an order: draw repeats again, drop the few left.
    for _round in range(4):
        repeat = np.ones(len(order), dtype=bool)
        repeat[np.unique(order * len(catalogue.ids) + product, return_index=True)[1]] = False
        if not repeat.any():
            break
        product[repeat] = draw_products(catalogue, ctype[repeat], launched[repeat], gen)
    keep = np.zeros(len(order), dtype=bool)
    keep[np.unique(order * len(catalogue.ids) + product, return_index=True)[1]] = True
    order, product, ctype = order[keep], product[keep], ctype[keep]
    starts = np.searchsorted(order, order, side="left")
    line_no = np.arange(len(order)) - starts + 1

    tiers = history.tier[customer[order]]
    types = history.type[customer[order]]
    tier_q = np.array([TIER_QUANTITY[t] for t in tiers])
    type_q = np.array([TYPE_QUANTITY.get(t, 1.0) for t in types])
    raw = catalogue.typical[product] * tier_q * type_q * np.exp(gen.normal(0.0, 0.55, len(order)))
    step = catalogue.step[product]
    quantity = np.maximum(step, np.round(raw * 1000 / step).astype(np.int64) * step)
    months = gen.choice(TERM_MONTHS[0], size=len(order), p=TERM_MONTHS[1]) * 1000
    quantity = np.where(catalogue.term[product], months, quantity)

    price = catalogue.price_fen[product].copy()
    cut_max = np.array([TIER_PRICE_CUT[t] for t in tiers])
    negotiated = gen.random(len(order)) < 0.35
    cut = (gen.random(len(order)) * cut_max).astype(np.int64)
    price = np.where(negotiated, (price * (10000 - cut) + 5000) // 10000, price)
    gross = (quantity * price + 500) // 1000  # half up to the fen (all positive)

    discount = np.zeros(len(order), dtype=np.int64)
    discounted = (gen.random(len(order)) < 0.12) & (gross >= 1000)
    rate_bp = gen.integers(200, 1000, len(order))
    by_rate = (gross * rate_bp + 5000) // 10000
    fixed = gen.choice(np.array([2000, 5000, 10000, 20000, 50000]), len(order))
    discount = np.where(discounted, np.where(fixed * 2 < gross, fixed, by_rate), discount)
    amount = gross - discount

    status = np.zeros(len(order), dtype=np.int64)  # 0 confirmed, 1 cancelled, 2 returned
    cancelled_orders = gen.random(n_orders) < CANCELLED_ORDERS
    status[cancelled_orders[order] | (gen.random(len(order)) < CANCELLED_LINES)] = 1
    line_day = day[order]
    may_return = (status == 0) & (line_day <= cal.days - 3) & (amount > 0)
    returned = may_return & (gen.random(len(order)) < RETURNED_LINES)
    status[returned] = 2
    partial = gen.random(len(order)) < 0.4
    share_bp = gen.integers(1000, 9000, len(order))
    returned_amount = np.where(
        returned,
        np.where(partial, np.maximum(1, (amount * share_bp + 5000) // 10000), amount),
        0,
    )
    return_day = np.where(
        returned,
        np.minimum(line_day + gen.integers(2, 60, len(order)), cal.days - 1),
        -1,
    )
    return {
        "order": order,
        "line_no": line_no,
        "product": product,
        "product_id": catalogue.ids[product],
        "quantity": quantity,
        "price": price,
        "discount": discount,
        "amount": amount,
        "status": status,
        "returned_amount": returned_amount,
        "return_day": return_day,
    }


LINE_STATUS = [
    s.value
    for s in (OrderLineStatus.CONFIRMED, OrderLineStatus.CANCELLED, OrderLineStatus.RETURNED)
]
ORDER_COLUMNS = [
    "id",
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
]
LINE_COLUMNS = [
    "order_id",
    "line_no",
    "product_id",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
    "order_date",
    "customer_id",
    "grid_id",
    "rep_id",
]


def fen(value: int) -> Decimal:
    """Integer fen as an exact two-place Decimal."""
    return Decimal(int(value)).scaleb(-2)


def _write(history, customer, day, grid, rep, lines, progress) -> np.ndarray:
    """Insert the orders (in date order) and their lines, a chunk of orders at a time."""
    cal = history.calendar
    n_orders = len(customer)
    counted = lines["status"] != 1
    amount = np.zeros(n_orders, dtype=np.int64)
    np.add.at(amount, lines["order"], lines["amount"] * counted)
    returned = np.zeros(n_orders, dtype=np.int64)
    np.add.at(returned, lines["order"], lines["returned_amount"])
    any_returned = np.bincount(lines["order"], weights=lines["status"] == 2, minlength=n_orders)
    live = np.bincount(lines["order"], weights=counted, minlength=n_orders)
    status = np.where(any_returned > 0, 2, np.where(live == 0, 1, 0))
    dates = [cal.date(d) for d in range(cal.days)]
    # Order numbers: SO + date + a running number within the day.
    seq = np.arange(n_orders) - np.searchsorted(day, day, side="left") + 1
    ids = np.arange(n_orders, dtype=np.int64) + next_pk(Order)
    customer_ids = history.ids[customer]
    line_start = np.searchsorted(lines["order"], np.arange(n_orders + 1), side="left")
    # Plain Python ints: numpy scalars are slow to index and to convert one by one.
    line_order = lines["order"].tolist()
    line_statuses = lines["status"].tolist()
    line_no = lines["line_no"].tolist()
    product_ids = lines["product_id"].tolist()
    quantity = lines["quantity"].tolist()
    price = lines["price"].tolist()
    discount = lines["discount"].tolist()
    line_amount = lines["amount"].tolist()
    line_returned = lines["returned_amount"].tolist()
    return_day = lines["return_day"].tolist()
    stamp = adapt_datetime(timezone.now())
    order_ids, days, customers = ids.tolist(), day.tolist(), customer_ids.tolist()
    grids, reps = grid.tolist(), rep.tolist()
    progress("orders", 0, n_orders)
    for begin in range(0, n_orders, ORDER_CHUNK):
        end = min(begin + ORDER_CHUNK, n_orders)
        insert_values(
            Order,
            ORDER_COLUMNS,
            [
                (
                    order_ids[k],
                    f"SO{dates[days[k]]:%Y%m%d}{seq[k]:05d}",
                    dates[days[k]],
                    customers[k],
                    reps[k],
                    grids[k],
                    LINE_STATUS[status[k]],
                    fen(amount[k]),
                    fen(returned[k]),
                    "CNY",
                    OrderSource.IMPORT.value,
                    "",
                    stamp,
                    stamp,
                )
                for k in range(begin, end)
            ],
        )
        values = []
        for j in range(line_start[begin], line_start[end]):
            k = line_order[j]
            line_status = line_statuses[j]
            values.append(
                (
                    order_ids[k],
                    line_no[j],
                    product_ids[j],
                    Decimal(quantity[j]).scaleb(-3),
                    fen(price[j]),
                    fen(discount[j]),
                    fen(line_amount[j]),
                    LINE_STATUS[line_status],
                    fen(line_returned[j]),
                    dates[return_day[j]] if line_status == 2 else None,
                    dates[days[k]],
                    customers[k],
                    grids[k],
                    reps[k],
                )
            )
        insert_values(OrderLine, LINE_COLUMNS, values)
        progress("orders", end, n_orders)
    reset_sequences(Order)
    return ids
