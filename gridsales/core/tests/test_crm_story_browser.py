"""Issue 5's "done when", as one story in a real Chromium:

a rep, on a phone, sees today's list, checks in at a customer, logs the visit, advances a
deal and sends a survey link; the customer answers on their phone; the manager sees the
grid's overdue contacts and satisfaction. (Orders imported from a GBK CSV keeping their
grid after the customer moves: gridsales/sales/tests/test_orders_grid_history.py.)
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridsales.activities.models import Activity
from gridsales.care.models import CadencePolicy, Survey
from gridsales.care.tests.factories import template_with_questions
from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.models import Customer
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.sales.models import OpportunityStageChange
from gridsales.sales.tests.factories import OpportunityFactory, stage_at, standard_pipeline

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
AT_CUSTOMER = (31.2304, 121.4737)  # lat, lng


def phone(browser, locale="en-US", **extra):  # noqa: F811
    return browser.new_context(
        locale=locale, viewport=PHONE, is_mobile=True, has_touch=True, **extra
    )


def test_a_reps_day_reaches_the_customer_and_the_manager(browser, live_server, live_world):  # noqa: F811
    w = live_world
    long_ago = timezone.now() - dt.timedelta(days=20)
    CadencePolicy.objects.create(tier="A", interval_days=14)
    Customer.objects.filter(code="CUS-G1").update(
        lat=AT_CUSTOMER[0], lng=AT_CUSTOMER[1], created_at=long_ago
    )
    neglected = CustomerFactory(
        code="CUS-G1-OLD", name="久未联系的客户", tier="A", current_grid=w.grids["R1-A1-G1"]
    )
    Customer.objects.filter(pk=neglected.pk).update(created_at=long_ago)
    deal = OpportunityFactory(
        customer=w.customers["CUS-G1"], owner=w.users["rep"], name="冷链专线", stage=stage_at(1)
    )
    template = template_with_questions("STORY")
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The rep's phone: Today lists the overdue customer; check in there, out, log it.
    rep_phone = phone(
        browser,
        geolocation={"latitude": AT_CUSTOMER[0], "longitude": AT_CUSTOMER[1]},
        permissions=["geolocation"],
    )
    page = rep_phone.new_page()
    log_in(page, live_server.url, "rep")
    page.goto(live_server.url + "/activities/today/")
    row = page.get_by_test_id("due-CUS-G1")
    assert "6 days overdue" in row.inner_text()
    row.get_by_test_id("checkin-here").tap()
    in_progress = page.get_by_test_id("in-progress-list")
    in_progress.wait_for()
    assert "0 m from the customer" in in_progress.inner_text()
    in_progress.get_by_test_id("checkout-button").tap()
    page.wait_for_url("**/complete/**")
    page.fill("#id_outcome", "客户同意升级冷链专线")
    page.fill("#id_next_step", "发送报价单")
    page.fill("#id_next_step_due", timezone.localdate().isoformat())
    page.get_by_role("button", name="Save").tap()
    page.wait_for_url(live_server.url + "/activities/today/")
    assert page.get_by_test_id("due-CUS-G1").count() == 0  # next due in 14 days
    visit = Activity.objects.get(customer__code="CUS-G1")
    assert (visit.status, visit.outcome, visit.checkin_distance_m) == (
        "done",
        "客户同意升级冷链专线",
        0.0,
    )

    # 2. Advance the deal on the board (a select on a phone).
    page.goto(f"{live_server.url}/sales/pipelines/{standard_pipeline().pk}/board/")
    card = f"[data-testid=card-{deal.pk}]"
    page.locator(f"{card} [data-testid=stage-select]").select_option(str(stage_at(2).pk))
    page.wait_for_selector("#board-root[aria-busy=false]", state="attached")
    page.wait_for_selector(f"[data-testid=column-2] {card}")
    move = OpportunityStageChange.objects.filter(opportunity=deal).latest("changed_at")
    assert (move.from_stage, move.to_stage, move.user) == (
        stage_at(1),
        stage_at(2),
        w.users["rep"],
    )

    # 3. Send a survey link from the customer.
    customer = Customer.objects.get(code="CUS-G1")
    page.goto(f"{live_server.url}/care/surveys/send/?customer={customer.pk}")
    page.select_option("#id_template", str(template.pk))
    page.locator("form button[type=submit]").last.tap()
    page.wait_for_url(re.compile(r".*/care/surveys/\d+/$"))
    survey = Survey.objects.get(customer=customer)
    link = f"{live_server.url}/s/{survey.token}/"
    assert f"/s/{survey.token}/" in page.content()
    page.screenshot(path=str(ARTIFACTS / "story-rep-survey-link.png"), full_page=True)
    rep_phone.close()

    # 4. The customer answers on their phone, without an account.
    customer_phone = phone(browser, locale="zh-CN")
    page = customer_phone.new_page()
    page.goto(link)
    page.get_by_test_id("q1-4").tap()
    page.get_by_test_id("q2-9").tap()
    page.get_by_test_id("q3-text").fill("工程师上门很准时。")
    page.get_by_test_id("submit").tap()
    page.wait_for_url("**/thanks/**")
    assert page.goto(link).status == 410  # a link works once
    customer_phone.close()
    survey.refresh_from_db()
    assert (survey.status, survey.csat, survey.nps) == ("answered", 4, 9)

    # 5. The grid manager sees the grid's overdue contacts and its satisfaction.
    desk = browser.new_context(locale="en-US")
    page = desk.new_page()
    log_in(page, live_server.url, "gridmanager")
    page.goto(f"{live_server.url}/grids/{w.grids['R1-A1-G1'].pk}/")
    assert page.get_by_test_id("overdue-contacts").inner_text() == "Overdue contacts: 1"
    page.get_by_test_id("overdue-contacts").click()
    table = page.get_by_test_id("contact-table").inner_text()
    assert "CUS-G1-OLD" in table and "CUS-G1\t" not in table
    month = timezone.localdate().strftime("%Y-%m")
    page.goto(f"{live_server.url}/care/surveys/results/?grid=R1-A1-G1&period={month}")
    assert page.get_by_test_id("responses").inner_text() == "1"
    assert page.get_by_test_id("csat").inner_text() == "4.00"
    assert page.get_by_test_id("nps").inner_text() == "100.0"
    assert "工程师上门很准时。" in page.get_by_test_id("comments").inner_text()
    page.screenshot(path=str(ARTIFACTS / "story-manager-results.png"), full_page=True)
    desk.close()
