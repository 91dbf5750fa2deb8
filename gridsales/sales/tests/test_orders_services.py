"""Order services: amounts to the fen, line statuses and returns, totals, the grid on the
order date, copies on the lines, follow-ups, and the lines in the audit log."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gridsales.activities.models import Activity
from gridsales.care.models import FollowUpRule
from gridsales.core.models import ObjectChange
from gridsales.customers.services import customer_update
from gridsales.sales import orders
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.tests.factories import ORDER_DATE, OrderFactory, ProductFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def g1_order(world):
    def make(lines, **kwargs):
        return OrderFactory(
            customer=world.customers["CUS-G1"], rep=world.users["rep"], lines=lines, **kwargs
        )

    return make


@pytest.fixture
def product(db):
    return ProductFactory(code="WATER", list_price=D("3.50"))


def changes(order):
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Order), object_id=order.pk
    )


def messages(caught) -> dict:
    return caught.value.message_dict


def test_the_amount_is_quantity_times_price_less_the_discount_in_yuan(g1_order, product):
    order = g1_order(
        [{"product": product, "quantity": D("2"), "unit_price": D("50.00"), "discount": D("5.50")}]
    )
    line = order.lines.get()
    assert (line.amount, order.amount, order.status) == (D("94.50"), D("94.50"), "confirmed")


def test_amounts_are_rounded_half_up_to_the_fen(g1_order, product):
    # 0.333 × 10.05 = 3.34665 → 3.35; 0.5 × 0.05 = 0.025 → 0.03 (not banker's 0.02).
    order = g1_order(
        [
            {"product": product, "quantity": D("0.333"), "unit_price": D("10.05")},
            {"product": product, "quantity": D("0.5"), "unit_price": D("0.05")},
        ]
    )
    assert [line.amount for line in order.lines.all()] == [D("3.35"), D("0.03")]
    assert order.amount == D("3.38")


def test_the_unit_price_defaults_to_the_list_price(g1_order, product):
    order = g1_order([{"product": product, "quantity": D("4")}])
    line = order.lines.get()
    assert (line.unit_price, line.amount) == (D("3.50"), D("14.00"))


def test_a_given_amount_within_a_fen_is_kept_as_the_erp_wrote_it(g1_order, product):
    order = g1_order(
        [{"product": product, "quantity": D("3"), "unit_price": D("3.33"), "amount": D("10.00")}]
    )
    assert order.lines.get().amount == D("10.00")  # 9.99 computed
    orders.order_update(order=order, note="unchanged lines keep their amount")
    assert order.lines.get().amount == D("10.00")


def test_a_given_amount_off_by_more_than_a_fen_names_expected_and_given(g1_order, product):
    with pytest.raises(ValidationError) as caught:
        g1_order(
            [
                {
                    "product": product,
                    "quantity": D("2"),
                    "unit_price": D("50"),
                    "discount": D("5.5"),
                    "amount": D("95.00"),
                }
            ]
        )
    assert messages(caught)["lines"] == [
        "Line 1, Amount: The amount should be quantity × unit price − discount = 94.50, "
        "but 95.00 was given."
    ]
    assert not Order.objects.filter(customer__code="CUS-G1").exists()


def test_a_discount_larger_than_the_line_is_refused(g1_order, product):
    with pytest.raises(ValidationError) as caught:
        g1_order([{"product": product, "quantity": D("1"), "discount": D("4")}])
    assert messages(caught)["lines"] == [
        "Line 1, Discount: The discount 4 is more than quantity × unit price (3.50)."
    ]


def test_every_bad_line_is_reported_at_once(g1_order, product):
    with pytest.raises(ValidationError) as caught:
        g1_order(
            [
                {"product": product, "quantity": D("0")},
                {"product": product, "quantity": D("1"), "unit_price": D("-1")},
                {"product": product, "quantity": D("1"), "unit_price": D("1.234")},
            ]
        )
    assert messages(caught)["lines"] == [
        "Line 1, Quantity: The quantity must be more than zero.",
        "Line 2, Unit price: The unit price cannot be negative.",
        "Line 3, Unit price: Ensure that there are no more than 2 decimal places.",
    ]


def test_an_order_needs_a_line_and_a_unique_number(g1_order, product):
    g1_order([{"product": product, "quantity": D("1")}], number="SO-1")
    with pytest.raises(ValidationError) as caught:
        g1_order([], number="SO-1")
    assert messages(caught)["lines"] == ["An order needs at least one line."]
    assert messages(caught)["number"] == ["Order with this Order number already exists."]


def test_a_returned_line_needs_amount_and_date_not_before_the_order(g1_order, product):
    with pytest.raises(ValidationError) as caught:
        g1_order(
            [
                {"product": product, "quantity": D("2"), "status": "returned"},
                {
                    "product": product,
                    "quantity": D("2"),
                    "status": "returned",
                    "returned_amount": D("7.01"),
                    "return_date": ORDER_DATE - datetime.timedelta(days=1),
                },
            ]
        )
    assert messages(caught)["lines"] == [
        "Line 1, Returned amount: A returned line needs its returned amount: more than 0 and "
        "at most the line amount 7.00.",
        "Line 1, Return date: A returned line needs its return date.",
        "Line 2, Returned amount: The returned amount 7.01 is more than the line amount 7.00.",
        "Line 2, Return date: The return date 2026-03-01 is before the order date 2026-03-02.",
    ]


def test_confirmed_and_cancelled_lines_carry_no_return(g1_order, product):
    with pytest.raises(ValidationError) as caught:
        g1_order(
            [
                {"product": product, "quantity": D("1"), "returned_amount": D("1")},
                {
                    "product": product,
                    "quantity": D("1"),
                    "status": "cancelled",
                    "return_date": ORDER_DATE,
                },
            ]
        )
    assert messages(caught)["lines"] == [
        "Line 1, Returned amount: Only a returned line has a returned amount: set the status "
        "to returned, or leave it empty.",
        "Line 2, Return date: Only a returned line has a return date: set the status to "
        "returned, or leave it empty.",
    ]


def test_order_totals_skip_cancelled_lines_and_sum_the_returns(g1_order, product):
    order = g1_order(
        [
            {"product": product, "quantity": D("10")},  # 35.00
            {"product": product, "quantity": D("2"), "status": "cancelled"},  # 7.00, not counted
            {
                "product": product,
                "quantity": D("4"),  # 14.00
                "status": "returned",
                "returned_amount": D("3.50"),
                "return_date": ORDER_DATE,
            },
        ]
    )
    assert (order.amount, order.returned_amount, order.status) == (
        D("49.00"),
        D("3.50"),
        "returned",
    )


def test_an_order_whose_lines_are_all_cancelled_is_cancelled(g1_order, product):
    order = g1_order([{"product": product, "quantity": D("1"), "status": "cancelled"}])
    assert (order.amount, order.status) == (D("0.00"), "cancelled")


def test_cancelling_a_line_updates_the_order(g1_order, product):
    order = g1_order(
        [{"product": product, "quantity": D("1")}, {"product": product, "quantity": D("2")}]
    )
    line = orders.order_line_cancel(line=order.lines.get(line_no=1))
    order.refresh_from_db()
    assert (line.status, order.amount, order.status) == ("cancelled", D("7.00"), "confirmed")
    with pytest.raises(ValidationError) as caught:
        orders.order_line_cancel(line=line)
    assert caught.value.messages == ["Line 1 is already cancelled."]


def test_returns_add_up_to_at_most_the_line_amount(g1_order, product):
    order = g1_order([{"product": product, "quantity": D("4")}])  # 14.00
    first = ORDER_DATE + datetime.timedelta(days=3)
    line = orders.order_line_return(line=order.lines.get(), amount=D("4.00"), on=first)
    line = orders.order_line_return(line=line, amount=D("6.00"), on=ORDER_DATE)
    order.refresh_from_db()
    assert (line.status, line.returned_amount, line.return_date) == ("returned", D("10.00"), first)
    assert (order.amount, order.returned_amount, order.status) == (
        D("14.00"),
        D("10.00"),
        "returned",
    )
    with pytest.raises(ValidationError) as caught:
        orders.order_line_return(line=line, amount=D("4.01"), on=first)
    assert caught.value.messages == [
        "Line 1, Returned amount: The returned amount 14.01 is more than the line amount 14.00."
    ]


def test_a_returned_line_cannot_be_cancelled_nor_a_cancelled_one_returned(g1_order, product):
    order = g1_order(
        [{"product": product, "quantity": D("1")}, {"product": product, "quantity": D("1")}]
    )
    returned = orders.order_line_return(
        line=order.lines.get(line_no=1), amount=D("1"), on=ORDER_DATE
    )
    cancelled = orders.order_line_cancel(line=order.lines.get(line_no=2))
    with pytest.raises(ValidationError):
        orders.order_line_cancel(line=returned)
    with pytest.raises(ValidationError) as caught:
        orders.order_line_return(line=cancelled, amount=D("1"), on=ORDER_DATE)
    assert caught.value.messages == ["Line 2 is cancelled; a cancelled line cannot be returned."]


def test_the_grid_is_the_customers_grid_on_the_order_date_and_stays(world, g1_order, product):
    order = g1_order([{"product": product, "quantity": D("1")}])
    assert order.grid == world.grids["R1-A1-G1"]
    customer_update(customer=world.customers["CUS-G1"], current_grid=world.grids["R1-A1-G2"])
    orders.order_update(order=order, note="edited after the move", rep=world.users["gridmanager"])
    order.refresh_from_db()
    line = order.lines.get()
    assert (order.grid.code, line.grid.code) == ("R1-A1-G1", "R1-A1-G1")
    assert (line.rep, order.rep) == (world.users["gridmanager"], world.users["gridmanager"])
    # A new date is a new question: the customer was in R1-A1-G2 by then.
    today = timezone.localdate()
    orders.order_update(order=order, order_date=today)
    order.refresh_from_db()
    line = order.lines.get()
    assert (order.grid.code, line.grid.code, line.order_date) == ("R1-A1-G2", "R1-A1-G2", today)


def test_changing_the_customer_recomputes_the_grid_on_every_line(world, g1_order, product):
    order = g1_order(
        [{"product": product, "quantity": D("1")}, {"product": product, "quantity": D("2")}]
    )
    orders.order_update(order=order, customer=world.customers["CUS-R2"])
    assert set(order.lines.values_list("grid__code", "customer__code")) == {("R2-A1-G1", "CUS-R2")}
    assert Order.objects.get(pk=order.pk).grid.code == "R2-A1-G1"


def test_an_update_with_lines_changes_adds_and_removes_them(g1_order, product):
    other = ProductFactory(code="JUICE", list_price=D("8.00"))
    order = g1_order(
        [{"product": product, "quantity": D("1")}, {"product": product, "quantity": D("2")}]
    )
    orders.order_update(
        order=order,
        lines=[{"line_no": 2, "quantity": D("5")}, {"product": other, "quantity": D("1")}],
    )
    rows = list(order.lines.values_list("line_no", "product__code", "amount"))
    assert rows == [(2, "WATER", D("17.50")), (3, "JUICE", D("8.00"))]
    assert Order.objects.get(pk=order.pk).amount == D("25.50")


def test_a_returned_line_keeps_its_return_date_after_the_order_date(g1_order, product):
    order = g1_order([{"product": product, "quantity": D("1")}])
    orders.order_line_return(line=order.lines.get(), amount=D("1"), on=ORDER_DATE)
    with pytest.raises(ValidationError) as caught:
        orders.order_update(order=order, order_date=ORDER_DATE + datetime.timedelta(days=1))
    assert caught.value.message_dict["lines"] == [
        "Line 1, Return date: The return date 2026-03-02 is before the order date 2026-03-03."
    ]


def test_the_audit_record_of_an_order_holds_its_lines(g1_order, product):
    order = g1_order([{"product": product, "quantity": D("1")}])
    created = changes(order).filter(action="create").get()
    assert created.after["lines"][0] | {"product": None} == {
        "line_no": 1,
        "product": None,
        "quantity": "1.000",
        "unit_price": "3.50",
        "discount": "0.00",
        "amount": "3.50",
        "status": "confirmed",
        "returned_amount": "0.00",
        "return_date": None,
    }
    # A change of the lines alone (3 × 1.00 → 1 × 3.00) still leaves a record.
    orders.order_update(
        order=order, lines=[{"line_no": 1, "quantity": D("3"), "unit_price": D("1.00")}]
    )
    update = changes(order).filter(action="update").get()
    assert [line["quantity"] for line in update.before["lines"]] == ["1.000"]
    assert [line["quantity"] for line in update.after["lines"]] == ["3.000"]
    orders.order_delete(order=order)
    deleted = changes(order).filter(action="delete").get()
    assert deleted.before["lines"][0]["quantity"] == "3.000" and deleted.after is None
    assert not OrderLine.objects.filter(order_id=order.pk).exists()


def test_a_new_order_plans_the_follow_ups_of_the_rules(world, g1_order, product):
    FollowUpRule.objects.create(name="三日回访", trigger="order", delay_days=3)
    today = timezone.localdate()
    order = g1_order([{"product": product, "quantity": D("1")}], order_date=today)
    follow_up = Activity.objects.get(origin_order=order)
    assert (follow_up.owner, follow_up.customer) == (world.users["rep"], world.customers["CUS-G1"])
    assert timezone.localtime(follow_up.planned_at).date() == today + datetime.timedelta(days=3)
    orders.order_update(order=order, note="an update plans nothing more")
    assert Activity.objects.filter(origin_order=order).count() == 1
