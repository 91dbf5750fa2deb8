"""The plan and actuals imports over the API: the web pages' parsing and error report,
400 when invalid (nothing written), 201 when written, 200 for a dry run."""

import io
from decimal import Decimal as D

import pytest
from openpyxl import Workbook

from gridsales.conftest import PERSONAS
from gridsales.targets import services
from gridsales.targets.models import Actual
from gridsales.targets.tests.factories import TargetPlanFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def plan(world):
    plan = TargetPlanFactory(code="FY2027", name="2027 年度目标")
    services.target_plan_split(plan=plan)
    return plan


def upload(content: bytes, name: str) -> io.BytesIO:
    f = io.BytesIO(content)
    f.name = name
    return f


def plan_xlsx(*rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Months"
    ws.append(["grid", "grid_name", "rep", "year", *[f"2027-{m:02d}" for m in range(1, 13)]])
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD = plan_xlsx(
    ["R1-A1-G1", "", "", "1200.00", *(["100.00"] * 12)],
    ["R1-A1-G2", "", "", "12.00", *(["1.00"] * 12)],
)
BAD = plan_xlsx(
    ["R1-A1-G1", "", "", "1200.00", *(["100.00"] * 11), "abc"],
    ["NOPE", "", "", "12.00", *(["1.00"] * 12)],
    ["R1-A1-G2", "", "", "13.00", *(["1.00"] * 12)],
)


def test_a_plan_import_writes_a_new_version_and_reports_counts(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/import/", {"file": upload(GOOD, "plan.xlsx")}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["valid"], body["written"], body["dry_run"]) == (True, True, False)
    assert (body["rows"], body["created"], body["version"]) == (2, 2, 2)
    assert body["errors"] == []
    v2 = plan.versions.get(number=2)
    assert v2.total == D("1212.00")


def test_a_wrong_plan_file_answers_the_web_pages_report_and_writes_nothing(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/import/", {"file": upload(BAD, "plan.xlsx")}
    )
    assert response.status_code == 400
    body = response.json()
    assert (body["valid"], body["written"], body["version"]) == (False, False, None)
    errors = body["errors"]
    assert {"row": 2, "column": "2027-12", "value": "abc", "reason": "not a number"} in errors
    assert {e["row"]: e["column"] for e in errors}[3] == "grid"
    assert {
        "row": 4,
        "column": "year",
        "value": "13.00",
        "reason": "the months add up to 12.00, not the year",
    } in errors
    assert plan.versions.count() == 1


def test_a_file_that_is_not_a_workbook_is_one_error(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/import/", {"file": upload(b"not excel", "plan.xlsx")}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 1,
            "column": "-",
            "value": "",
            "reason": "The file is not an Excel workbook (.xlsx).",
        }
    ]
    assert plan.versions.count() == 1


def test_a_plan_import_dry_run_checks_everything_and_writes_nothing(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/import/",
        {"file": upload(GOOD, "plan.xlsx"), "dry_run": "true"},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["valid"], body["written"], body["dry_run"], body["version"]) == (
        True,
        False,
        True,
        None,
    )
    assert body["summary"].startswith("Dry run, nothing written.")
    assert plan.versions.count() == 1


def test_a_plan_past_draft_refuses_the_import_in_the_report(world, plan, api):
    services.target_plan_submit(plan=plan)
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/import/",
        {"file": upload(GOOD, "plan.xlsx"), "dry_run": "1"},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["reason"] == (
        "Only a draft plan can be imported into; return it to draft."
    )
    assert plan.versions.count() == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_plan_import_is_for_those_who_change_the_plan(persona, world, plan, api):
    response = api(persona).post(
        f"/api/v1/target-plans/{plan.pk}/import/", {"file": upload(GOOD, "plan.xlsx")}
    )
    expected = {"admin": 201, "director": 201, "outsider": 404}.get(persona, 403)
    assert response.status_code == expected
    assert plan.versions.count() == (2 if expected == 201 else 1)


def test_actuals_import_accepts_gbk_csv(world, api):
    good = "grid,rep,date,amount\nR1-A1-G1,rep,2026-03,1000.50\nR2-A1-G1,,2026-04-02,20\n"
    response = api("director").post(
        "/api/v1/actuals/import/", {"file": upload(good.encode("gbk"), "实际.csv")}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rows"], body["created"], body["written"]) == (2, 2, True)
    assert Actual.objects.get(user=world.users["rep"]).amount == D("1000.50")
    assert Actual.objects.count() == 2


def test_actuals_import_of_an_xlsx_file(world, api):
    wb = Workbook()
    wb.active.append(["grid", "date", "amount", "metric"])
    wb.active.append(["R1-A1-G2", "2026-05-03", 12.5, "orders"])
    out = io.BytesIO()
    wb.save(out)
    response = api("admin").post(
        "/api/v1/actuals/import/", {"file": upload(out.getvalue(), "a.xlsx")}
    )
    assert response.status_code == 201
    assert Actual.objects.get().metric == "orders"


def test_bad_actuals_are_reported_by_row_and_nothing_is_written(world, api):
    bad = "grid,date,amount\nR1-A1-G1,2026-03-01,5\nR1-A1-G1,2026-13-01,5\nXX,2026-01-01,-1\n"
    response = api("director").post(
        "/api/v1/actuals/import/", {"file": upload(bad.encode(), "bad.csv")}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["row"], e["column"], e["value"]) for e in errors] == [
        (3, "date", "2026-13-01"),
        (4, "grid", "XX"),
        (4, "amount", "-1"),
    ]
    assert errors[2]["reason"] == "must be zero or more"
    assert not Actual.objects.exists()


def test_an_actuals_dry_run_writes_nothing(world, api):
    good = "grid,date,amount\nR1-A1-G1,2026-03-01,5\n"
    response = api("director").post(
        "/api/v1/actuals/import/", {"file": upload(good.encode(), "a.csv"), "dry_run": "yes"}
    )
    assert response.status_code == 200
    assert (response.json()["valid"], response.json()["written"]) == (True, False)
    assert not Actual.objects.exists()


def test_an_actuals_import_without_a_file_is_a_400(world, api):
    response = api("director").post("/api/v1/actuals/import/", {})
    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_directors_and_admins_import_actuals(persona, world, api):
    good = "grid,date,amount\nR1-A1-G1,2026-03-01,5\n"
    response = api(persona).post(
        "/api/v1/actuals/import/", {"file": upload(good.encode(), "a.csv")}
    )
    assert response.status_code == (201 if persona in ("admin", "director") else 403)
    assert Actual.objects.count() == (1 if persona in ("admin", "director") else 0)


def test_the_actuals_collection_still_takes_no_post(world, api):
    assert api("director").post("/api/v1/actuals/", {}, format="json").status_code == 405
