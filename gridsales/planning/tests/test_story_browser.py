"""Issue 8's "done when", in a real Chromium: a director balances a district's grids by
workload in a few clicks, sees every deviation within τ, applies the plan from next month,
and on that date every customer's history shows the move."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.choices import AssignmentReason
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.planning.apply import apply_due
from gridsales.planning.choices import ScenarioStatus
from gridsales.planning.models import Scenario
from gridsales.planning.services import first_of_next_month
from gridsales.planning.tests.factories import district_world

pytestmark = pytest.mark.browser


def test_a_director_balances_a_district_and_applies_it_next_month(
    browser,  # noqa: F811
    live_server,
    live_world,  # noqa: F811
    settings,
):
    settings.PLANNING_REP_HOURS = 100
    district = district_world(live_world)
    first = first_of_next_month()
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "director")

    # 1. Headcount: the district carries 328.5 hours; East is 2.5 reps short.
    page.goto(live_server.url + "/planning/headcount/?grid=R1-D")
    east = page.locator("[data-testid=headcount-row][data-code='R1-D-E']")
    assert "219.0" in east.inner_text() and "-2.5" in east.inner_text()

    # 2. A few clicks: plan a redesign into 2 grids balanced on workload, run it.
    page.get_by_test_id("new-scenario").click()
    page.fill("#id_territories", "2")
    page.fill("#id_time_limit", "2")
    page.get_by_test_id("save-run").click()
    page.wait_for_selector("[data-testid=within-tau]")
    assert page.get_by_test_id("within-tau").inner_text() == "yes"
    deviations = page.get_by_test_id("deviation").all_inner_texts()
    assert len(deviations) == 6  # 2 grids × 3 activities
    assert all(abs(float(d.rstrip("%"))) <= 10.0 for d in deviations)
    assert page.locator("[data-testid=deviation].text-danger").count() == 0
    page.wait_for_selector("#map-proposed path.leaflet-interactive")
    page.screenshot(path=str(ARTIFACTS / "planning-scenario.png"), full_page=True)

    # 3. Approve, apply from the first of next month (the date offered).
    page.get_by_test_id("approve").click()
    page.wait_for_selector("[data-testid=apply-form]")
    assert page.input_value("#id_effective_from") == first.isoformat()
    page.get_by_test_id("apply").click()
    page.wait_for_selector("[data-testid=effective-from]")
    assert page.get_by_test_id("status").inner_text() == "Scheduled"
    scenario = Scenario.objects.get()
    assert scenario.status == ScenarioStatus.SCHEDULED

    # 4. On that date the worker applies it; every customer's history shows the move.
    [applied] = apply_due(today=first)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    customers = Customer.objects.filter(code__startswith="D-")
    assert customers.count() == 18
    for customer in customers:
        moved = CustomerGridAssignment.objects.get(customer=customer, valid_to=None)
        assert (moved.reason, moved.valid_from, moved.grid_id in applied.successors) == (
            AssignmentReason.REDESIGN,
            start,
            True,
        )
    assert set(customers.values_list("current_grid", flat=True)) == set(applied.successors)
    customer = customers.get(code="D-00")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    history = page.get_by_test_id("assignment-history").text_content()
    assert "Moved by a grid redesign" in history
    assert district["west"].code in history
    page.goto(f"{live_server.url}/planning/{scenario.pk}/")
    assert page.get_by_test_id("status").inner_text() == "Applied"
    assert page.get_by_test_id("successors").inner_text().count(f"R1-D-{first:%Y%m}-") == 2
