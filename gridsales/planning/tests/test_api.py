"""GET /api/v1/planning/headcount/ and /api/v1/planning-scenarios/: numbers, scope, messages."""

import pytest
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.planning.tests.factories import district_world


@pytest.fixture
def district(world, settings):
    settings.PLANNING_REP_HOURS = 100
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")
    return district_world(world)


def test_headcount_rows_with_exact_numbers(api, district):
    response = api("director").get("/api/v1/planning/headcount/", {"grid": "R1-D"})
    assert response.status_code == 200
    body = response.json()
    assert (body["visit_minutes"], body["travel_minutes"], body["rep_hours"]) == (60, 30, 100)
    assert body["rows"][2] == {
        "grid": "R1-D-E",
        "name": "东网格",
        "depth": 3,
        "customers": 12,
        "visits": "146.00",
        "workload_hours": "219.00",
        "recommended_reps": 3,
        "reps_today": "0.50",
        "gap": "-2.50",
        "utilisation": "4.3800",
        "demand": "0.00",
        "demand_per_rep": "0.00",
    }
    assert [r["grid"] for r in body["rows"]] == ["R1-D", "R1-D-W", "R1-D-E"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_headcount_is_scoped(api, district, persona):
    response = api(persona).get("/api/v1/planning/headcount/", {"grid": "R1-D"})
    sees = persona in ("admin", "director", "analyst", "finance", "regional")
    assert response.status_code == (200 if sees else 404)
    if not sees:
        assert response.json()["detail"] == "No grid with the code “R1-D” among yours."


def test_headcount_needs_a_grid(api, district):
    response = api("director").get("/api/v1/planning/headcount/")
    assert response.status_code == 400
    assert response.json() == {"grid": ["Give a grid code."]}
    assert api(None).get("/api/v1/planning/headcount/", {"grid": "R1-D"}).status_code in (401, 403)
