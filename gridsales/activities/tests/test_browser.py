"""Check-in on a phone in a real Chromium: Today page → check in → distance → check out →
log the outcome with a next step. Geolocation is granted and set by the browser context."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gridsales.activities.models import Activity
from gridsales.activities.tests.factories import ActivityFactory, at
from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.models import Customer
from gridsales.grids.spatial import haversine_m

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
CUSTOMER = (31.2304, 121.4737)  # lat, lng
HERE = (31.2310, 121.4740)


@pytest.fixture
def planned_visit(live_world):  # noqa: F811
    Customer.objects.filter(code="CUS-G1").update(lat=CUSTOMER[0], lng=CUSTOMER[1])
    return ActivityFactory(
        customer=Customer.objects.get(code="CUS-G1"),
        owner=live_world.users["rep"],
        subject="拜访采购部",
        planned_at=at(0, 23),
    )


def phone(browser, **extra):  # noqa: F811
    return browser.new_context(
        locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True, **extra
    )


def test_rep_checks_in_and_out_and_logs_the_visit_on_a_phone(
    browser,  # noqa: F811
    live_server,
    live_world,  # noqa: F811
    planned_visit,
):
    context = phone(
        browser,
        geolocation={"latitude": HERE[0], "longitude": HERE[1], "accuracy": 15},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(live_server.url + "/activities/today/")
    card = page.get_by_test_id(f"activity-{planned_visit.pk}")
    assert "拜访采购部" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = card.get_by_test_id("checkin-button").bounding_box()
    assert box["height"] >= 44, "tap targets are at least 44 px high"

    card.get_by_test_id("checkin-button").tap()
    distance = card.get_by_test_id("checkin-distance")
    distance.wait_for()
    metres = round(float(haversine_m(CUSTOMER[1], CUSTOMER[0], HERE[1], HERE[0])))
    assert distance.inner_text() == f"{metres} m from the customer"
    assert card.get_by_test_id("checkin-button").is_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "today-checked-in.png"), full_page=True)
    visit = Activity.objects.get(pk=planned_visit.pk)
    assert (visit.checkin_lat, visit.checkin_lng, visit.checkin_accuracy_m) == (*HERE, 15.0)
    assert visit.checkin_flags == []

    card.get_by_test_id("checkout-button").tap()
    page.wait_for_url(f"**/activities/{planned_visit.pk}/complete/**")
    assert "0 minutes" in page.get_by_test_id("visit-summary").inner_text()
    page.fill("#id_outcome", "同意试用三个月")
    page.fill("#id_next_step", "寄试用合同")
    page.fill("#id_next_step_due", timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").tap()
    page.wait_for_url(live_server.url + "/activities/today/")
    assert "寄试用合同" in page.get_by_test_id("next-list").inner_text()
    page.screenshot(path=str(ARTIFACTS / "today-logged.png"), full_page=True)
    visit.refresh_from_db()
    assert (visit.status, visit.outcome, visit.next_step) == (
        "done",
        "同意试用三个月",
        "寄试用合同",
    )
    assert visit.checkout_at is not None and visit.duration_minutes == 0
    context.close()


def test_a_denied_location_says_what_to_do(browser, live_server, live_world, planned_visit):  # noqa: F811
    context = phone(browser)  # no geolocation permission
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(live_server.url + "/activities/today/")
    card = page.get_by_test_id(f"activity-{planned_visit.pk}")
    card.get_by_test_id("checkin-button").tap()
    result = card.get_by_test_id("checkin-result")
    page.wait_for_function(
        "el => el.textContent.includes('Location is blocked')", arg=result.element_handle()
    )
    assert Activity.objects.get(pk=planned_visit.pk).checkin_at is None
    context.close()


def test_rep_checks_in_at_a_customer_due_for_contact(browser, live_server, live_world):  # noqa: F811
    import datetime as dt

    from gridsales.care.models import CadencePolicy

    CadencePolicy.objects.create(tier="A", interval_days=1)
    Customer.objects.filter(code="CUS-G1").update(
        lat=CUSTOMER[0], lng=CUSTOMER[1], created_at=timezone.now() - dt.timedelta(days=5)
    )
    context = phone(
        browser,
        geolocation={"latitude": CUSTOMER[0], "longitude": CUSTOMER[1]},
        permissions=["geolocation"],
    )
    page = context.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(live_server.url + "/activities/today/")
    row = page.get_by_test_id("due-CUS-G1")
    assert "4 days overdue" in row.inner_text()
    row.get_by_test_id("checkin-here").tap()
    page.get_by_test_id("in-progress-list").wait_for()
    assert "0 m from the customer" in page.get_by_test_id("in-progress-list").inner_text()
    visit = Activity.objects.get(customer__code="CUS-G1")
    assert (visit.type, visit.owner.username, visit.checkin_distance_m) == ("visit", "rep", 0.0)
    context.close()
