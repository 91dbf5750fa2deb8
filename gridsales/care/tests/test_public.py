"""The customer's survey page /s/<token>/: anonymous, CSRF-protected, one-time; nothing
written on invalid input; nothing of other customers shown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridsales.care import services
from gridsales.care.models import Survey, SurveyAnswer
from gridsales.care.tests.factories import template_with_questions
from gridsales.customers.models import Customer


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def survey(world):
    template = template_with_questions()
    template.intro = "感谢您抽出时间。"
    template.save()
    return services.survey_send(
        template=template, customer=world.customers["CUS-G1"], user=world.users["rep"]
    )


def url(survey) -> str:
    return f"/s/{survey.token}/"


def test_an_anonymous_customer_opens_the_link_and_sees_only_its_own_name(world, survey):
    Customer.objects.filter(pk=survey.customer_id).update(name="上海示例有限公司")
    response = Client().get(url(survey))
    assert response.status_code == 200
    html = response.content.decode()
    assert "上海示例有限公司" in html and "感谢您抽出时间。" in html
    assert html.count('name="q1"') == 5 and html.count('name="q2"') == 11
    assert 'name="csrfmiddlewaretoken"' in html
    # No other customer, no code, no rep, no grid, no link into the application.
    for private in ("CUS-G1", "CUS-G2", "R1-A1-G1", "/customers/", "/care/"):
        assert private not in html, private
    assert not re.search(r"\brep\b", html) and str(world.users["rep"]) not in html


def test_the_page_speaks_chinese_by_default(world, survey, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = Client().get(url(survey))
    assert 'lang="zh-hans"' in response.content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(url(survey))
    assert 'lang="en"' in english.content.decode()


def test_answering_stores_once_then_thanks_and_then_says_already_answered(world, survey):
    client = Client()
    response = client.post(url(survey), {"q1": "4", "q2": "9", "q3": "服务很好"})
    assert response.status_code == 302 and response["Location"] == f"/s/{survey.token}/thanks/"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Thank you!" in thanks.content.decode()
    survey.refresh_from_db()
    assert (survey.status, survey.csat, survey.nps, survey.comment) == (
        "answered",
        4,
        9,
        "服务很好",
    )
    again = client.get(url(survey))
    assert again.status_code == 410
    assert "This survey has already been answered" in again.content.decode()
    resent = client.post(url(survey), {"q1": "1", "q2": "0"})
    assert resent.status_code == 410
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, SurveyAnswer.objects.count()) == (4, 9, 3)
    # Another browser is not thanked: it is told the state of the link.
    assert Client().get(f"/s/{survey.token}/thanks/")["Location"] == url(survey)


def test_an_unknown_link_is_404_and_an_expired_or_withdrawn_one_410(world, survey, monkeypatch):
    response = Client().get("/s/not-a-real-token/")
    assert response.status_code == 404 and "Survey not found" in response.content.decode()
    later = survey.expires_at + dt.timedelta(seconds=1)
    with monkeypatch.context() as m:
        m.setattr(timezone, "now", lambda: later)
        response = Client().post(url(survey), {"q1": "5", "q2": "10"})
    assert (
        response.status_code == 410 and "This survey link has expired" in response.content.decode()
    )
    services.survey_revoke(survey=survey)
    response = Client().get(url(survey))
    assert (
        response.status_code == 410
        and "This survey has been withdrawn" in response.content.decode()
    )
    assert not SurveyAnswer.objects.exists()


def test_invalid_answers_show_the_messages_and_write_nothing(world, survey):
    response = Client().post(url(survey), {"q1": "7", "q3": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Question 1: “7” is not a score; choose a whole number from 1 to 5." in html
    assert "Question 2: please answer this question." in html
    assert "x</textarea>" in html  # what was typed is kept
    survey.refresh_from_db()
    assert (survey.status, SurveyAnswer.objects.count()) == ("sent", 0)


def test_the_answer_needs_the_csrf_token(world, survey):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url(survey), {"q1": "4", "q2": "9"}).status_code == 403
    page = client.get(url(survey))
    token = page.cookies["csrftoken"].value
    response = client.post(url(survey), {"q1": "4", "q2": "9", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Survey.objects.get().status == "answered"
