"""The incentive API end to end: finance sets up and runs March, a rep reads and disputes a
line, finance resolves it; list endpoints keep a fixed number of queries."""

from decimal import Decimal

import pytest
from django.utils import translation

from gridsales.incentives.models import Statement
from gridsales.incentives.tests.factories import PERIOD, incentive_world, sales_facts
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def test_finance_sets_up_the_plan_runs_march_and_pays_it(world, api):
    sales_facts(world)
    finance = api("finance")
    plan = finance.post(
        "/api/v1/incentive-plans/",
        {"code": "P26", "name": "2026", "definition": ISSUE_PLAN, "effective_from": "2026-01"},
        format="json",
    )
    assert plan.status_code == 201, plan.content
    response = finance.post(
        "/api/v1/plan-assignments/",
        {"plan": "P26", "grid": "R1", "valid_from": "2026-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    run = finance.post("/api/v1/commission-runs/", {"period": PERIOD}, format="json").json()
    calculated = finance.post(f"/api/v1/commission-runs/{run['id']}/calculate/").json()
    # rep2's grid R2-A1-G1 is not under R1: no plan, reported.
    assert (calculated["status"], calculated["total"], calculated["rep_count"]) == (
        "calculated",
        "7936.00",
        1,
    )
    assert calculated["warnings"] == [
        "rep2 has sales in 2026-03 but no commission plan: assign a plan and recalculate."
    ]
    assert finance.post(f"/api/v1/commission-runs/{run['id']}/approve/").json()["status"] == (
        "approved"
    )
    paid = finance.post(f"/api/v1/commission-runs/{run['id']}/pay/").json()
    assert (paid["status"], paid["paid_by"]) == ("paid", "finance")
    again = finance.post(f"/api/v1/commission-runs/{run['id']}/calculate/")
    assert again.status_code == 400
    assert again.json() == {
        "non_field_errors": ["Only a draft or calculated run can be recalculated."]
    }


def test_bad_rules_answer_400_with_the_place(world, api):
    response = api("finance").post(
        "/api/v1/incentive-plans/",
        {
            "code": "BAD",
            "name": "bad",
            "definition": {"tiers": [{"from": "0", "rate": "abc"}]},
            "effective_from": "2026-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "definition": ["the rules: tiers[1].rate must be a number, zero or more, not abc."]
    }


def test_the_rep_reads_every_line_and_disputes_one(world, api):
    made = incentive_world(world)
    rep = api("rep")
    statement = rep.get(f"/api/v1/statements/{made['statements']['rep']}/").json()
    assert statement["total"] == "7936.00"
    assert [line["explanation"] for line in statement["lines"]][3] == (
        "Bonus: attainment 125% reached the 120% threshold, so 5000.00 is paid (only the "
        "highest bonus reached counts)."
    )
    assert rep.get(f"/api/v1/statements/{made['statements']['rep2']}/").status_code == 404
    line = statement["lines"][2]["id"]
    response = rep.post(
        "/api/v1/disputes/", {"line": line, "message": "Return cancelled"}, format="json"
    )
    assert response.status_code == 201, response.content
    dispute = response.json()
    assert (dispute["status"], dispute["rep"]) == ("open", "rep")
    # rep2 cannot see the line: it does not exist for them.
    other = api("rep2").post("/api/v1/disputes/", {"line": line, "message": "x"}, format="json")
    assert other.status_code == 400
    # The grid manager sees the dispute, read-only.
    manager = api("gridmanager")
    assert manager.get(f"/api/v1/disputes/{dispute['id']}/").status_code == 200
    denied = manager.post(
        f"/api/v1/disputes/{dispute['id']}/reject/", {"resolution": "no"}, format="json"
    )
    assert denied.status_code == 403
    accepted = api("finance").post(
        f"/api/v1/disputes/{dispute['id']}/accept/",
        {"amount": "224.00", "resolution": "The return was cancelled"},
        format="json",
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted"
    assert Statement.objects.get(pk=made["statements"]["rep"]).total == Decimal("8160.00")
    lines = rep.get(f"/api/v1/statements/{made['statements']['rep']}/").json()["lines"]
    assert lines[-1]["explanation"] == ("Adjustment by finance: The return was cancelled (224.00).")


@pytest.mark.parametrize(
    "path", ["statements", "commission-runs", "disputes", "adjustments", "incentive-versions"]
)
def test_lists_take_a_fixed_number_of_queries(world, api, path, django_assert_max_num_queries):
    from gridsales.incentives.tests.factories import dispute_world

    dispute_world(world)
    client = api("finance")
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/{path}/")
    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_what_if_shows_the_cost_of_raising_the_120_percent_accelerator(world, api):
    incentive_world(world)
    raised = {
        **ISSUE_PLAN,
        "name": "raised",
        "tiers": [*ISSUE_PLAN["tiers"][:3], {"from": "1.2", "rate": "0.10"}],
    }
    response = api("finance").post(
        "/api/v1/incentives/what-if/",
        {"period": PERIOD, "plans": [ISSUE_PLAN, raised]},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # rep: 5,000 above 120 % earn 10 % instead of 8 %: blended 2,900 / 125,000 = 2.32 %,
    # lines 1,392 + 1,044 + 812 = 3,248, bonus 5,000, clawback −200.
    assert body["revenue"] == "134000.00"
    assert body["plans"] == [
        {"name": "2026 rep plan", "cost": "7936.00", "cost_share": "0.0592"},
        {"name": "raised", "cost": "8048.00", "cost_share": "0.0601"},
    ]
    assert body["reps"] == [
        {"rep": "rep", "grid": "R1-A1-G1", "totals": ["7936.00", "8048.00"], "change": "112.00"},
        {"rep": "rep2", "grid": "R2-A1-G1", "totals": ["0.00", "0.00"], "change": "0.00"},
    ]
    assert body["grids"] == [
        {"grid": "R1-A1-G1", "totals": ["7936.00", "8048.00"]},
        {"grid": "R2-A1-G1", "totals": ["0.00", "0.00"]},
    ]
    assert (body["gainers"], body["losers"]) == (["rep"], [])


def test_what_if_is_for_finance_and_names_bad_rules(world, api):
    payload = {"period": PERIOD, "plans": [ISSUE_PLAN, {"tiers": []}]}
    assert api("rep").post("/api/v1/incentives/what-if/", payload, format="json").status_code == 403
    response = api("director").post("/api/v1/incentives/what-if/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"plans": ["plans[1]: tiers must be a non-empty list."]}
