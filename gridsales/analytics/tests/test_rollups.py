"""The rollups equal a recomputation from the lines after every kind of write."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.management import call_command

from gridsales.analytics.models import CustomerFirstOrder, SalesDay, SalesMonth
from gridsales.analytics.tests.factories import (
    kpi_world,
    recomputed,
    recomputed_in_python,
    rollup_snapshot,
    rollups_as_python,
)
from gridsales.core.io.runner import run_import
from gridsales.customers.services import customer_update
from gridsales.sales import orders
from gridsales.sales.models import Order
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.tests.factories import ProductFactory


def assert_current() -> None:
    assert rollups_as_python() == recomputed_in_python()
    kept = rollup_snapshot()
    assert kept == recomputed()


def test_order_writes_keep_the_rollups_equal_to_a_rebuild(world):
    kpi_world(world)
    assert_current()
    g1 = world.grids["R1-A1-G1"].pk
    rep = world.users["rep"].pk
    march = SalesMonth.objects.get(month=dt.date(2026, 3, 1), grid_id=g1, rep_id=rep)
    assert (march.sales, march.returned, march.orders, march.lines) == (
        D("161.83"),
        D("15.00"),
        2,
        3,
    )


def test_an_update_that_moves_an_order_to_another_month_moves_its_cells(world):
    made = kpi_world(world)
    orders.order_update(order=made["O1"], order_date=dt.date(2026, 4, 1))
    assert_current()
    assert not SalesDay.objects.filter(day=dt.date(2026, 3, 2)).exists()
    assert SalesDay.objects.get(day=dt.date(2026, 4, 1)).sales == D("133.33")


def test_a_changed_line_amount_and_a_new_line_are_counted(world):
    made = kpi_world(world)
    order = made["O4"]
    product = order.lines.get().product
    orders.order_update(
        order=order,
        lines=[
            {"line_no": 1, "quantity": D("2")},
            {"product": product, "quantity": D("1"), "unit_price": D("0.01")},
        ],
    )
    assert_current()
    cell = SalesDay.objects.get(day=dt.date(2026, 3, 15))
    assert (cell.sales, cell.orders, cell.lines) == (D("160.01"), 1, 2)


def test_cancelling_a_line_removes_it_and_a_fully_cancelled_order_counts_no_order(world):
    made = kpi_world(world)
    orders.order_line_cancel(line=made["O4"].lines.get())
    assert_current()
    assert not SalesDay.objects.filter(day=dt.date(2026, 3, 15)).exists()


def test_a_second_return_moves_the_returned_amount_to_the_later_date(world):
    made = kpi_world(world)
    line = made["O1"].lines.get(line_no=1)
    orders.order_line_return(line=line, amount=D("20.00"), on=dt.date(2026, 3, 25))
    orders.order_line_return(
        line=made["O1"].lines.get(line_no=1), amount=D("1.00"), on=dt.date(2026, 4, 2)
    )
    assert_current()
    assert SalesDay.objects.get(day=dt.date(2026, 4, 2)).returned == D("21.00")
    assert not SalesDay.objects.filter(day=dt.date(2026, 3, 25)).exists()


def test_deleting_an_order_removes_its_cells_and_moves_the_first_order(world):
    made = kpi_world(world)
    orders.order_delete(order=made["O0"])
    assert_current()
    first = CustomerFirstOrder.objects.get(customer=world.customers["CUS-G1"])
    assert first.day == dt.date(2026, 3, 2)


def test_changing_the_customer_of_an_order_moves_it_to_the_new_customers_grid(world):
    made = kpi_world(world)
    orders.order_update(order=made["O4"], customer=world.customers["CUS-G1"])
    assert_current()
    assert Order.objects.get(number="O4").grid == world.grids["R1-A1-G1"]
    assert not CustomerFirstOrder.objects.filter(customer=world.customers["CUS-R2"]).exists()


def test_a_reassigned_customer_keeps_its_recorded_numbers(world):
    kpi_world(world)
    before = rollup_snapshot()
    customer_update(customer=world.customers["CUS-G1"], current_grid=world.grids["R2-A1-G1"])
    assert rollup_snapshot() == before
    assert recomputed() == before


def test_an_import_refreshes_the_cells_it_touches(world):
    kpi_world(world)
    ProductFactory(code="WATER")
    header = ",".join(COLUMNS) + "\n"
    first = header + (
        "SO-1,1,2026-03-02,CUS-G1,rep,WATER,10,2.50,1.00,24.00,已确认,,\n"
        "SO-1,2,2026-03-02,CUS-G1,rep,WATER,2,4.00,,,Returned,3.00,2026-03-09\n"
        "SO-2,1,2026-02-05,CUS-R2,rep2,WATER,1,2.50,0,2.50,confirmed,,\n"
    )
    report = run_import("orders", user=None, data=first.encode(), file_name="o.csv")
    assert report.written, report.errors
    assert_current()
    assert CustomerFirstOrder.objects.get(customer=world.customers["CUS-R2"]).day == dt.date(
        2026, 2, 5
    )
    again = header + (
        "SO-1,1,2026-04-02,CUS-G1,rep,WATER,10,2.50,1.00,24.00,已取消,,\n"
        "SO-2,1,2026-02-05,CUS-R2,rep2,WATER,3,2.50,0,7.50,confirmed,,\n"
    )
    report = run_import("orders", user=None, data=again.encode(), file_name="o.csv")
    assert report.written, report.errors
    assert_current()


def test_the_rebuild_command_recomputes_everything(world, capsys):
    kpi_world(world)
    kept = rollup_snapshot()
    SalesDay.objects.all().delete()
    call_command("analytics", "rebuild")
    assert rollup_snapshot() == kept
    assert "salesday:" in capsys.readouterr().out


@pytest.mark.parametrize("when", [dt.date(2026, 3, 31), dt.date(2026, 4, 1)])
def test_month_cells_are_the_sum_of_their_days(world, when):
    made = kpi_world(world)
    orders.order_update(order=made["O3"], order_date=when)
    month = when.replace(day=1)
    days = SalesDay.objects.filter(day__gte=month, day__lt=dt.date(2026, 5, 1))
    months = SalesMonth.objects.filter(month__gte=month, month__lt=dt.date(2026, 5, 1))
    assert sum(d.sales for d in days) == sum(m.sales for m in months)
