"""Issue 7's "done when", in a browser: the what-if shows the cost of raising the 120 %
accelerator (the tier table edited row by row), and after the director runs the award
rules the leaderboard and the award appear on the rep's home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.incentives.tests.factories import incentive_world
from gridsales.recognition import services

pytestmark = pytest.mark.browser


def test_what_if_then_awards_on_the_home_page(browser, live_server, live_world):  # noqa: F811
    from gridsales.analytics.services import rollup_rebuild
    from gridsales.sales.tests.factories import OrderFactory, ProductFactory

    made = incentive_world(live_world)
    u = live_world.users
    today = timezone.localdate()
    line = {"product": ProductFactory(), "quantity": Decimal("1"), "unit_price": Decimal("8800")}
    OrderFactory(
        customer=live_world.customers["CUS-G1"], rep=u["rep"], order_date=today, lines=[line]
    )
    rollup_rebuild()
    services.award_type_create(
        code="CHAMP", name="月度销售冠军", rule="top_n", metric="revenue", top_n=1
    )
    ARTIFACTS.mkdir(exist_ok=True)

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, "finance")
    page.goto(f"{live_server.url}/incentives/what-if/?a={made['versions']['v1']}&period=2026-03")
    tiers = page.locator("fieldset[data-rows=tiers] tr[data-row]")
    assert tiers.count() == 4
    page.get_by_test_id("add-tiers").click()  # a fifth row, then removed again
    assert tiers.count() == 5
    tiers.nth(4).locator("[data-remove]").click()
    assert tiers.count() == 4
    tiers.nth(3).locator("input[name=tier_rate]").fill("0.10")
    page.get_by_test_id("compare").click()
    page.wait_for_selector("[data-testid=what-if-summary]")
    assert page.get_by_test_id("cost-a").inner_text() == "7936.00"
    assert page.get_by_test_id("cost-b").inner_text() == "8048.00"
    assert page.get_by_test_id("cost-difference").inner_text() == "+112.00"
    page.wait_for_selector("#chart-reps canvas")
    page.screenshot(path=str(ARTIFACTS / "what-if-accelerator.png"), full_page=True)
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, "director")
    page.goto(f"{live_server.url}/recognition/awards/")
    page.fill("[data-testid=rules-run] input[name=period]", "2026-03")
    page.locator("[data-testid=rules-run] button").click()
    page.wait_for_selector("[data-testid=awards]")
    assert "月度销售冠军" in page.get_by_test_id("awards").inner_text()
    context.close()

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    top = page.get_by_test_id("home-top-revenue").inner_text()
    assert "🥇" in top and "8,800.00" in top
    assert "月度销售冠军" in page.get_by_test_id("home-awards").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "home-recognition-phone.png"), full_page=True)
    context.close()
    assert dt.date(2026, 3, 31) < today  # the run above needs March to be over
