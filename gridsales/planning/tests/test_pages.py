"""The planning pages per persona (200 / 403 / 404), the exports, the actions' messages."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.planning import services
from gridsales.planning.choices import ScenarioStatus, UnitSource
from gridsales.planning.models import Scenario
from gridsales.planning.tests.factories import district_world

# The district lies under R1: regional manages it; gridmanager and rep read parts of R1
# only (their grids), rep2 and outsider nothing of it.
VIEW_SCENARIO = {"admin", "director", "analyst", "finance", "regional"}
CHANGE_SCENARIO = {"admin", "director", "regional"}


@pytest.fixture
def district(world, settings):
    settings.PLANNING_REP_HOURS = 100
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    return district_world(world)


@pytest.fixture
def scenario(district):
    s = services.scenario_create(
        parent=district["parent"],
        name="Balanced",
        unit_source=UnitSource.H3,
        resolution=8,
        territories=2,
        tolerance=Decimal("0.1"),
        time_limit=10,
    )
    Scenario.objects.filter(pk=s.pk).update(max_iterations=20)
    s.refresh_from_db()
    return services.scenario_run(scenario=s)


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_headcount_page_per_persona(world, district, persona):
    response = client_for(world, persona).get("/planning/headcount/", {"grid": "R1-D"})
    sees = persona in VIEW_SCENARIO
    assert response.status_code == (200 if sees else 404)
    if sees:
        body = response.content.decode()
        assert 'data-code="R1-D-E"' in body and "219.0" in body
        assert ('data-testid="new-scenario"' in body) == (persona in CHANGE_SCENARIO)


def test_headcount_exports_csv_and_xlsx_sorted(world, district):
    client = client_for(world, "director")
    response = client.get(
        "/planning/headcount/", {"grid": "R1-D", "sort": "-hours", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "Code",
        "Name",
        "Depth",
        "Customers",
        "Visits a year",
        "Workload (hours)",
    ]
    assert [(r[0], r[5], r[7], r[8], r[9]) for r in rows[1:]] == [
        ("R1-D", "328.5", "5", "1.5", "-3.5"),
        ("R1-D-E", "219.0", "3", "0.5", "-2.5"),
        ("R1-D-W", "109.5", "2", "1.0", "-1.0"),
    ]
    response = client.get("/planning/headcount/", {"grid": "R1-D", "format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[1][0] == "R1-D" and values[1][5] == 328.5


def test_headcount_of_an_unknown_grid_is_404(world, district):
    assert (
        client_for(world, "director").get("/planning/headcount/", {"grid": "NOPE"}).status_code
        == 404
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_scenario_pages_per_persona(world, scenario, persona):
    client = client_for(world, persona)
    sees = persona in VIEW_SCENARIO
    listing = client.get("/planning/")
    assert listing.status_code == 200
    assert ("Balanced" in listing.content.decode()) == sees
    for url in (
        f"/planning/{scenario.pk}/",
        f"/planning/{scenario.pk}/progress/",
        f"/planning/{scenario.pk}/units.json",
        f"/planning/compare/?a={scenario.pk}&b={scenario.pk}",
    ):
        assert client.get(url).status_code == (200 if sees else 404), url
    create = client.get("/planning/new/", {"grid": "R1-D"})
    assert create.status_code == (200 if persona in CHANGE_SCENARIO else 403 if sees else 404)
    move = client.post(
        f"/planning/{scenario.pk}/move/", {"unit": scenario.units[0]["id"], "territory": 2}
    )
    assert move.status_code == (302 if persona in CHANGE_SCENARIO else 403 if sees else 404)
    approve = client.post(f"/planning/{scenario.pk}/approve/")
    assert approve.status_code == (
        302 if persona in ("admin", "director") else 403 if sees else 404
    )


def test_detail_shows_metrics_and_bars(world, scenario):
    body = client_for(world, "director").get(f"/planning/{scenario.pk}/").content.decode()
    assert body.count('data-testid="territory-row"') == 2
    assert 'data-testid="within-tau"' in body
    assert 'data-testid="approve"' in body
    units = client_for(world, "director").get(f"/planning/{scenario.pk}/units.json").json()
    assert len(units["features"]) == 45
    assert {f["properties"]["current_code"] for f in units["features"]} == {"R1-D-E", "R1-D-W"}


def test_create_runs_and_reports_bad_input(world, district):
    client = client_for(world, "regional")
    response = client.post(
        "/planning/new/",
        {
            "grid": "R1-D",
            "name": "",
            "unit_source": "h3",
            "resolution": 8,
            "territories": 2,
            "tolerance": "0.1",
            "balance": ["workload"],
            "time_limit": 5,
            "disruption_weight": 0,
            "seed": 1,
        },
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(
        "/planning/new/",
        {
            "grid": "R1-D",
            "name": "By children",
            "unit_source": "children",
            "resolution": 8,
            "territories": 2,
            "tolerance": "0.1",
            "balance": ["workload", "customers"],
            "time_limit": 1,
            "disruption_weight": 0,
            "seed": 1,
            "run": "1",
        },
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(name="By children")
    assert scenario.status == ScenarioStatus.DONE
    assert scenario.balance == ["workload", "customers"]


def test_move_and_apply_messages(world, scenario):
    client = client_for(world, "director")
    response = client.post(f"/planning/{scenario.pk}/move/", {"unit": "nope", "territory": 1})
    assert response.status_code == 400
    assert "Unknown unit “nope”." in response.content.decode()
    client.post(f"/planning/{scenario.pk}/approve/")
    response = client.post(f"/planning/{scenario.pk}/apply/", {"effective_from": "2000-01-01"})
    assert response.status_code == 400
    assert "The date 2000-01-01 is in the past" in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.APPROVED


def test_progress_polls_while_running_and_refreshes_when_done(world, scenario):
    client = client_for(world, "director")
    Scenario.objects.filter(pk=scenario.pk).update(
        status=ScenarioStatus.RUNNING, progress=42, message="Searching"
    )
    body = client.get(f"/planning/{scenario.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in body and "42%" in body and 'data-testid="stop"' in body
    stop = client.post(f"/planning/{scenario.pk}/stop/")
    assert stop.status_code == 302
    assert Scenario.objects.get(pk=scenario.pk).stop_requested
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.DONE)
    done = client.get(
        f"/planning/{scenario.pk}/progress/", {"was": "running"}, HTTP_HX_REQUEST="true"
    )
    assert done["HX-Refresh"] == "true"
    assert "hx-trigger" not in done.content.decode()


def test_compare_shows_two_scenarios_side_by_side(world, scenario, district):
    other = services.scenario_create(
        parent=district["parent"], name="Children", unit_source=UnitSource.CHILDREN, territories=2
    )
    body = (
        client_for(world, "director")
        .get("/planning/compare/", {"a": scenario.pk, "b": other.pk})
        .content.decode()
    )
    assert "Balanced" in body and "Children" in body
    assert "<td>45</td>" in body and "<td>0</td>" in body  # units: run vs not run
    assert client_for(world, "director").get("/planning/compare/", {"a": "x"}).status_code == 404


def test_edit_changes_the_settings_and_runs_again(world, scenario):
    client = client_for(world, "regional")
    assert client.get(f"/planning/{scenario.pk}/edit/").status_code == 200
    response = client.post(
        f"/planning/{scenario.pk}/edit/",
        {
            "name": "Three grids",
            "unit_source": "h3",
            "resolution": 8,
            "territories": "",
            "tolerance": "0.2",
            "balance": ["customers"],
            "time_limit": 1,
            "disruption_weight": 0,
            "seed": 2,
            "run": "1",
        },
    )
    assert response.status_code == 302
    scenario.refresh_from_db()
    assert (scenario.name, scenario.territories, scenario.balance) == (
        "Three grids",
        4,  # empty: the recommended headcount, ceil(328.5 / 100)
        ["customers"],
    )
    assert scenario.status == ScenarioStatus.DONE and max(scenario.assignment) == 3
    assert client_for(world, "analyst").get(f"/planning/{scenario.pk}/edit/").status_code == 403
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    assert client.get(f"/planning/{scenario.pk}/edit/").status_code == 403


def test_headcount_without_grids_is_an_empty_page(world, district):
    response = client_for(world, "outsider").get("/planning/headcount/")
    assert response.status_code == 200
    assert "You have no grids." in response.content.decode()
    default = client_for(world, "regional").get("/planning/headcount/")
    assert 'data-code="R1"' in default.content.decode()  # the top of regional's tree
