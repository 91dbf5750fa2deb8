"""Every target page × every persona: 200 / 403 / 404 exactly; plus the flows behind them
(create, split, lock two grids, export, import, actuals import, re-plan, rep's view)."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from gridsales.conftest import PERSONAS
from gridsales.targets import services
from gridsales.targets.models import Actual, PeriodKind, TargetLine, TargetPlan
from gridsales.targets.tests.factories import ActualFactory, TargetPlanFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


READERS = {"admin", "director", "analyst", "finance", "regional", "gridmanager", "rep", "rep2"}
WRITERS = {"admin", "director"}


@pytest.fixture
def plan(world):
    plan = TargetPlanFactory(code="FY2027", name="2027 年度目标")
    services.target_plan_split(plan=plan)
    return plan


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def pages(plan, world):
    g1_line = TargetLine.objects.get(
        version__plan=plan, grid=world.grids["R1-A1-G1"], user=None, period="2027-01"
    )
    rep_line = TargetLine.objects.get(
        version__plan=plan, grid=world.grids["R1-A1-G1"], user=world.users["rep"], period="2027"
    )
    r2_line = TargetLine.objects.get(
        version__plan=plan, grid=world.grids["R2-A1-G1"], user=None, period="2027"
    )
    hq_line = TargetLine.objects.get(version__plan=plan, grid=world.grids["HQ"], period="2027")
    g2 = world.grids["R1-A1-G2"]
    anyone = {p: 200 for p in READERS} | {"outsider": 404}
    writers = {p: (200 if p in WRITERS else 403) for p in READERS} | {"outsider": 404}
    return {
        "/targets/": {p: 200 for p in PERSONAS},
        "/targets/new/": {p: (200 if p in WRITERS else 403) for p in PERSONAS},
        "/targets/actuals/import/": {p: (200 if p in WRITERS else 403) for p in PERSONAS},
        f"/targets/{plan.pk}/": anyone,
        f"/targets/{plan.pk}/edit/": writers,
        f"/targets/{plan.pk}/matrix/": anyone,
        f"/targets/{plan.pk}/matrix/?kind=week": anyone,
        f"/targets/{plan.pk}/diff/": anyone,
        f"/targets/{plan.pk}/bottom-up/": anyone,
        f"/targets/{plan.pk}/attainment/?period=2027-01": anyone,
        f"/targets/{plan.pk}/export.xlsx": anyone,
        f"/targets/{plan.pk}/import/": writers,
        f"/targets/{plan.pk}/inputs/{g2.pk}/": {
            p: (200 if p in WRITERS else 403 if p in READERS else 404) for p in PERSONAS
        },
        # Cells: a rep reaches only its own and its grid's; outside the scope is 404.
        f"/targets/lines/{g1_line.pk}/": {
            p: 200 if p in READERS - {"rep2"} else 404 for p in PERSONAS
        },
        f"/targets/lines/{rep_line.pk}/": {
            p: 200 if p in READERS - {"rep2"} else 404 for p in PERSONAS
        },
        f"/targets/lines/{r2_line.pk}/": {
            p: 200 if p in {"admin", "director", "analyst", "finance", "rep2"} else 404
            for p in PERSONAS
        },
        f"/targets/lines/{hq_line.pk}/": {
            p: 200 if p in {"admin", "director", "analyst", "finance"} else 404 for p in PERSONAS
        },
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_target_page_answers_exactly_by_persona(persona, world, plan):
    client = client_for(world, persona)
    problems = []
    for url, expected in pages(plan, world).items():
        got = client.get(url).status_code
        if got != expected[persona]:
            problems.append(f"{url}: {got}, expected {expected[persona]}")
    assert not problems, "\n".join(problems)


def test_anonymous_users_are_sent_to_login(world, plan):
    response = Client().get(f"/targets/{plan.pk}/matrix/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize(
    "persona, what, expected",
    [
        ("director", "split", 302),
        ("analyst", "split", 403),
        ("gridmanager", "transition", 403),
        ("rep", "replan", 403),
        ("outsider", "split", 404),
    ],
)
def test_plan_actions_are_for_directors(persona, what, expected, world, plan):
    response = client_for(world, persona).post(
        f"/targets/{plan.pk}/do/{what}/", {"status": "submitted", "as_of": "2027-07-01"}
    )
    assert response.status_code == expected


def test_a_rep_sees_only_its_own_numbers_in_the_matrix(world, plan):
    body = client_for(world, "rep").get(f"/targets/{plan.pk}/matrix/").content.decode()
    assert "R1-A1-G1" in body and "rep" in body
    for other in ("R1-A1-G2", "R2-A1-G1", "rep2", ">HQ"):
        assert other not in body


def test_the_director_creates_splits_locks_two_grids_and_exports(world):
    client = client_for(world, "director")
    response = client.post(
        "/targets/new/",
        {
            "code": "FY2027-REV",
            "name": "2027 收入目标",
            "metric": "revenue",
            "year": "2027",
            "fiscal_year_start_month": "1",
            "total": "1200000.00",
            "currency": "CNY",
            "level_methods": "reference",
            "reference_source": "last_year_actuals",
            "seasonality": "8,6,9,8,8,9,8,8,9,9,9,9",
            "seasonality_years": "0",
            "week_basis": "working_days",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = TargetPlan.objects.get(code="FY2027-REV")
    for code, lock in (("R1-A1-G1", "300000.00"), ("R2", "500000.00")):
        response = client.post(
            f"/targets/{plan.pk}/inputs/{world.grids[code].pk}/",
            {"lock": lock},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
    client.post(f"/targets/{plan.pk}/do/split/")
    version = plan.latest_version()
    years = dict(
        TargetLine.objects.filter(
            version=version, user=None, period_kind=PeriodKind.YEAR
        ).values_list("grid__code", "amount")
    )
    # R2 locked at 500,000 leaves 700,000 to R1 → R1-A1; G1 locked at 300,000 → G2 400,000.
    assert (years["R1"], years["R1-A1-G1"], years["R1-A1-G2"], years["R2-A1-G1"]) == (
        D("700000.00"),
        D("300000.00"),
        D("400000.00"),
        D("500000.00"),
    )
    # Every grid's weeks add up exactly to its months and its year.
    for code, year in years.items():
        unit = TargetLine.objects.filter(version=version, user=None, grid__code=code)
        for kind in (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK):
            assert sum(unit.filter(period_kind=kind).values_list("amount", flat=True)) == year
    response = client.get(f"/targets/{plan.pk}/export.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_an_impossible_lock_shows_a_message_and_saves_nothing(world):
    plan = TargetPlanFactory(code="FY2027-X", total=D("1200000.00"))
    client = client_for(world, "director")
    for code, lock in (("R1-A1-G1", "300000.00"), ("R1-A1-G2", "200000.00")):
        services.target_unit_input_set(plan=plan, grid=world.grids[code], lock=D(lock))
    response = client.post(f"/targets/{plan.pk}/do/split/", follow=True)
    assert "Locks of R1-A1-G1, R1-A1-G2 add up to 500000.00" in response.content.decode()
    assert not plan.versions.exists()


def test_export_then_import_round_trips_as_a_new_version(world, plan):
    client = client_for(world, "director")
    response = client.get(f"/targets/{plan.pk}/export.xlsx")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Months", "Quarters", "Weeks", "Lineage", "Plan"]
    months = wb["Months"]
    header = [c.value for c in months[1]]
    assert header[:5] == ["grid", "grid_name", "rep", "year", "2027-01"]
    out = io.BytesIO()
    wb.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "plan.xlsx"
    response = client.post(f"/targets/{plan.pk}/import/", {"file": upload})
    assert response.status_code == 302
    assert plan.versions.count() == 2
    v1, v2 = plan.versions.order_by("number")
    assert v2.total == v1.total == D("100000.00")
    assert v2.lines.filter(period_kind=PeriodKind.WEEK).exists()


def test_a_wrong_plan_import_names_row_column_value_and_writes_nothing(world, plan):
    wb = Workbook()
    ws = wb.active
    ws.title = "Months"
    months = [f"2027-{m:02d}" for m in range(1, 13)]
    ws.append(["grid", "grid_name", "rep", "year", *months])
    ws.append(["R1-A1-G1", "", "", "1200.00", *(["100.00"] * 11), "abc"])
    ws.append(["NOPE", "", "", "12.00", *(["1.00"] * 12)])
    ws.append(["R1-A1-G2", "", "", "13.00", *(["1.00"] * 12)])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "plan.xlsx"
    response = client_for(world, "director").post(f"/targets/{plan.pk}/import/", {"file": out})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 2, column 2027-12, value “abc”: not a number" in body
    assert "Row 3, column grid, value “NOPE”" in body
    assert "Row 4, column year, value “13.00”: the months add up to 12.00, not the year" in body
    assert plan.versions.count() == 1


def test_actuals_import_accepts_gbk_csv_and_reports_bad_rows(world):
    client = client_for(world, "director")
    good = "grid,rep,date,amount\nR1-A1-G1,rep,2026-03,1000.50\nR2-A1-G1,,2026-04-02,20\n"
    upload = io.BytesIO(good.encode("gbk"))
    upload.name = "实际.csv"
    assert client.post("/targets/actuals/import/", {"file": upload}).status_code == 302
    assert Actual.objects.count() == 2
    assert Actual.objects.get(user=world.users["rep"]).date == datetime.date(2026, 3, 1)
    bad = "grid,date,amount\nR1-A1-G1,2026-13-01,5\nXX,2026-01-01,-1\n"
    upload = io.BytesIO(bad.encode())
    upload.name = "bad.csv"
    response = client.post("/targets/actuals/import/", {"file": upload})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Row 2, column date, value “2026-13-01”" in body
    assert "Row 3, column grid, value “XX”" in body
    assert "Row 3, column amount, value “-1”: must be zero or more" in body
    assert Actual.objects.count() == 2


def test_a_grid_manager_proposes_and_the_director_accepts(world, plan):
    manager = client_for(world, "gridmanager")
    grid = world.grids["R1-A1-G1"]
    response = manager.post(
        f"/targets/{plan.pk}/bottom-up/", {"grid": grid.pk, "amount": "60000.00"}
    )
    assert response.status_code == 302
    # A grid it does not manage is not a choice.
    response = manager.post(
        f"/targets/{plan.pk}/bottom-up/", {"grid": world.grids["R2-A1-G1"].pk, "amount": "1.00"}
    )
    assert response.status_code == 400
    proposal = plan.proposals.get()
    assert (
        manager.post(
            f"/targets/{plan.pk}/bottom-up/", {"action": "accept", "proposal": proposal.pk}
        ).status_code
        == 403
    )
    director = client_for(world, "director")
    body = director.get(f"/targets/{plan.pk}/bottom-up/").content.decode()
    # No actuals: equal at every level, G1 top-down 25,000.00 → gap 35,000.00.
    assert "60000.00" in body and "35000.00" in body
    director.post(f"/targets/{plan.pk}/bottom-up/", {"action": "accept", "proposal": proposal.pk})
    proposal.refresh_from_db()
    assert proposal.status == "accepted"


def test_a_july_replan_from_the_page_makes_a_new_version(world, plan):
    ActualFactory(grid=world.grids["R1-A1-G1"], amount=D("1.00"), date=datetime.date(2027, 2, 1))
    client = client_for(world, "director")
    client.post(f"/targets/{plan.pk}/do/replan/", {"as_of": "2027-07-01"})
    assert plan.versions.count() == 2
    body = client.get(f"/targets/{plan.pk}/diff/").content.decode()
    assert "2027-07" in body


def test_a_rep_does_not_see_the_company_total(world, plan, api):
    rep = client_for(world, "rep")
    for url in ("/targets/", f"/targets/{plan.pk}/"):
        assert "100000.00" not in rep.get(url).content.decode()
    assert "100000.00" in client_for(world, "analyst").get(f"/targets/{plan.pk}/").content.decode()
    row = api("rep").get(f"/api/v1/target-plans/{plan.pk}/").json()
    assert row["total"] is None and row["latest_version"] == 1
    assert api("director").get(f"/api/v1/target-plans/{plan.pk}/").json()["total"] == "100000.00"
    lines = api("rep").get("/api/v1/target-lines/", {"period_kind": "year"}).json()["results"]
    assert sorted((r["grid"], r["user"] or "", r["amount"]) for r in lines) == [
        ("R1-A1-G1", "", "25000.00"),
        ("R1-A1-G1", "rep", "25000.00"),
    ]
