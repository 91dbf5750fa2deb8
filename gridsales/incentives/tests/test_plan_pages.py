"""The plan pages: every page × every persona (200 / 403 / 404), a plan set up through the
form (the issue's plan, to the JSON), row-and-field validation messages, copy as a new
version (the used version never changes), assignments added and ended."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.incentives.choices import RunStatus
from gridsales.incentives.forms import build_definition
from gridsales.incentives.models import (
    CommissionRun,
    IncentivePlan,
    IncentivePlanVersion,
    PlanAssignment,
)
from gridsales.incentives.tests.factories import PERIOD, incentive_world
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN

FINANCE = {"admin", "director", "finance"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def rules_post(definition: dict, **fields) -> dict:
    """The plan form's POST for `definition` (its tables as parallel lists)."""
    data = dict(
        {
            "tier_basis": [definition.get("tier_basis", "attainment")],
            "tier_mode": [definition.get("tier_mode", "marginal")],
            "cap": [definition.get("cap") or ""],
            "clawback_days": [str(definition.get("clawback_days", 0))],
            "tier_from": [t["from"] for t in definition["tiers"]],
            "tier_rate": [t["rate"] for t in definition["tiers"]],
            "mult_category": list(definition.get("category_multipliers", {})),
            "mult_value": list(definition.get("category_multipliers", {}).values()),
            "bonus_at": [b["attainment_at_least"] for b in definition.get("bonuses", [])],
            "bonus_amount": [b["amount"] for b in definition.get("bonuses", [])],
        }
    )
    for key, value in fields.items():
        data[key] = value if isinstance(value, list) else [value]
    return data


def test_every_plan_page_answers_each_persona_as_its_scope_says(world):
    made = incentive_world(world)
    plan, version = made["plans"]["ISSUE-PLAN"], made["versions"]["v1"]
    assignment = made["assignments"]["rep"]
    writers = {p: 200 if p in FINANCE else 403 for p in PERSONAS}
    pages = {
        "/incentives/plans/": {p: 200 for p in PERSONAS},
        f"/incentives/plans/{plan}/": {p: 200 for p in PERSONAS},
        f"/incentives/versions/{version}/": {p: 200 for p in PERSONAS},
        "/incentives/plans/new/": writers,
        f"/incentives/plans/{plan}/versions/new/": writers,
        f"/incentives/plans/{plan}/assignments/new/": writers,
        f"/incentives/assignments/{assignment}/end/": writers,
        "/incentives/plans/999999/": {p: 404 for p in PERSONAS},
        "/incentives/versions/999999/": {p: 404 for p in PERSONAS},
        "/incentives/plans/999999/versions/new/": {p: 404 for p in PERSONAS},
        "/incentives/assignments/999999/end/": {p: 404 for p in PERSONAS},
    }
    problems = []
    for url, expected in pages.items():
        for persona in PERSONAS:
            got = client_for(world, persona).get(url).status_code
            if got != expected[persona]:
                problems.append(f"{url} {persona}: {got}, expected {expected[persona]}")
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or "/login/" not in anonymous["Location"]:
            problems.append(f"{url} anonymous: {anonymous.status_code}")
    assert not problems, "\n".join(problems)


def test_only_finance_roles_post_to_the_plan_pages(world):
    made = incentive_world(world)
    plan, assignment = made["plans"]["ISSUE-PLAN"], made["assignments"]["rep"]
    posts = {
        "/incentives/plans/new/": rules_post(ISSUE_PLAN, code="X", name="x"),
        f"/incentives/plans/{plan}/versions/new/": rules_post(ISSUE_PLAN, effective_from="2026-09"),
        f"/incentives/plans/{plan}/assignments/new/": {"role": "rep", "valid_from": "2026-09"},
        f"/incentives/assignments/{assignment}/end/": {"valid_to": "2026-12"},
    }
    for persona in set(PERSONAS) - FINANCE:
        client = client_for(world, persona)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 403, (persona, url)
    assert IncentivePlanVersion.objects.count() == 1
    assert PlanAssignment.objects.get().valid_to == ""


def test_finance_sets_up_the_issue_plan_through_the_form(world):
    finance = client_for(world, "finance")
    page = finance.get("/incentives/plans/new/").content.decode()
    assert 'name="tier_from"' in page and 'data-testid="add-tiers"' in page
    data = rules_post(
        ISSUE_PLAN,
        code="REP-2026",
        name="2026 rep plan",
        effective_from="2026-01",
        note="Issue 7",
    )
    response = finance.post("/incentives/plans/new/", data)
    plan = IncentivePlan.objects.get(code="REP-2026")
    assert response.status_code == 302 and response["Location"] == f"/incentives/plans/{plan.pk}/"
    version = plan.versions.get()
    assert (version.number, version.effective_from, version.note) == (1, "2026-01", "Issue 7")
    assert version.created_by == world.users["finance"]
    assert version.definition == {**ISSUE_PLAN, "name": "2026 rep plan"}
    detail = finance.get(f"/incentives/plans/{plan.pk}/").content.decode()
    assert "v1" in detail and "Not assigned yet" in detail


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"tier_from": ["0", "0.8", "0.8", "1.2"]},
            "Tier 3: “from” must be greater than tier 2's (0.8).",
        ),
        ({"tier_rate": ["0.01", "0.03", "five", "0.08"]}, "Tier 3: the rate must be a fraction"),
        ({"tier_from": ["0", "", "1.0", "1.2"]}, "Tier 2: “from” is missing."),
        ({"tier_from": [], "tier_rate": []}, "Add at least one tier."),
        (
            {"mult_category": ["NEW-PRODUCT", "NEW-PRODUCT"], "mult_value": ["1.5", "2"]},
            "Multiplier 2: category NEW-PRODUCT is listed twice.",
        ),
        (
            {"bonus_amount": ["2000.00", "5000.001"]},
            "Bonus 2: the amount must be yuan with at most 2 decimals, not “5000.001”.",
        ),
        ({"draw_amount": "3000.00"}, "Give the number of months the draw is paid."),
        ({"effective_from": "March"}, "Enter a valid value."),
    ],
)
def test_a_bad_rule_is_named_by_row_and_field(world, change, message):
    made = incentive_world(world)
    plan = made["plans"]["ISSUE-PLAN"]
    data = rules_post(ISSUE_PLAN, **{"effective_from": "2026-09", **change})
    response = client_for(world, "finance").post(f"/incentives/plans/{plan}/versions/new/", data)
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert IncentivePlanVersion.objects.count() == 1


def test_the_contract_validator_has_the_last_word(world):
    # Fine row by row, but the whole rules go through contract.parse_plan too.
    made = incentive_world(world)
    plan = made["plans"]["ISSUE-PLAN"]
    data = rules_post(ISSUE_PLAN, effective_from="2026-09", tier_basis="share")
    response = client_for(world, "finance").post(f"/incentives/plans/{plan}/versions/new/", data)
    assert response.status_code == 400
    assert "Select a valid choice. share is not one of the available choices." in (
        response.content.decode()
    )


def test_copy_as_new_version_leaves_the_version_the_run_used_untouched(world):
    made = incentive_world(world)
    plan, v1 = made["plans"]["ISSUE-PLAN"], made["versions"]["v1"]
    finance = client_for(world, "finance")
    detail = finance.get(f"/incentives/plans/{plan}/").content.decode()
    assert f'<span class="badge text-bg-secondary me-1">{PERIOD}</span>' in detail
    page = finance.get(f"/incentives/plans/{plan}/versions/new/?from={v1}").content.decode()
    assert "Prefilled from version 1." in page
    assert (
        'name="tier_rate" value="0.08"' in page
        and 'name="mult_category" value="NEW-PRODUCT"' in page
    )
    raised = rules_post(
        ISSUE_PLAN, tier_rate=["0.01", "0.03", "0.05", "0.10"], effective_from="2026-04"
    )
    response = finance.post(f"/incentives/plans/{plan}/versions/new/", raised)
    assert response.status_code == 302
    v2 = IncentivePlanVersion.objects.get(plan_id=plan, number=2)
    assert v2.definition["tiers"][3] == {"from": "1.2", "rate": "0.10"}
    assert v2.effective_from == "2026-04"
    assert IncentivePlanVersion.objects.get(pk=v1).definition == ISSUE_PLAN


def test_finance_assigns_a_plan_and_ends_the_assignment(world):
    made = incentive_world(world)
    plan = made["plans"]["ISSUE-PLAN"]
    finance = client_for(world, "finance")
    both = {"user": world.users["rep2"].pk, "role": "rep", "valid_from": "2026-04"}
    response = finance.post(f"/incentives/plans/{plan}/assignments/new/", both)
    assert "Choose exactly one of a rep, a role or a grid." in response.content.decode()
    one = {"user": world.users["rep2"].pk, "valid_from": "2026-04"}
    assert finance.post(f"/incentives/plans/{plan}/assignments/new/", one).status_code == 302
    assignment = PlanAssignment.objects.get(user=world.users["rep2"])
    end = f"/incentives/assignments/{assignment.pk}/end/"
    early = finance.post(end, {"valid_to": "2026-03"})
    assert "The last month 2026-03 is before the first month 2026-04." in early.content.decode()
    assert finance.post(end, {"valid_to": "2026-06"}).status_code == 302
    assignment.refresh_from_db()
    assert assignment.valid_to == "2026-06"
    again = finance.post(end, {"valid_to": "2026-08"})
    assert "It already ends in 2026-06: choose an earlier month." in again.content.decode()


def test_an_assignment_does_not_end_before_a_paid_month(world):
    made = incentive_world(world)
    CommissionRun.objects.filter(period=PERIOD).update(status=RunStatus.PAID)
    assignment = made["assignments"]["rep"]
    response = client_for(world, "finance").post(
        f"/incentives/assignments/{assignment}/end/", {"valid_to": "2026-02"}
    )
    assert response.status_code == 400
    assert (
        "The 2026-03 run is approved and paid reps under this plan: end it in 2026-03 or later."
        in response.content.decode()
    )


def test_team_pool_and_draw_appear_in_the_rules_only_when_filled_in():
    cleaned = {"tier_basis": "attainment", "tier_mode": "marginal", "clawback_days": 0}
    plain = build_definition(
        name="p", currency="CNY", cleaned=cleaned, tiers=[], multipliers={}, bonuses=[]
    )
    assert "team_pool" not in plain and "draw" not in plain and plain["cap"] is None
    full = build_definition(
        name="p",
        currency="CNY",
        cleaned={
            **cleaned,
            "cap": Decimal("50000"),
            "team_pool_rate": Decimal("0.0050"),
            "draw_amount": Decimal("3000"),
            "draw_months": 3,
            "draw_recoverable": True,
        },
        tiers=[],
        multipliers={},
        bonuses=[],
    )
    assert full["cap"] == "50000.00"
    assert full["team_pool"] == {"rate": "0.005"}
    assert full["draw"] == {"amount": "3000.00", "months": 3, "recoverable": True}


def test_a_version_with_a_team_pool_and_a_draw_goes_through_the_contract(world):
    made = incentive_world(world)
    plan = made["plans"]["ISSUE-PLAN"]
    data = rules_post(
        ISSUE_PLAN,
        effective_from="2026-05",
        team_pool_rate="0.005",
        draw_amount="3000.00",
        draw_months="3",
        draw_recoverable="on",
    )
    response = client_for(world, "finance").post(f"/incentives/plans/{plan}/versions/new/", data)
    assert response.status_code == 302
    version = IncentivePlanVersion.objects.get(plan_id=plan, number=2)
    assert version.definition["team_pool"] == {"rate": "0.005"}
    assert version.definition["draw"] == {"amount": "3000.00", "months": 3, "recoverable": True}
    page = client_for(world, "rep").get(f"/incentives/versions/{version.pk}/").content.decode()
    assert "3000.00 × 3 · recoverable" in page


def test_a_taken_plan_code_is_named_on_its_field(world):
    incentive_world(world)
    data = rules_post(ISSUE_PLAN, code="ISSUE-PLAN", name="again", effective_from="2026-01")
    response = client_for(world, "finance").post("/incentives/plans/new/", data)
    assert response.status_code == 400
    assert "Commission plan with this Code already exists." in response.content.decode()
    assert IncentivePlan.objects.count() == 1
