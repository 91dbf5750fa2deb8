"""Orders in a real Chromium: a rep records an order with two lines from the menu, sees it
in its grid with the amount to the fen, records a return; on a phone-sized screen too."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.sales.models import Order
from gridsales.sales.tests.factories import ProductFactory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(1280, 900), (390, 844)])
def test_rep_records_an_order_and_a_return(browser, live_server, live_world, viewport):  # noqa: F811
    ProductFactory(code="WATER", name="矿泉水", list_price=Decimal("2.50"))
    ProductFactory(code="TEA", name="绿茶", list_price=Decimal("4.00"))
    width, height = viewport
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": height})
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    if width < 768:
        page.locator(".navbar-toggler").click()
    page.get_by_test_id("nav-sales").click()
    page.wait_for_selector("[data-testid=empty-state]")
    page.get_by_role("link", name="New order").click()
    page.fill("#id_number", "WEB-1")
    page.fill("#id_customer", "CUS-G1")
    page.select_option("#id_lines-0-product", label="WATER 矿泉水")
    page.fill("#id_lines-0-quantity", "3")
    page.select_option("#id_lines-1-product", label="TEA 绿茶")
    page.fill("#id_lines-1-quantity", "2")
    page.fill("#id_lines-1-discount", "0.55")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("[data-testid=lines]")
    assert page.get_by_test_id("order-amount").inner_text() == "14.95 CNY"
    assert page.get_by_test_id("order-grid").inner_text().startswith("R1-A1-G1")
    page.get_by_role("link", name="Record a return").first.click()
    page.fill("#id_amount", "2.50")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("[data-testid=order-status]")
    assert page.get_by_test_id("order-status").inner_text() == "Returned"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"order-detail-{width}.png"), full_page=True)
    order = Order.objects.get(number="WEB-1")
    assert (order.amount, order.returned_amount, order.rep.username) == (
        Decimal("14.95"),
        Decimal("2.50"),
        "rep",
    )
    context.close()
