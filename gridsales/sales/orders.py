"""Writes for orders and their lines: the fact table of every sale.

The rules of a line and of the totals are in sales/order_rules.py (shared with the
import). The order's grid is the customer's grid **on the order date**
  (customers.selectors.grids_on) and is recomputed only when the date or the customer
  changes, never by a later reassignment; every line copies the order's date, customer,
  grid and rep.

Lines are audited through their order: each service puts the lines before and after into
the order's audit record (key "lines").
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridsales.analytics.services import rollup_sales_refresh, sales_touch
from gridsales.care.choices import FollowUpTrigger
from gridsales.care.followups import FollowUpEvent, followups_schedule
from gridsales.core.audit import record, snapshot
from gridsales.core.models import ObjectChange
from gridsales.customers.selectors import grids_on
from gridsales.sales.choices import OrderLineStatus, OrderSource
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.order_rules import ZERO, line_problems, order_totals

ORDER_FIELDS = ("number", "order_date", "customer", "rep", "note")
LINE_FIELDS = (
    "line_no",
    "product",
    "quantity",
    "unit_price",
    "discount",
    "amount",
    "status",
    "returned_amount",
    "return_date",
)


# -- services ---------------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    number: str,
    order_date: dt.date,
    customer,
    rep,
    lines: list[dict],
    note: str = "",
    source: str = OrderSource.MANUAL,
) -> Order:
    """Record a new order with its lines, in the customer's grid on the order date, and
    plan the follow-up visits the rules ask for after an order.

    `lines`: dicts with `product`, `quantity`, and optionally `line_no` (default: the next
    number), `unit_price` (default: the product's list price), `discount` (yuan, default
    0), `amount` (checked against the computed one), `status`, `returned_amount`,
    `return_date`.
    """
    order = Order(
        number=number,
        order_date=order_date,
        customer=customer,
        rep=rep,
        note=note,
        source=source,
    )
    order.grid_id = _grid_on(order.customer_id, order.order_date)
    built = _validated(order, lines, existing={})
    since = _last_change_id()
    order.save()
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    _audit_lines(order, since, before=None, after=_snap(built))
    rollup_sales_refresh(order_ids=[order.pk])
    followups_schedule(
        events=[
            FollowUpEvent(
                trigger=FollowUpTrigger.ORDER,
                customer_id=order.customer_id,
                owner_id=order.rep_id,
                on=order.order_date,
                order_id=order.pk,
            )
        ]
    )
    return order


@transaction.atomic
def order_update(*, order: Order, lines: list[dict] | None = None, **fields) -> Order:
    """Change an order's fields (any of ORDER_FIELDS) and, when `lines` is given, its lines.

    `lines` is the complete new set: a dict with the `line_no` of an existing line changes
    that line (the keys it leaves out keep their values; a status other than returned
    clears the return), one without `line_no` adds a line, and existing lines left out are
    removed. The grid is recomputed only when the date or the customer changes.
    """
    old_date, old_customer = order.order_date, order.customer_id
    touched = sales_touch(order_ids=[order.pk])
    for name in ORDER_FIELDS:
        if name in fields:
            setattr(order, name, fields[name])
    if order.order_date != old_date or order.customer_id != old_customer:
        order.grid_id = _grid_on(order.customer_id, order.order_date)
    existing = {line.line_no: line for line in order.lines.select_related("product")}
    before = _snap(existing.values())
    if lines is None:
        lines = [{"line_no": number} for number in existing]
    built = _validated(order, lines, existing=existing)
    since = _last_change_id()
    order.save()
    kept = {line.line_no for line in built}
    removed = [line.pk for number, line in existing.items() if number not in kept]
    if removed:
        OrderLine.objects.filter(pk__in=removed).delete()
    old = [line for line in built if line.pk is not None]
    new = [line for line in built if line.pk is None]
    for line in new:
        line.order = order
    if old:
        OrderLine.objects.bulk_update(old, [f for f in _LINE_COLUMNS if f != "order"])
    OrderLine.objects.bulk_create(new)
    _audit_lines(order, since, before=before, after=_snap(built))
    rollup_sales_refresh(order_ids=[order.pk], before=touched)
    return order


@transaction.atomic
def order_line_cancel(*, line: OrderLine) -> OrderLine:
    """Cancel one line: it counts for nothing from now on (the order's totals follow)."""
    if line.status == OrderLineStatus.CANCELLED:
        raise ValidationError(_("Line {line} is already cancelled.").format(line=line.line_no))
    if line.status == OrderLineStatus.RETURNED:
        raise ValidationError(
            _("Line {line} has a return recorded; a returned line cannot be cancelled.").format(
                line=line.line_no
            )
        )
    return _change_line(line, status=OrderLineStatus.CANCELLED)


@transaction.atomic
def order_line_return(*, line: OrderLine, amount: Decimal, on: dt.date) -> OrderLine:
    """Record a return of `amount` yuan on date `on`. A line returned again adds the new
    amount to its returned amount (at most the line amount) and keeps the later date."""
    if line.status == OrderLineStatus.CANCELLED:
        raise ValidationError(
            _("Line {line} is cancelled; a cancelled line cannot be returned.").format(
                line=line.line_no
            )
        )
    if amount is None or amount <= ZERO:
        raise ValidationError({"amount": _("The returned amount must be more than zero.")})
    total, day = amount, on
    if line.status == OrderLineStatus.RETURNED:
        total = line.returned_amount + amount
        day = max(line.return_date, on) if line.return_date else on
    return _change_line(
        line, status=OrderLineStatus.RETURNED, returned_amount=total, return_date=day
    )


@transaction.atomic
def order_delete(*, order: Order) -> None:
    """Delete an order and its lines (its audit record keeps them)."""
    before = _snap(order.lines.all())
    touched = sales_touch(order_ids=[order.pk])
    since = _last_change_id()
    pk = order.pk
    order.delete()
    order.pk = pk
    _audit_lines(order, since, before=before, after=None)
    rollup_sales_refresh(order_ids=[], before=touched)


# -- helpers ------------------------------------------------------------------------------------

_LINE_COLUMNS = (
    "order",
    "line_no",
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
)


def _grid_on(customer_id: int | None, day: dt.date | None) -> int | None:
    if customer_id is None or day is None:
        return None
    return grids_on([(customer_id, day)])[(customer_id, day)]


def _change_line(line: OrderLine, **changes) -> OrderLine:
    order = line.order
    specs = [{"line_no": other.line_no} for other in order.lines.exclude(pk=line.pk)]
    specs.append({"line_no": line.line_no, **changes})
    order_update(order=order, lines=specs)
    return order.lines.select_related("product").get(line_no=line.line_no)


def _validated(order: Order, specs: list[dict], *, existing: dict[int, OrderLine]) -> list:
    """The order's lines built from `specs` (see order_update), with the order's totals
    set; raises one ValidationError with every problem of the order and its lines."""
    errors: dict[str, list[str]] = {}
    try:
        order.full_clean(exclude=["amount", "returned_amount", "status"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    line_errors: list[str] = []
    if not specs:
        line_errors.append(_("An order needs at least one line."))
    taken = {spec["line_no"] for spec in specs if spec.get("line_no")}
    next_no = max([*taken, *existing, 0]) + 1
    seen: set[int] = set()
    built: list[OrderLine] = []
    for spec in specs:
        unknown = set(spec) - set(LINE_FIELDS)
        if unknown:
            raise TypeError(f"unknown line fields: {sorted(unknown)}")
        number = spec.get("line_no")
        if not number:
            number, next_no = next_no, next_no + 1
        if number in seen:
            line_errors.append(_("Line {line} appears twice.").format(line=number))
            continue
        seen.add(number)
        line = existing.get(number) or OrderLine(line_no=number)
        problems = _apply(line, spec, order)
        line_errors += [
            _("Line {line}, {field}: {message}").format(
                line=number, field=OrderLine._meta.get_field(field).verbose_name, message=message
            )
            for field, message in problems
        ]
        built.append(line)
    if line_errors:
        errors["lines"] = line_errors
    if errors:
        raise ValidationError(errors)
    order.amount, order.returned_amount, order.status = order_totals(
        (line.amount, line.status, line.returned_amount) for line in built
    )
    return built


def _apply(line: OrderLine, spec: dict, order: Order) -> list[tuple[str, str]]:
    """Set `spec` on `line` (new or existing) and the order's copies; its problems."""
    new = line.pk is None
    priced = (line.quantity, line.unit_price, line.discount)
    if "product" in spec:
        line.product = spec["product"]
    if new and spec.get("unit_price") is None and line.product_id is not None:
        line.unit_price = line.product.list_price
    for name in ("quantity", "unit_price", "discount"):
        if spec.get(name) is not None:
            setattr(line, name, Decimal(spec[name]))
    if line.discount is None:
        line.discount = ZERO
    if "status" in spec and spec["status"]:
        line.status = spec["status"]
        if line.status != OrderLineStatus.RETURNED:
            line.returned_amount, line.return_date = ZERO, None
    if "returned_amount" in spec:
        line.returned_amount = Decimal(spec["returned_amount"] or 0)
    if "return_date" in spec:
        line.return_date = spec["return_date"]
    line.order_date, line.customer_id = order.order_date, order.customer_id
    line.grid_id, line.rep_id = order.grid_id, order.rep_id
    problems: list[tuple[str, str]] = []
    try:
        # The copies come from the order, which validates them.
        line.clean_fields(exclude=["order", "amount", "customer", "grid", "rep"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems += [(field, message) for message in messages]
        return problems
    given = spec.get("amount")
    if (given is None or given == "") and not new:
        if (line.quantity, line.unit_price, line.discount) == priced:
            given = line.amount  # an amount stored as given (ERP rounding) stays as it is
    amount, problems = line_problems(
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount=line.discount,
        amount=None if given is None or given == "" else Decimal(given),
        status=line.status,
        returned_amount=line.returned_amount,
        return_date=line.return_date,
        order_date=order.order_date,
    )
    if amount is not None:
        line.amount = amount
        try:
            line.clean_fields(
                exclude=[f.name for f in OrderLine._meta.fields if f.name != "amount"]
            )
        except ValidationError as exc:
            problems += [("amount", m) for m in exc.message_dict.get("amount", [])]
    return problems


def _snap(lines) -> list[dict]:
    """The lines as the audit log keeps them (decimals at their stored precision)."""
    return [
        {
            "line_no": line.line_no,
            "product": line.product_id,
            "quantity": f"{line.quantity:.3f}",
            "unit_price": f"{line.unit_price:.2f}",
            "discount": f"{line.discount:.2f}",
            "amount": f"{line.amount:.2f}",
            "status": line.status,
            "returned_amount": f"{line.returned_amount:.2f}",
            "return_date": line.return_date.isoformat() if line.return_date else None,
        }
        for line in sorted(lines, key=lambda line: line.line_no)
    ]


def _last_change_id() -> int:
    return ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _audit_lines(order: Order, since: int, *, before, after) -> None:
    """Put the lines into the order's audit record of this save, or, when only the lines
    changed (the order's own fields did not), write an update record for them."""
    if before == after:
        return
    change = (
        ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(Order),
            object_id=order.pk,
            pk__gt=since,
        )
        .order_by("-pk")
        .first()
    )
    if change is None:
        state = snapshot(order)
        record(order, "update", {**state, "lines": before}, {**state, "lines": after})
        return
    if change.before is not None:
        change.before = {**change.before, "lines": before}
    if change.after is not None:
        change.after = {**change.after, "lines": after}
    change.save(update_fields=["before", "after"])
