"""The done-when test of the orders: orders imported from a GBK-encoded CSV keep the grid
they had on their date after the customer moves to another grid — in the database, in
`gridsales export orders`, and after re-importing the same file."""

import csv
import datetime
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from gridsales.customers.models import CustomerGridAssignment
from gridsales.customers.services import customer_update
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.tests.factories import ProductFactory

HEADER = ",".join(COLUMNS) + "\n"
ERP_FILE = HEADER + (
    "SO-2026-0001,1,2026-01-15,CUS-G1,rep,WATER,10,2.50,,25.00,已确认,,\n"
    "SO-2026-0001,2,2026-01-15,CUS-G1,rep,TEA,2,4.00,0.50,7.50,已退货,3.00,2026-01-20\n"
    "SO-2026-0002,1,2026/2/3,CUS-G1,rep,WATER,4,2.50,,,已确认,,\n"
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def grids_in_db() -> set:
    orders = set(Order.objects.values_list("number", "grid__code"))
    lines = set(OrderLine.objects.values_list("order__number", "grid__code"))
    assert {n for n, _g in lines} == {n for n, _g in orders}
    return orders | lines


def grids_exported(tmp_path, name: str) -> set:
    target = tmp_path / name
    call_command("export", "orders", "--format", "csv", "--output", str(target))
    with open(target, encoding="utf-8-sig", newline="") as fh:
        return {(row["order_no"], row["grid_code"]) for row in csv.DictReader(fh)}


def test_imported_orders_keep_the_grid_of_their_date_after_the_customer_moves(world, tmp_path):
    ProductFactory(code="WATER", list_price=D("2.50"))
    ProductFactory(code="TEA", list_price=D("4.00"))
    source = tmp_path / "erp-orders.csv"
    source.write_bytes(ERP_FILE.encode("gbk"))
    call_command("import", "orders", str(source))
    before = {("SO-2026-0001", "R1-A1-G1"), ("SO-2026-0002", "R1-A1-G1")}
    assert grids_in_db() == before
    assert Order.objects.get(number="SO-2026-0001").amount == D("32.50")

    # The customer is moved to R2-A1-G1: its open history row is closed, a new one opened.
    customer = world.customers["CUS-G1"]
    customer_update(customer=customer, current_grid=world.grids["R2-A1-G1"])
    history = CustomerGridAssignment.objects.filter(customer=customer).order_by("valid_from")
    assert [(h.grid.code, h.valid_to is None) for h in history] == [
        ("R1-A1-G1", False),
        ("R2-A1-G1", True),
    ]

    assert grids_in_db() == before
    assert grids_exported(tmp_path, "after-move.csv") == before

    call_command("import", "orders", str(source))  # the same GBK file again
    assert grids_in_db() == before
    assert grids_exported(tmp_path, "after-reimport.csv") == before

    # A file exported after the move re-imports unchanged too, grid_code and all.
    exported = tmp_path / "after-move.csv"
    call_command("import", "orders", str(exported))
    assert grids_in_db() == before

    # New orders are placed by their own date: today's in the new grid, January's in the old.
    today = timezone.localdate().isoformat()
    more = tmp_path / "more.csv"
    more.write_bytes(
        (
            HEADER
            + f"SO-2026-0003,1,{today},CUS-G1,rep,WATER,1,2.50,,,已确认,,\n"
            + "SO-2026-0004,1,2026-01-20,CUS-G1,rep,WATER,1,2.50,,,已确认,,\n"
        ).encode("gbk")
    )
    call_command("import", "orders", str(more))
    assert dict(Order.objects.values_list("number", "grid__code")) == {
        "SO-2026-0001": "R1-A1-G1",
        "SO-2026-0002": "R1-A1-G1",
        "SO-2026-0003": "R2-A1-G1",
        "SO-2026-0004": "R1-A1-G1",
    }
    assert Order.objects.get(number="SO-2026-0004").order_date == datetime.date(2026, 1, 20)
