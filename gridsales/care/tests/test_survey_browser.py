"""A customer answers a survey link on a phone (Playwright, Debian's Chromium)."""

from __future__ import annotations

import pytest

from gridsales.care import services
from gridsales.care.models import Survey
from gridsales.care.tests.factories import template_with_questions
from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world  # noqa: F401

pytestmark = pytest.mark.browser


def test_a_customer_answers_on_a_phone_once(browser, live_server, live_world):  # noqa: F811
    template = template_with_questions()
    survey = services.survey_send(
        template=template,
        customer=live_world.customers["CUS-G1"],
        user=live_world.users["rep"],
    )
    link = f"{live_server.url}/s/{survey.token}/"
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(link)
    assert page.get_by_role("heading", name="客户满意度回访").is_visible()
    assert page.locator("html").get_attribute("lang") == "zh-hans"  # the phone's language
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    four = page.get_by_test_id("q1-4")
    box = four.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44, "scores must be easy to tap"
    four.tap()
    page.get_by_test_id("q2-9").tap()
    page.get_by_test_id("q3-text").fill("送货很快，服务周到。")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "phone-survey.png"), full_page=True)
    page.get_by_test_id("submit").tap()
    page.wait_for_selector("[data-testid=survey-thanks]")
    survey = Survey.objects.get(pk=survey.pk)
    assert (survey.status, survey.csat, survey.nps, survey.comment) == (
        "answered",
        4,
        9,
        "送货很快，服务周到。",
    )
    response = page.goto(link)
    assert response.status == 410
    closed = page.get_by_test_id("survey-closed")
    assert closed.get_attribute("data-reason") == "answered"  # "already answered"
    context.close()
