"""The customer 360 page on a phone (390 px) in a real Chromium: nothing scrolls sideways,
the chips filter the timeline in place, "load more" appends, the tabs switch."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.tests.history360 import (
    CONFIRMED,
    RETURNED,
    at,
    make_activity,
    make_order,
    make_survey,
)

pytestmark = pytest.mark.browser


def test_a_rep_reads_a_long_customer_history_on_a_phone(browser, live_server, live_world):  # noqa: F811
    w = live_world
    customer, rep = w.customers["CUS-G1"], w.users["rep"]
    day = dt.date(2026, 3, 2)
    for n in range(15):
        make_order(
            customer,
            f"SO-{n:02d}",
            day + dt.timedelta(days=n),
            [(D("1234.56"), CONFIRMED, D(0)), (D("100.00"), RETURNED, D("20.00"))],
            rep=rep,
        )
        make_activity(customer, f"拜访 {n}", owner=rep, when=at(day + dt.timedelta(days=n), 15))
    make_survey(customer, sent_by=rep, sent=at(day), answered=at(day, 12), csat=4, nps=9)
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    assert "¥19,718.40" in page.get_by_test_id("kpi-revenue").inner_text()  # 15 × 1,314.56
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    items = page.locator("[data-testid=timeline-items] > li[data-kind]")
    assert items.count() == 20
    page.get_by_test_id("load-more").get_by_role("link").click()
    page.wait_for_function(
        "document.querySelectorAll('[data-testid=timeline-items] > li[data-kind]').length > 20"
    )
    assert items.count() == 15 + 15 + 1 + 1 + 1  # orders, visits, survey sent + answered, grid

    page.locator("[data-chip=order]").click()
    page.wait_for_function(
        "[...document.querySelectorAll('[data-testid=timeline-items] > li[data-kind]')]"
        ".every(li => li.dataset.kind === 'order')"
    )
    assert items.count() == 15
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customer360-phone.png"), full_page=True)

    page.locator("#tab-orders").click()
    page.get_by_test_id("tab-orders").wait_for(state="visible")
    assert "SO-14" in page.get_by_test_id("tab-orders").inner_text()
    context.close()
