"""A rep's route on a phone (390×844) in a real Chromium: Today shows the planned route,
the route page shows it on the map, and moving a stop recomputes the times."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.routes import services
from gridsales.routes.tests.factories import tiny_day

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def todays_route(live_world):  # noqa: F811
    world = tiny_day(live_world, on=timezone.localdate())
    rep = world.users["rep"]
    return services.route_plan_day(rep=rep, day=world.day, user=rep, time_limit=0.3)


def test_rep_sees_the_route_on_today_and_reorders_two_stops_on_a_phone(
    browser,  # noqa: F811
    live_server,
    todays_route,
):
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(live_server.url + "/activities/today/")
    route = page.get_by_test_id("today-route")
    assert route.get_by_test_id("route-time").all_inner_texts() == [
        "09:00",
        "10:00",
        "12:00",
        "14:00",
        "15:00",
    ]
    assert "客户 T-A" in route.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    route.screenshot(path=str(ARTIFACTS / "today-route.png"))

    route.get_by_test_id("route-link").tap()
    page.wait_for_url(f"**/routes/{todays_route.pk}/")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".route-pin:not(.depot)").count() == 4  # the visits, not the lunch
    assert page.get_by_test_id("stop-name").all_inner_texts()[:2] == ["客户 T-A", "客户 T-B"]
    first = page.get_by_test_id("stop-list").locator("li").first
    assert first.get_by_test_id("stop-time").inner_text() == "09:00–09:30"
    box = first.get_by_test_id("down").bounding_box()
    assert box["height"] >= 44, "tap targets are at least 44 px high"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "route-phone.png"), full_page=True)

    first.get_by_test_id("down").tap()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stop-name]').textContent === '客户 T-B'"
    )
    times = page.get_by_test_id("stop-time").all_inner_texts()
    assert times[:2] == ["10:00–10:30", "10:33–11:03"]
    assert "Late by 78 min" in page.get_by_test_id("stop-list").inner_text()
    assert page.get_by_test_id("late-alert").is_visible()
    assert page.locator(".route-pin.late").count() == 1
    page.screenshot(path=str(ARTIFACTS / "route-phone-reordered.png"), full_page=True)
    todays_route.refresh_from_db()
    assert todays_route.reordered
    names = [s.name for s in todays_route.stops.in_order() if not s.is_lunch]
    assert names[:2] == ["客户 T-B", "客户 T-A"]
    context.close()
