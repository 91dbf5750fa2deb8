"""The rules of an order line and of an order's totals, shared by the order services
(sales/orders.py) and the order import (sales/order_io.py). No database access.

- amount = quantity × unit price − discount (the discount is an amount in yuan, not a
  rate), rounded half up to the fen; a given amount may differ from it by at most 0.01
  (ERP rounding) and is then kept as given;
- confirmed and cancelled lines carry no return; a returned line has a returned amount
  (0 < returned ≤ amount) and a return date not before the order date;
- an order's amount is the sum of its non-cancelled lines, its returned amount the sum of
  the returns; it is "returned" if any line is, "cancelled" if every line is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from gridsales.core.money import to_fen
from gridsales.sales.choices import OrderLineStatus

AMOUNT_TOLERANCE = Decimal("0.01")
ZERO = Decimal("0")
STATUSES = frozenset(OrderLineStatus.values)


def line_amount(quantity: Decimal, unit_price: Decimal, discount: Decimal) -> Decimal:
    """quantity × unit price − discount, rounded half up to the fen."""
    return to_fen(quantity * unit_price - discount)


def line_problems(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount: Decimal,
    amount: Decimal | None,
    status: str,
    returned_amount: Decimal | None,
    return_date: dt.date | None,
    order_date: dt.date,
) -> tuple[Decimal | None, list[tuple[str, str]]]:
    """The amount to store for one line and its problems as (field, message) pairs.

    `amount` None: computed. `returned_amount` None or 0 and `return_date` None: no return.
    """
    problems: list[tuple[str, str]] = []
    if quantity <= ZERO:
        problems.append(("quantity", _("The quantity must be more than zero.")))
    if unit_price < ZERO:
        problems.append(("unit_price", _("The unit price cannot be negative.")))
    if discount < ZERO:
        problems.append(
            (
                "discount",
                _("The discount cannot be negative: it is the amount in yuan taken off the line."),
            )
        )
    if problems:
        return None, problems
    expected = line_amount(quantity, unit_price, discount)
    if expected < ZERO:
        gross = to_fen(quantity * unit_price)
        problems.append(
            (
                "discount",
                _("The discount {discount} is more than quantity × unit price ({gross}).").format(
                    discount=discount, gross=gross
                ),
            )
        )
        return None, problems
    if amount is not None and abs(amount - expected) > AMOUNT_TOLERANCE:
        problems.append(
            (
                "amount",
                _(
                    "The amount should be quantity × unit price − discount = {expected}, but {given} was given."
                ).format(expected=expected, given=amount),
            )
        )
        return None, problems
    stored = expected if amount is None else amount
    returned = returned_amount or ZERO
    if status not in STATUSES:
        problems.append(
            (
                "status",
                _("Unknown status; use one of: {choices}.").format(
                    choices=", ".join(OrderLineStatus.values)
                ),
            )
        )
    elif status == OrderLineStatus.RETURNED:
        if returned <= ZERO:
            problems.append(
                (
                    "returned_amount",
                    _(
                        "A returned line needs its returned amount: more than 0 and at most the line amount {amount}."
                    ).format(amount=stored),
                )
            )
        elif returned > stored:
            problems.append(
                (
                    "returned_amount",
                    _(
                        "The returned amount {returned} is more than the line amount {amount}."
                    ).format(returned=returned, amount=stored),
                )
            )
        if return_date is None:
            problems.append(("return_date", _("A returned line needs its return date.")))
        elif return_date < order_date:
            problems.append(
                (
                    "return_date",
                    _("The return date {date} is before the order date {order_date}.").format(
                        date=return_date.isoformat(), order_date=order_date.isoformat()
                    ),
                )
            )
    else:
        if returned != ZERO:
            problems.append(
                (
                    "returned_amount",
                    _(
                        "Only a returned line has a returned amount: set the status to returned, or leave it empty."
                    ),
                )
            )
        if return_date is not None:
            problems.append(
                (
                    "return_date",
                    _(
                        "Only a returned line has a return date: set the status to returned, or leave it empty."
                    ),
                )
            )
    return stored, problems


def order_totals(lines: Iterable[tuple[Decimal, str, Decimal]]) -> tuple[Decimal, Decimal, str]:
    """(amount, returned amount, status) of an order from its lines' (amount, status,
    returned amount): cancelled lines count for nothing; returned if any line is returned,
    cancelled if every line is."""
    amount = returned = ZERO
    statuses = set()
    for line_amount_, status, line_returned in lines:
        statuses.add(status)
        if status != OrderLineStatus.CANCELLED:
            amount += line_amount_
        returned += line_returned or ZERO
    if OrderLineStatus.RETURNED in statuses:
        status = OrderLineStatus.RETURNED.value
    elif statuses == {OrderLineStatus.CANCELLED}:
        status = OrderLineStatus.CANCELLED.value
    else:
        status = OrderLineStatus.CONFIRMED.value
    return amount, returned, status
