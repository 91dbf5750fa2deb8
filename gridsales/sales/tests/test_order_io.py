"""`gridsales import|export orders`: the contract, encodings and XLSX cells, idempotency by
(order_no, line_no), every error path, order-level agreement, scope, follow-ups, the CLI,
and no query per row."""

import csv
import datetime
import io
from decimal import Decimal as D

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from gridsales.activities.models import Activity
from gridsales.care.models import FollowUpRule
from gridsales.core.io.runner import run_import
from gridsales.core.models import ImportRun
from gridsales.sales.io import EXPORTERS
from gridsales.sales.models import Order, OrderLine, Product
from gridsales.sales.order_io import COLUMNS
from gridsales.sales.tests.factories import ProductFactory
from gridsales.team.models import RepProfile

HEADER = ",".join(COLUMNS) + "\n"
GOOD = HEADER + (
    "SO-1,1,2026-03-02,CUS-G1,rep,WATER,10,2.50,1.00,24.00,已确认,,\n"
    "SO-1,2,2026/3/2,CUS-G1,rep,TEA,2,4.00,,,Returned,3.00,2026-03-09\n"
    "SO-1,3,2026-03-02,CUS-G1,rep,TEA,1,4.00,0,4.00,已取消,,\n"
    'SO-2,1,2026-03-05,CUS-R2,rep2,WATER,"1,000",2.50,0,"2,500.00",confirmed,,\n'
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def catalogue(world):
    return {
        "WATER": ProductFactory(code="WATER", list_price=D("2.50")),
        "TEA": ProductFactory(code="TEA", list_price=D("4.00")),
    }


def do_import(text: str, name: str = "orders.csv", encoding: str = "utf-8", user=None, **kw):
    return run_import("orders", user=user, data=text.encode(encoding), file_name=name, **kw)


def errors(report) -> list[tuple]:
    return [(e.row, e.column, e.value, e.reason) for e in report.errors]


def export(user=None, fmt="csv", params=None) -> bytes:
    out = io.BytesIO()
    EXPORTERS["orders"].write(user=user, fmt=fmt, stream=out, params=params)
    return out.getvalue()


def test_it_imports_lines_into_orders_with_totals_and_the_grid(world, catalogue):
    report = do_import(GOOD)
    assert (report.rows, report.created, report.written, report.errors) == (4, 4, True, [])
    first = Order.objects.get(number="SO-1")
    assert (first.amount, first.returned_amount, first.status, first.source) == (
        D("32.00"),  # 24.00 + 8.00; the cancelled line counts for nothing
        D("3.00"),
        "returned",
        "import",
    )
    assert (first.grid.code, first.rep.username, first.order_date) == (
        "R1-A1-G1",
        "rep",
        datetime.date(2026, 3, 2),
    )
    lines = first.lines.values_list("line_no", "status", "amount", "returned_amount", "return_date")
    assert list(lines) == [
        (1, "confirmed", D("24.00"), D("0.00"), None),
        (2, "returned", D("8.00"), D("3.00"), datetime.date(2026, 3, 9)),
        (3, "cancelled", D("4.00"), D("0.00"), None),
    ]
    second = Order.objects.get(number="SO-2")
    assert (second.amount, second.grid.code) == (D("2500.00"), "R2-A1-G1")
    assert set(OrderLine.objects.values_list("grid__code", "rep__username", "customer__code")) == {
        ("R1-A1-G1", "rep", "CUS-G1"),
        ("R2-A1-G1", "rep2", "CUS-R2"),
    }
    run = ImportRun.objects.get()
    assert (run.kind, run.created, run.user_name) == ("orders", 4, "system")


def test_re_importing_the_same_file_writes_nothing(world, catalogue):
    do_import(GOOD)
    stamps = list(Order.objects.order_by("pk").values_list("updated_at", flat=True))
    report = do_import(GOOD)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 4)
    assert list(Order.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps


def test_a_changed_row_updates_its_line_and_new_lines_join_the_order(world, catalogue):
    do_import(GOOD)
    changed = HEADER + (
        "SO-1,1,2026-03-02,CUS-G1,rep,WATER,20,2.50,1.00,,confirmed,,\n"
        "SO-1,4,2026-03-02,CUS-G1,rep,TEA,1,4.00,,,confirmed,,\n"
    )
    report = do_import(changed)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    order = Order.objects.get(number="SO-1")
    # Lines 2 and 3, left out of the file, stay: 49.00 + 8.00 + 4.00 (line 3 cancelled).
    assert list(order.lines.values_list("line_no", "amount")) == [
        (1, D("49.00")),
        (2, D("8.00")),
        (3, D("4.00")),
        (4, D("4.00")),
    ]
    assert (order.amount, order.status) == (D("61.00"), "returned")


def test_a_new_date_moves_every_line_of_the_order(world, catalogue):
    do_import(GOOD)
    report = do_import(HEADER + "SO-1,1,2026-03-03,CUS-G1,rep2,WATER,10,2.50,1.00,24.00,,,\n")
    assert (report.updated, report.errors) == (1, [])
    assert set(
        OrderLine.objects.filter(order__number="SO-1").values_list("order_date", "rep__username")
    ) == {(datetime.date(2026, 3, 3), "rep2")}


def test_reps_are_found_by_employee_number(world, catalogue):
    RepProfile.objects.filter(user=world.users["rep2"]).update(employee_no="E1002")
    report = do_import(HEADER + "SO-9,1,2026-03-02,CUS-R2,E1002,WATER,1,2.50,,,,,\n")
    assert report.ok and Order.objects.get(number="SO-9").rep == world.users["rep2"]


def test_xlsx_cells_with_real_dates_and_numbers_import(world, catalogue):
    book = openpyxl.Workbook()
    book.active.append(list(COLUMNS))
    book.active.append(
        ["SO-X", 1, datetime.datetime(2026, 3, 2), "CUS-G1", "rep", "WATER", 3, 2.5, 0.25]
        + [7.25, "已退货", 1, datetime.date(2026, 3, 4)]
    )
    out = io.BytesIO()
    book.save(out)
    report = run_import("orders", user=None, data=out.getvalue(), file_name="o.xlsx")
    assert report.errors == []
    line = OrderLine.objects.get(order__number="SO-X")
    assert (line.amount, line.returned_amount, line.return_date) == (
        D("7.25"),
        D("1.00"),
        datetime.date(2026, 3, 4),
    )


def test_chinese_column_titles_are_accepted(world, catalogue):
    header = "订单编号,行号,订单日期,客户编码,业务员,产品编码,数量,单价,折扣,金额,状态,退货金额,退货日期\n"
    report = do_import(
        header + "SO-Z,1,2026-03-02,CUS-G1,rep,WATER,2,2.50,,,已确认,,\n", encoding="gbk"
    )
    assert report.ok and Order.objects.get(number="SO-Z").amount == D("5.00")


def test_every_bad_cell_is_reported_with_row_column_value_and_reason(world, catalogue):
    text = HEADER + (
        "SO-E,x,2026-02-30,CUS-NONE,nobody,NOPE,1.2345,2.505,-,12,maybe,,2026-13-01\n"
        "SO-F,1,2026-03-02,CUS-G1,rep,WATER,2,2.50,1.00,5.00,confirmed,,\n"
        "SO-F,2,2026-03-02,CUS-G1,rep,WATER,2,2.50,9.00,,confirmed,,\n"
        "SO-F,3,2026-03-02,CUS-G1,rep,WATER,0,2.50,,,returned,,\n"
        "SO-F,4,2026-03-02,CUS-G1,rep,WATER,1,2.50,,,cancelled,1.00,2026-03-05\n"
        "SO-F,5,2026-03-02,CUS-G1,rep,WATER,2,2.50,,,returned,5.01,2026-03-01\n"
        ",1,2026-03-02,CUS-G1,rep,WATER,1,2.50,,,,,\n"
    )
    report = do_import(text)
    number = "Not a number: write digits with a decimal point, e.g. 1234.50."
    date = "Not a date: write it as YYYY-MM-DD, e.g. 2026-03-02."
    assert errors(report) == [
        (2, "line_no", "x", "Not a line number: write a whole number from 1."),
        (2, "order_date", "2026-02-30", date),
        (2, "customer_code", "CUS-NONE", "No customer with this code."),
        (2, "rep", "nobody", "No user with this username or employee number."),
        (2, "product_code", "NOPE", "No product with this code."),
        (2, "quantity", "1.2345", "At most 3 decimals."),
        (2, "unit_price", "2.505", "At most 2 decimals."),
        (2, "discount", "-", number),
        (
            2,
            "status",
            "maybe",
            "Unknown status; use one of: confirmed, cancelled, returned, 已确认, 已取消, 已退货.",
        ),
        (2, "return_date", "2026-13-01", date),
        (
            3,
            "amount",
            "5.00",
            "The amount should be quantity × unit price − discount = 4.00, but 5.00 was given.",
        ),
        (4, "discount", "9.00", "The discount 9.00 is more than quantity × unit price (5.00)."),
        (5, "quantity", "0", "The quantity must be more than zero."),
        (
            6,
            "returned_amount",
            "1.00",
            "Only a returned line has a returned amount: set the status to returned, or leave "
            "it empty.",
        ),
        (
            6,
            "return_date",
            "2026-03-05",
            "Only a returned line has a return date: set the status to returned, or leave it "
            "empty.",
        ),
        (
            7,
            "returned_amount",
            "5.01",
            "The returned amount 5.01 is more than the line amount 5.00.",
        ),
        (
            7,
            "return_date",
            "2026-03-01",
            "The return date 2026-03-01 is before the order date 2026-03-02.",
        ),
        (8, "order_no", "", "An order number is required."),
    ]
    assert not report.written and not Order.objects.exists()


def test_a_returned_line_without_amount_or_date_is_refused(world, catalogue):
    report = do_import(HEADER + "SO-R,1,2026-03-02,CUS-G1,rep,WATER,2,2.50,,,已退货,,\n")
    assert errors(report) == [
        (
            2,
            "returned_amount",
            "",
            "A returned line needs its returned amount: more than 0 and at most the line "
            "amount 5.00.",
        ),
        (2, "return_date", "", "A returned line needs its return date."),
    ]


def test_the_lines_of_an_order_must_agree_on_date_customer_and_rep(world, catalogue):
    text = HEADER + (
        "SO-A,1,2026-03-02,CUS-G1,rep,WATER,1,2.50,,,,,\n"
        "SO-A,2,2026-03-03,CUS-G1,rep,WATER,1,2.50,,,,,\n"
        "SO-A,3,2026-03-02,CUS-G2,rep,WATER,1,2.50,,,,,\n"
        "SO-A,4,2026-03-02,CUS-G1,gridmanager,WATER,1,2.50,,,,,\n"
        "SO-A,1,2026-03-02,CUS-G1,rep,WATER,1,2.50,,,,,\n"
    )
    rule = "every line of an order must have the same order_date, customer_code and rep."
    assert errors(do_import(text)) == [
        (3, "order_date", "2026-03-03", f"Order SO-A has order_date “2026-03-02” in row 2: {rule}"),
        (4, "customer_code", "CUS-G2", f"Order SO-A has customer_code “CUS-G1” in row 2: {rule}"),
        (5, "rep", "gridmanager", f"Order SO-A has rep “rep” in row 2: {rule}"),
        (6, "line_no", "1", "Line 1 of order SO-A appears twice (first in row 2)."),
    ]


def test_skip_invalid_skips_every_line_of_an_order_with_a_bad_line(world, catalogue):
    text = GOOD + "SO-2,2,2026-03-05,CUS-R2,rep2,WATER,x,2.50,,,,,\n"
    report = do_import(text, skip_invalid=True)
    assert (report.created, report.skipped, report.written) == (3, 2, True)
    assert not Order.objects.filter(number="SO-2").exists()
    assert [(w.row, w.reason) for w in report.warnings] == [
        (5, "Skipped with the other lines of this order (one of them is wrong).")
    ]


def test_missing_columns_reject_the_file(world):
    report = do_import("order_no,line_no\nA,1\n")
    assert errors(report)[0][3].startswith(
        "Required columns are missing: order_date, customer_code, rep, product_code, quantity, "
        "unit_price."
    )


def test_the_export_re_imports_unchanged_in_both_formats(world, catalogue):
    do_import(GOOD)
    for fmt, name in (("csv", "o.csv"), ("xlsx", "o.xlsx")):
        report = run_import("orders", user=None, data=export(fmt=fmt), file_name=name)
        assert (report.unchanged, report.created, report.updated, report.errors) == (4, 0, 0, []), (
            fmt
        )


def test_the_export_writes_one_row_per_line_with_the_grid_code(world, catalogue):
    do_import(GOOD)
    rows = list(csv.DictReader(io.StringIO(export().decode("utf-8-sig"))))
    assert [(r["order_no"], r["line_no"], r["grid_code"]) for r in rows] == [
        ("SO-1", "1", "R1-A1-G1"),
        ("SO-1", "2", "R1-A1-G1"),
        ("SO-1", "3", "R1-A1-G1"),
        ("SO-2", "1", "R2-A1-G1"),
    ]
    assert rows[1] | {"grid_code": ""} == {
        "order_no": "SO-1",
        "line_no": "2",
        "order_date": "2026-03-02",
        "customer_code": "CUS-G1",
        "rep": "rep",
        "product_code": "TEA",
        "quantity": "2",
        "unit_price": "4.00",
        "discount": "0.00",
        "amount": "8.00",
        "status": "returned",
        "returned_amount": "3.00",
        "return_date": "2026-03-09",
        "grid_code": "",
    }


@pytest.mark.parametrize("persona", ["analyst", "finance", "rep", "rep2", "outsider"])
def test_only_admins_directors_and_managers_import_orders(world, catalogue, persona):
    with pytest.raises(PermissionDenied):
        do_import(GOOD, user=world.users[persona])


def test_managers_import_only_orders_of_customers_in_their_grids(world, catalogue):
    report = do_import(GOOD, user=world.users["gridmanager"])
    assert errors(report) == [
        (5, "customer_code", "CUS-R2", "No customer with this code."),
        (5, "rep", "rep2", "No user with this username or employee number."),
    ]
    text = HEADER + "SO-G2,1,2026-03-02,CUS-G2,rep,WATER,1,2.50,,,,,\n"
    assert errors(do_import(text, user=world.users["regional"])) == []
    text = HEADER + "SO-NG,1,2026-03-02,CUS-NOGRID,rep,WATER,1,2.50,,,,,\n"
    assert errors(do_import(text, user=world.users["regional"])) == [
        (2, "customer_code", "CUS-NOGRID", "No customer with this code.")
    ]
    report = do_import(text, user=world.users["admin"])
    assert report.written


def test_a_manager_cannot_overwrite_an_order_recorded_elsewhere(world, catalogue):
    do_import(GOOD)
    # SO-2 belongs to CUS-R2 in R2; the file now names CUS-G1, which the manager manages.
    text = HEADER + "SO-2,1,2026-03-05,CUS-G1,rep,WATER,1,2.50,,,,,\n"
    assert errors(do_import(text, user=world.users["gridmanager"])) == [
        (2, "order_no", "SO-2", "An order with this number exists outside what you may change.")
    ]


def test_new_orders_get_their_follow_ups_once(world, catalogue):
    FollowUpRule.objects.create(name="回访", trigger="order", delay_days=2)
    today = timezone.localdate().isoformat()
    text = HEADER + f"SO-T,1,{today},CUS-G1,rep,WATER,1,2.50,,,,,\n"
    do_import(text)
    do_import(text.replace(",1,2.50,", ",2,2.50,"))
    follow_ups = Activity.objects.filter(origin_order__number="SO-T")
    assert follow_ups.count() == 1 and follow_ups.get().owner == world.users["rep"]


def test_validation_needs_no_query_per_row(world, catalogue, django_assert_max_num_queries):
    rows = "".join(
        f"SO-{i // 3},{i % 3 + 1},2026-03-02,CUS-G1,rep,WATER,1,2.50,,,,,\n" for i in range(600)
    )
    with django_assert_max_num_queries(40):
        report = do_import(HEADER + rows)
    assert report.created == 600


def test_the_commands_import_and_export_orders(world, catalogue, tmp_path, capsys):
    source = tmp_path / "orders.csv"
    source.write_bytes(GOOD.encode("gbk"))
    call_command("import", "orders", str(source))
    assert "Encoding: gb18030" in capsys.readouterr().out
    target = tmp_path / "orders.xlsx"
    call_command("export", "orders", "--format", "xlsx", "--output", str(target))
    rows = list(openpyxl.load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == (*COLUMNS, "grid_code") and len(rows) == 5
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "SO-B,1,2026-03-02,CUS-G1,rep,WATER,x,2.50,,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import", "orders", str(bad))
    assert caught.value.returncode == 2
    assert "row 2, column quantity, value “x”" in capsys.readouterr().err


def test_a_grid_member_who_does_not_manage_it_cannot_import_its_orders(world, catalogue):
    from gridsales.accounts.models import User
    from gridsales.team.tests.factories import MembershipFactory

    MembershipFactory(user=world.users["gridmanager"], grid=world.grids["R1-A1-G2"])
    manager = User.objects.get(username="gridmanager")  # a fresh scope
    text = HEADER + "SO-G2,1,2026-03-02,CUS-G2,gridmanager,WATER,1,2.50,,,,,\n"
    assert errors(do_import(text, user=manager)) == [
        (2, "customer_code", "CUS-G2", "The customer is outside the grids you manage.")
    ]


def test_the_bench_imports_and_re_imports_then_leaves_nothing_behind(db):
    out = io.StringIO()
    call_command(
        "bench",
        "import-orders",
        "--lines",
        "300",
        "--customers",
        "40",
        "--products",
        "9",
        stdout=out,
    )
    text = out.getvalue()
    assert "300 lines" in text and "first error" not in text
    assert "300 rows: 0 created, 0 updated, 300 unchanged, 0 skipped." in text
    assert not Order.objects.exists() and not Product.objects.exists()
