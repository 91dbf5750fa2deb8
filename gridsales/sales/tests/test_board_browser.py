"""The Kanban board in a real Chromium: drag and drop on a desktop (with the loss-reason
modal and a refused move), the stage select on a phone; the deal's history shows each move."""

from __future__ import annotations

import pytest

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.sales.models import Opportunity
from gridsales.sales.tests.factories import OpportunityFactory, stage_at, standard_pipeline

pytestmark = pytest.mark.browser


def settled(page) -> None:
    """Wait until the board has answered the last move (and reloaded its columns)."""
    page.wait_for_selector("#board-root[aria-busy=false]", state="attached")


def history_rows(page) -> list[list[str]]:
    rows = page.locator("[data-testid=stage-history] tbody tr")
    return [rows.nth(i).locator("td").all_inner_texts()[:2] for i in range(rows.count())]


def test_dragging_a_card_moves_the_deal_and_records_it(browser, live_server, live_world):  # noqa: F811
    w = live_world
    pipeline = standard_pipeline()
    deal = OpportunityFactory(customer=w.customers["CUS-G1"], owner=w.users["rep"], name="冷柜")
    other = OpportunityFactory(customer=w.customers["CUS-G1"], owner=w.users["rep"], name="货架")
    context = browser.new_context(locale="en-US", viewport={"width": 1920, "height": 1000})
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.get_by_role("link", name="Pipeline", exact=True).click()
    page.wait_for_url(f"{live_server.url}/sales/pipelines/{pipeline.pk}/board/")
    card = f"[data-testid=card-{deal.pk}]"

    page.drag_and_drop(card, "[data-testid=column-2] .board-cards")
    settled(page)
    page.wait_for_selector(f"[data-testid=column-2] {card}")
    assert "moved to “需求确认”" in page.get_by_test_id("board-message").inner_text()
    assert page.locator("[data-testid=column-2] [data-testid=column-count]").inner_text() == "1"
    assert page.locator("[data-testid=column-1] [data-testid=column-count]").inner_text() == "1"

    # A lost stage asks for the reason; closing the modal puts the card back.
    page.drag_and_drop(f"[data-testid=card-{other.pk}]", "[data-testid=column-6] .board-cards")
    modal = page.get_by_test_id("loss-modal")
    modal.wait_for(state="visible")
    modal.get_by_role("button", name="Cancel").click()
    modal.wait_for(state="hidden")
    page.wait_for_selector(f"[data-testid=column-1] [data-testid=card-{other.pk}]")
    page.drag_and_drop(f"[data-testid=card-{other.pk}]", "[data-testid=column-6] .board-cards")
    modal.wait_for(state="visible")
    page.fill("#loss-reason", "客户选了竞品")
    page.get_by_test_id("loss-confirm").click()
    settled(page)
    page.wait_for_selector(f"[data-testid=column-6] [data-testid=card-{other.pk}]")
    assert Opportunity.objects.get(pk=other.pk).loss_reason == "客户选了竞品"

    # A move the server refuses: the card returns and the reason is shown.
    page.evaluate(
        "url => { document.querySelector('%s').dataset.moveUrl = url; }".replace("%s", card),
        "/sales/opportunities/999999/move/",
    )
    page.drag_and_drop(card, "[data-testid=column-3] .board-cards")
    page.wait_for_function(
        "document.querySelector('[data-testid=board-message]').innerText.includes('does not exist')"
    )
    assert page.locator(f"[data-testid=column-2] {card}").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-desktop.png"), full_page=True)

    page.locator(f"{card} a").click()
    page.wait_for_selector("[data-testid=stage-history]")
    assert history_rows(page) == [["(created)", "线索"], ["线索", "需求确认"]]
    context.close()


def test_on_a_phone_the_stage_select_moves_the_deal(browser, live_server, live_world):  # noqa: F811
    w = live_world
    pipeline = standard_pipeline()
    deal = OpportunityFactory(customer=w.customers["CUS-G1"], owner=w.users["rep"], name="饮料")
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(f"{live_server.url}/sales/pipelines/{pipeline.pk}/board/")
    card = f"[data-testid=card-{deal.pk}]"
    select = page.locator(f"{card} [data-testid=stage-select]")
    assert select.is_visible()
    select.select_option(str(stage_at(3).pk))
    settled(page)
    page.wait_for_selector(f"[data-testid=column-3] {card}")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the board must not scroll sideways on a phone"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "board-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/sales/opportunities/{deal.pk}/")
    assert history_rows(page)[-1] == ["线索", "方案报价"]
    context.close()
