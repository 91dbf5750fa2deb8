"""The what-if page: finance roles only; the issue's story (raising the 120 % accelerator
from 8 % to 10 % costs 112.00 more in March), another version as B, the exports, and
errors named."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from gridsales.conftest import PERSONAS
from gridsales.incentives import services
from gridsales.incentives.models import IncentivePlan
from gridsales.incentives.tests.factories import PERIOD, incentive_world
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN
from gridsales.incentives.tests.test_plan_pages import rules_post

FINANCE = {"admin", "director", "finance"}
RAISED = ["0.01", "0.03", "0.05", "0.10"]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def post_edit(world, version, **extra):
    data = rules_post(
        ISSUE_PLAN, period=PERIOD, version_a=str(version), b_mode="edit", tier_rate=RAISED
    )
    data.update({k: [v] for k, v in extra.items()})
    return client_for(world, "finance").post("/incentives/what-if/", data)


def test_the_page_answers_each_persona_as_its_scope_says(world):
    made = incentive_world(world)
    version = made["versions"]["v1"]
    for persona in PERSONAS:
        client = client_for(world, persona)
        expected = 200 if persona in FINANCE else 403
        assert client.get("/incentives/what-if/").status_code == expected, persona
        got = client.post("/incentives/what-if/", {"period": PERIOD, "version_a": version})
        assert got.status_code == (400 if persona in FINANCE else 403), persona
    anonymous = Client().get("/incentives/what-if/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_the_editor_starts_from_version_a(world):
    made = incentive_world(world)
    version = made["versions"]["v1"]
    page = client_for(world, "finance").get(f"/incentives/what-if/?a={version}").content.decode()
    assert 'name="tier_rate" value="0.08"' in page
    assert f'<option value="{version}" selected>' in page


def test_raising_the_120_percent_accelerator_costs_112_more_in_march(world):
    made = incentive_world(world)
    response = post_edit(world, made["versions"]["v1"])
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="cost-a">7936.00<' in page
    assert 'data-testid="cost-b">8048.00<' in page
    assert 'data-testid="cost-difference">+112.00<' in page
    gainers = page.split('data-testid="what-if-gainers"')[1].split("</table>")[0]
    assert '<td data-value="rep">rep</td>' in gainers
    assert 'data-value="112.00">+112.00<' in gainers
    assert 'data-testid="what-if-losers"' not in page  # nobody loses: "Nobody."
    assert 'id="what-if-chart"' in page and "echarts.min.js" in page


def test_the_comparison_exports_to_csv_and_xlsx(world):
    made = incentive_world(world)
    response = post_edit(world, made["versions"]["v1"], export="csv")
    assert response["Content-Disposition"] == 'attachment; filename="what-if-2026-03.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        "Rep,Grid,2026 rep plan v1,2026 rep plan (edited copy),Change",
        "rep,R1-A1-G1,7936.00,8048.00,112.00",
        "rep2,R2-A1-G1,0.00,0.00,0.00",
    ]
    xlsx = post_edit(world, made["versions"]["v1"], export="xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_b_can_be_another_version(world):
    made = incentive_world(world)
    plan = IncentivePlan.objects.get(pk=made["plans"]["ISSUE-PLAN"])
    v2 = services.incentive_plan_version_create(
        plan=plan,
        definition={**ISSUE_PLAN, "bonuses": []},
        effective_from="2026-04",
    )
    data = {
        "period": PERIOD,
        "version_a": made["versions"]["v1"],
        "b_mode": "version",
        "version_b": v2.pk,
    }
    page = client_for(world, "finance").post("/incentives/what-if/", data).content.decode()
    assert 'data-testid="cost-b">2936.00<' in page  # without the 5,000.00 bonus
    assert 'data-testid="cost-difference">-5000.00<' in page
    losers = page.split('data-testid="what-if-losers"')[1].split("</table>")[0]
    assert '<td data-value="rep">rep</td>' in losers


def test_errors_are_named(world):
    made = incentive_world(world)
    v1 = made["versions"]["v1"]
    finance = client_for(world, "finance")
    no_b = finance.post(
        "/incentives/what-if/", {"period": PERIOD, "version_a": v1, "b_mode": "version"}
    )
    assert "Choose the version B to compare with." in no_b.content.decode()
    bad_tier = post_edit(world, v1, period="2026-13")
    assert bad_tier.status_code == 400
    data = rules_post(
        ISSUE_PLAN,
        period=PERIOD,
        version_a=str(v1),
        b_mode="edit",
        tier_from=["0", "0.8", "1.3", "1.2"],
    )
    response = finance.post("/incentives/what-if/", data)
    assert "Tier 4: “from” must be greater than tier 3&#x27;s (1.3)." in response.content.decode()
