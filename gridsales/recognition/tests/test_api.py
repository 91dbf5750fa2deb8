"""GET /api/v1/leaderboards/ for every persona (its scope, exactly), its errors, and the
awards API beyond the permission matrix (the rules run, a duplicate refused)."""

from __future__ import annotations

import pytest
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.recognition.models import Award
from gridsales.recognition.tests.factories import MONTH, recognition_world

REVENUE = {
    "admin": [("rep", 1), ("rep2", 1), ("rep3", 3), ("rep4", 4)],
    "regional": [("rep", 1), ("rep3", 2), ("rep4", 3)],
    "gridmanager": [("rep", 1), ("rep3", 2)],
    "rep": [("rep", 1), ("rep3", 2)],
    "rep2": [("rep2", 1)],
    "outsider": [],
}
for _hq in ("director", "analyst", "finance"):
    REVENUE[_hq] = REVENUE["admin"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_board_of_its_scope(persona, world, api):
    recognition_world(world)
    response = api(persona).get("/api/v1/leaderboards/", {"metric": "revenue", "period": MONTH})
    assert response.status_code == 200
    body = response.json()
    assert [(r["key"], r["rank"]) for r in body["rows"]] == REVENUE[persona]
    assert body["period"] == MONTH and body["by"] == "rep"


def test_the_board_by_grid_and_its_values(world, api):
    recognition_world(world)
    body = (
        api("admin")
        .get("/api/v1/leaderboards/", {"metric": "attainment", "period": MONTH, "by": "grid"})
        .json()
    )
    # Grid rows take their own grid's target line: none here, so no attainment.
    assert [(r["key"], r["rank"], r["value"]) for r in body["rows"]] == [
        ("R1-A1-G1", None, None),
        ("R1-A1-G2", None, None),
        ("R2-A1-G1", None, None),
    ]
    body = api("admin").get("/api/v1/leaderboards/", {"metric": "revenue", "grid": "R1"}).json()
    assert body["grid"] == "R1"


@pytest.mark.parametrize(
    ("params", "status", "field", "message"),
    [
        ({"metric": "luck"}, 400, "metric", "Unknown KPI “luck”."),
        ({"period": "2026-W09"}, 400, "period", "“2026-W09” is not a month, quarter or year."),
        ({"by": "team"}, 400, "by", "Rank “team”? Use rep or grid."),
        ({"grid": "R2"}, 404, "detail", "No grid with the code “R2” among yours."),
    ],
)
def test_a_bad_parameter_is_named(world, api, params, status, field, message):
    recognition_world(world)
    response = api("rep").get("/api/v1/leaderboards/", params)
    assert response.status_code == status
    text = response.json()[field]
    assert message in (text if isinstance(text, str) else text[0])


def test_anonymous_callers_get_no_board(world, api):
    assert api(None).get("/api/v1/leaderboards/").status_code in (401, 403)


def test_the_rules_run_through_the_api_once(world, api):
    recognition_world(world)
    first = api("director").post("/api/v1/awards/run-rules/", {"period": MONTH}, format="json")
    assert first.status_code == 200
    assert sum(len(r["given"]) for r in first.json()["runs"]) == 6
    again = api("director").post("/api/v1/awards/run-rules/", {"period": MONTH}, format="json")
    assert sum(len(r["given"]) for r in again.json()["runs"]) == 0
    bad = api("director").post("/api/v1/awards/run-rules/", {"period": "2099-01"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["period"] == [
        "2099-01 is not over yet: awards are given for periods that have ended."
    ]


def test_a_second_identical_award_is_refused(world, api):
    recognition_world(world)
    payload = {"award_type": "BEST-NEWCOMER", "rep": "rep", "period": "2026-02"}
    response = api("director").post("/api/v1/awards/", payload, format="json")
    assert response.status_code == 400
    assert Award.objects.filter(rep__username="rep").count() == 1
