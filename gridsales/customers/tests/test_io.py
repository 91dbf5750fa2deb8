"""Customer import/export: formats, encodings, every error path, idempotency, scope, CLI."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridsales.core.io.runner import run_import
from gridsales.core.io.tabular import read_table
from gridsales.core.models import ImportRun, ObjectChange
from gridsales.customers.models import Customer
from gridsales.grids import crs

HEADER = "code,name,lat,lng,tier,status,tags,owner,grid_code\n"
GOOD = HEADER + (
    'NEW-1,新客户一,31.2,121.5,A,活跃客户,"VIP,重点客户",rep,R1-A1-G1\n'
    "NEW-2,新客户二,,,B,lead,,,R1-A1-G2\n"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def do_import(data: bytes, name: str = "customers.csv", user=None, **kwargs):
    return run_import("customers", user=user, data=data, file_name=name, **kwargs)


def errors(report) -> list[tuple]:
    return [(e.row, e.column, e.value, e.reason) for e in report.errors]


@pytest.mark.parametrize(
    "encoding,detected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030")],
)
def test_it_detects_the_encoding(encoding, detected):
    table = read_table(csv_bytes(GOOD, encoding), "x.csv")
    assert table.encoding == detected
    assert table.headers[:2] == ["code", "name"]
    assert [n for n, _v in table.rows] == [2, 3]
    assert table.rows[0][1][1] == "新客户一"


def test_it_imports_new_customers_with_labels_in_chinese(world):
    report = do_import(csv_bytes(GOOD, "gbk"))
    assert errors(report) == []
    assert (report.created, report.updated, report.unchanged, report.encoding) == (
        2,
        0,
        0,
        "gb18030",
    )
    one = Customer.objects.get(code="NEW-1")
    assert (one.name, one.tier, one.status, one.tags) == (
        "新客户一",
        "A",
        "active",
        ["VIP", "重点客户"],
    )
    assert (one.owner.username, one.current_grid.code, one.lat, one.lng) == (
        "rep",
        "R1-A1-G1",
        31.2,
        121.5,
    )
    two = Customer.objects.get(code="NEW-2")
    assert (two.lat, two.owner, two.current_grid.code) == (None, None, "R1-A1-G2")
    # A grid named in the file is a person's placement: pinned against reassignment.
    assert one.grid_pinned and two.grid_pinned


def test_importing_the_same_file_twice_changes_nothing_the_second_time(world):
    do_import(csv_bytes(GOOD))
    changes = ObjectChange.objects.count()
    report = do_import(csv_bytes(GOOD))
    assert report.counts() == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2, "skipped": 0}
    # One audit record: the ImportRun of the second run (the assignment moved nobody).
    assert ObjectChange.objects.count() == changes + 1
    assert ImportRun.objects.count() == 2


def test_it_updates_existing_customers_by_code(world):
    data = HEADER + "CUS-G1,改名客户,31.0,121.0,B,dormant,,rep,R1-A1-G1\n"
    report = do_import(csv_bytes(data))
    assert (report.created, report.updated) == (0, 1)
    customer = Customer.objects.get(code="CUS-G1")
    assert (customer.name, customer.tier, customer.status) == ("改名客户", "B", "dormant")


def test_it_writes_one_summary_audit_record_per_import(world):
    report = do_import(csv_bytes(GOOD), name="/tmp/some/path/customers.csv")
    run = ImportRun.objects.get()
    assert (run.kind, run.file_name, run.created, run.user) == (
        "customers",
        "customers.csv",
        2,
        None,
    )
    runs = ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(ImportRun))
    assert [(c.action, c.object_repr) for c in runs] == [("create", "customers customers.csv")]
    # No record per customer: bulk writes bypass the signals.
    per_customer = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Customer), object_id__in=report.object_ids
    )
    assert not per_customer.exists()


def test_gcj02_coordinates_are_stored_as_wgs84(world):
    gcj_lng, gcj_lat = crs.wgs84_to_gcj02(121.5, 31.2)
    data = f"code,name,lat,lng\nGCJ-1,火星,{gcj_lat!r},{gcj_lng!r}\n"
    report = do_import(csv_bytes(data), options={"crs": "gcj02"})
    assert report.ok
    customer = Customer.objects.get(code="GCJ-1")
    assert customer.source_crs == "gcj02"
    assert customer.lng == pytest.approx(121.5, abs=1e-7)
    assert customer.lat == pytest.approx(31.2, abs=1e-7)
    # Re-importing the same GCJ-02 file is recognised as unchanged.
    again = do_import(csv_bytes(data), options={"crs": "gcj02"})
    assert (again.unchanged, again.updated) == (1, 0)


def test_it_reads_xlsx_with_numbers_for_codes(world):
    data = xlsx_bytes([["code", "name", "lat", "lng"], [1001, "表格客户", 31.2, 121.5]])
    report = do_import(data, name="c.xlsx")
    assert (report.ok, report.encoding, report.created) == (True, "xlsx", 1)
    assert Customer.objects.get(code="1001").lat == 31.2


def test_chinese_column_titles_are_understood(world):
    data = "客户编码,客户名称,纬度,经度,客户等级\nZH-1,中文表头,31.2,121.5,A类\n"
    report = do_import(csv_bytes(data, "gbk"))
    assert errors(report) == []
    assert Customer.objects.get(code="ZH-1").tier == "A"


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    data = HEADER + (
        "BAD-1,坏纬度,north,121.5,,,,,\n"
        "BAD-2,未知网格,31.2,121.5,,,,,NOPE\n"
        "BAD-1,重复,31.2,121.5,,,,,\n"
        ",无编码,31.2,121.5,,,,,\n"
        "BAD-3,超范围,95,121.5,Z,,,ghost,R1-A1\n"
        "BAD-4,,31.2,,,,,,\n"
        "GOOD-1,好的,31.2,121.5,,,,,\n"
    )
    report = do_import(csv_bytes(data))
    got = errors(report)
    assert (2, "lat", "north", "Not a number.") in got
    assert (3, "grid_code", "NOPE", "No grid with this code.") in got
    assert (4, "code", "BAD-1", "The code appears twice in the file (first in row 2).") in got
    assert (5, "code", "", "A code is required.") in got
    assert (6, "tier", "Z", "Unknown value; use one of: A, B, C, D.") in got
    assert (6, "owner", "ghost", "No active user with this username.") in got
    assert (
        6,
        "grid_code",
        "R1-A1",
        "Customers belong to leaf grids; this grid has sub-grids.",
    ) in got
    assert (7, "lat", "31.2", "Give both latitude and longitude, or neither.") in got, got
    assert report.skipped == 6 and not report.written
    assert not Customer.objects.filter(code__in=["GOOD-1", "BAD-1"]).exists()
    assert ImportRun.objects.count() == 0


def test_model_validation_messages_name_the_column(world):
    data = "code,name,lat,lng\nBAD CODE!,名字,95,121.5\n"
    got = errors(do_import(csv_bytes(data)))
    assert (2, "lat", "95", "Ensure this value is less than or equal to 90.") in got
    assert any(row == 2 and col == "code" for row, col, _v, _r in got)


def test_skip_invalid_writes_the_valid_rows(world):
    data = HEADER + "BAD-1,坏纬度,north,121.5,,,,,\nGOOD-1,好的,31.2,121.5,,,,,\n"
    report = do_import(csv_bytes(data), skip_invalid=True)
    assert (report.created, report.skipped, report.written) == (1, 1, True)
    assert list(
        Customer.objects.filter(code__startswith="GOOD").values_list("code", flat=True)
    ) == ["GOOD-1"]
    assert ImportRun.objects.get().errors[0]["row"] == 2


def test_a_dry_run_writes_nothing(world):
    report = do_import(csv_bytes(GOOD), dry_run=True)
    assert (report.ok, report.created, report.written) == (True, 2, False)
    assert not Customer.objects.filter(code="NEW-1").exists()


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "c.csv", "The file is empty"),
        (b"code,name,lat,lng\n", "c.csv", "no data rows"),
        (b"code,name\nX,Y\n", "c.csv", "Required columns are missing: lat, lng."),
        (b"\xff\xfe\x00\x00\x81\x30", "c.csv", "neither UTF-8 nor GBK"),
        (b"code,name,lat,lng\nX,Y,1,2\n", "c.pdf", "Unsupported file type"),
        (b"PK\x03\x04 not really", "c.xlsx", "not a valid Excel workbook"),
        (b"PK\x03\x04 not really", "c.csv", "is a zip archive"),
        (b"code,name,lat,lng,grid_code,grid\nX,Y,1,2,A,B\n", "c.csv", "appears twice"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_clear_message(world, data, name, message):
    report = do_import(data, name=name)
    assert len(report.errors) == 1 and message in report.errors[0].reason
    assert report.errors[0].row is None


def test_unknown_columns_are_ignored_with_a_warning(world):
    report = do_import(csv_bytes("code,name,lat,lng,colour\nX-1,Y,,,red\n"))
    assert report.ok
    assert [(w.row, w.column) for w in report.warnings] == [(1, "colour")]


@pytest.mark.parametrize("persona", ["analyst", "finance", "rep", "outsider"])
def test_only_writers_may_import(world, persona):
    with pytest.raises(PermissionDenied):
        do_import(csv_bytes(GOOD), user=world.users[persona])


def test_a_regional_manager_imports_only_into_its_region(world):
    data = HEADER + (
        "REG-1,区内,31.2,121.5,,,,,R1-A1-G2\n"
        "REG-2,区外,31.2,121.5,,,,,R2-A1-G1\n"
        "REG-3,无网格,31.2,121.5,,,,,\n"
        "CUS-R2,改别人的,31.2,121.5,,,,,R1-A1-G2\n"
    )
    report = do_import(csv_bytes(data), user=world.users["regional"])
    got = errors(report)
    # R2-A1-G1 is invisible to it: as if it did not exist.
    assert (3, "grid_code", "R2-A1-G1", "No grid with this code.") in got
    outside = "The customer would be outside what you are allowed to manage."
    assert (4, "grid_code", "", outside) in got
    exists = "A customer with this code exists outside what you may change."
    assert (5, "code", "CUS-R2", exists) in got
    assert report.skipped == 3


def test_export_rows_include_code_and_grid_code(world, tmp_path):
    out = tmp_path / "c.csv"
    call_command("export", "customers", "--format", "csv", "--output", str(out))
    text = out.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_code = {r["code"]: r for r in rows}
    assert set(by_code) == {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"}
    assert (by_code["CUS-G1"]["grid_code"], by_code["CUS-NOGRID"]["grid_code"]) == ("R1-A1-G1", "")


def test_an_export_imports_back_unchanged(world, tmp_path):
    out = tmp_path / "c.xlsx"
    call_command("export", "customers", "--format", "xlsx", "--output", str(out))
    report = do_import(out.read_bytes(), name="c.xlsx")
    assert errors(report) == []
    assert (report.unchanged, report.created, report.updated) == (4, 0, 0)


def test_cli_import_exits_2_with_the_error_list(world, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(HEADER + "BAD-1,坏,north,121.5,,,,,\n", "gbk"))
    with pytest.raises(CommandError) as exc:
        call_command("import", "customers", str(bad))
    assert exc.value.returncode == 2
    assert "row 2, column lat, value “north”: Not a number." in capsys.readouterr().err


def test_cli_import_reports_the_summary(world, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(GOOD, "utf-8-sig"))
    call_command("import", "customers", str(good), "--dry-run")
    assert not Customer.objects.filter(code="NEW-1").exists()
    call_command("import", "customers", str(good))
    out = capsys.readouterr().out
    assert "Encoding: utf-8-sig" in out
    assert "2 rows: 2 created, 0 updated, 0 unchanged, 0 skipped." in out
    assert Customer.objects.filter(code__startswith="NEW-").count() == 2


def test_cli_refuses_a_missing_file_and_an_unknown_format(world, tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("import", "customers", str(tmp_path / "nope.csv"))
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        call_command("export", "customers", "--format", "pdf")
    assert exc.value.returncode == 2


def test_a_source_crs_column_converts_row_by_row(world):
    bd_lng, bd_lat = crs.wgs84_to_bd09(116.4, 39.9)
    data = (
        "code,name,lat,lng,source_crs\n"
        f"ROW-BD,百度,{bd_lat!r},{bd_lng!r},bd09\n"
        "ROW-WGS,GPS,39.9,116.4,WGS-84 (GPS)\n"
    )
    assert errors(do_import(csv_bytes(data))) == []
    by_code = {c.code: c for c in Customer.objects.filter(code__startswith="ROW-")}
    assert by_code["ROW-BD"].source_crs == "bd09"
    assert (by_code["ROW-BD"].lng, by_code["ROW-BD"].lat) == pytest.approx((116.4, 39.9), abs=1e-7)
    assert (by_code["ROW-WGS"].source_crs, by_code["ROW-WGS"].lat) == ("wgs84", 39.9)


def test_the_import_benchmark_runs_and_leaves_nothing_behind(world, capsys):
    call_command("bench", "import-customers", "--rows", "30")
    out = capsys.readouterr().out
    assert "30 rows: 30 created" in out and "import (rolled back)" in out
    assert not Customer.objects.filter(code__startswith="BENCH").exists()


def test_business_hours_import_and_export_as_hh_mm(world, tmp_path):
    data = "code,name,lat,lng,opens_at,closes_at\nH-1,营业时间客户,,,8:30,17:00\n"
    report = run_import("customers", user=None, data=csv_bytes(data), file_name="h.csv")
    assert report.errors == [] and report.created == 1
    customer = Customer.objects.get(code="H-1")
    assert (str(customer.opens_at), str(customer.closes_at)) == ("08:30:00", "17:00:00")
    out = tmp_path / "c.csv"
    call_command("export", "customers", "--format", "csv", "--output", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    row = next(r for r in rows if r["code"] == "H-1")
    assert (row["opens_at"], row["closes_at"]) == ("08:30", "17:00")
    # An export re-imports unchanged.
    again = run_import("customers", user=None, data=out.read_bytes(), file_name="c.csv")
    assert again.errors == [] and again.updated == 0


def test_bad_business_hours_are_reported_by_row_and_nothing_is_written(world):
    data = (
        "code,name,lat,lng,opens_at,closes_at\nH-1,客户一,,,9点,17:00\nH-2,客户二,,,18:00,09:00\n"
    )
    report = run_import("customers", user=None, data=csv_bytes(data), file_name="h.csv")
    assert [str(e) for e in report.errors] == [
        "row 2, column opens_at, value “9点”: Not a time: write it as HH:MM, for example 09:00.",
        "row 3, column closes_at, value “09:00”: The closing time must be later than the opening time: correct one of them.",
    ]
    assert not Customer.objects.filter(code__startswith="H-").exists()


def test_an_import_writes_the_status_history_of_new_and_changed_customers(world):
    do_import(csv_bytes(GOOD), user=world.users["admin"])
    new = Customer.objects.get(code="NEW-2")
    assert list(new.status_changes.values_list("previous", "status", "user__username")) == [
        ("", "lead", "admin")
    ]
    data = HEADER + (
        'NEW-1,新客户一,31.2,121.5,A,dormant,"VIP,重点客户",rep,R1-A1-G1\n'
        "NEW-2,新客户二,,,B,lead,,,R1-A1-G2\n"
    )
    do_import(csv_bytes(data), user=world.users["admin"])
    one = Customer.objects.get(code="NEW-1")
    assert list(one.status_changes.order_by("pk").values_list("previous", "status")) == [
        ("", "active"),
        ("active", "dormant"),
    ]
    assert new.status_changes.count() == 1  # unchanged
