"""Care API beyond the permission matrix: sending and recording surveys, their links,
templates with nested questions, policy messages, and the results endpoint's numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from gridsales.care import services
from gridsales.care.models import Survey, SurveyTemplate
from gridsales.care.tests.factories import CadencePolicyFactory, template_with_questions


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def template(world):
    return template_with_questions()


def test_sending_answers_the_link_to_share_but_only_to_those_who_may_withdraw_it(
    world, api, template
):
    response = api("rep").post(
        "/api/v1/surveys/", {"template": "CSAT-NPS", "customer": "CUS-G1"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    survey = Survey.objects.get()
    assert body["link"] == f"http://testserver/s/{survey.token}/"
    assert (body["status"], body["channel"], body["grid"], body["sent_by"]) == (
        "sent",
        "link",
        "R1-A1-G1",
        "rep",
    )
    assert api("analyst").get(f"/api/v1/surveys/{survey.pk}/").json()["link"] is None
    assert api("gridmanager").get(f"/api/v1/surveys/{survey.pk}/").json()["link"] == body["link"]
    listed = api("rep").get("/api/v1/surveys/").json()["results"][0]
    assert "link" not in listed and "token" not in listed


def test_recording_a_visits_answers_reports_each_bad_answer(world, api, template):
    client = api("rep")
    payload = {"template": "CSAT-NPS", "customer": "CUS-G1", "answers": {"1": 0, "2": 12}}
    response = client.post("/api/v1/surveys/record/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "q1": ["Question 1: “0” is not a score; choose a whole number from 1 to 5."],
        "q2": ["Question 2: “12” is not a score; choose a whole number from 0 to 10."],
    }
    payload["answers"] = {"1": 3, "2": 8, "3": "还行"}
    response = client.post("/api/v1/surveys/record/", payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["channel"], body["csat"], body["nps"], body["comment"], body["link"]) == (
        "visit",
        3,
        8,
        "还行",
        None,
    )
    assert [(a["position"], a["score"], a["text"]) for a in body["answers"]] == [
        (1, 3, ""),
        (2, 8, ""),
        (3, None, "还行"),
    ]


def test_withdrawing_twice_says_why(world, api, template):
    survey = services.survey_send(
        template=template, customer=world.customers["CUS-G1"], user=world.users["rep"]
    )
    client = api("rep")
    assert client.post(f"/api/v1/surveys/{survey.pk}/revoke/").json()["status"] == "revoked"
    response = client.post(f"/api/v1/surveys/{survey.pk}/revoke/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Only a survey waiting for its answer can be withdrawn; this one is: Withdrawn."
        ]
    }


def test_surveys_filter_by_status_channel_and_score_range(world, api, template):
    rep = world.users["rep"]
    g1 = world.customers["CUS-G1"]
    waiting = services.survey_send(template=template, customer=g1, user=rep)
    for csat, nps in ((5, 10), (2, 3)):
        services.survey_record(template=template, customer=g1, answers={1: csat, 2: nps}, user=rep)
    Survey.objects.filter(pk=waiting.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    client = api("admin")

    def csats(**params):
        return sorted(
            (r["csat"] or 0) for r in client.get("/api/v1/surveys/", params).json()["results"]
        )

    assert csats(status="expired") == [0]
    assert csats(status="sent") == []
    assert csats(channel="visit", csat_min=3) == [5]
    assert csats(nps_max=6) == [2]
    assert csats(rep="rep", grid="R1") == [0, 2, 5]
    assert csats(grid="R2") == []
    this_month = timezone.localdate().strftime("%Y-%m")
    assert csats(period=this_month) == [0, 2, 5]
    response = client.get("/api/v1/surveys/", {"period": "2026-13"})
    assert response.status_code == 400


def test_templates_are_written_with_their_questions(world, api):
    client = api("director")
    response = client.post(
        "/api/v1/survey-templates/",
        {
            "code": "API-1",
            "name": "接口问卷",
            "questions": [
                {"kind": "nps", "text": "推荐吗？"},
                {"kind": "text", "text": "说说看", "required": False},
            ],
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["questions"] == [
        {"position": 1, "kind": "nps", "text": "推荐吗？", "required": True},
        {"position": 2, "kind": "text", "text": "说说看", "required": False},
    ]
    pk = body["id"]
    # A PATCH without questions keeps them.
    response = client.patch(f"/api/v1/survey-templates/{pk}/", {"name": "新名"}, format="json")
    assert response.status_code == 200 and len(response.json()["questions"]) == 2
    response = client.post(
        "/api/v1/survey-templates/", {"code": "API-2", "name": "空问卷"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"questions": ["A survey needs at least one question."]}
    assert not SurveyTemplate.objects.filter(code="API-2").exists()


def test_policy_api_messages_name_the_range_and_the_twin(world, api):
    CadencePolicyFactory(tier="A", grid=world.grids["R1"], interval_days=14)
    client = api("regional")
    response = client.post(
        "/api/v1/cadence-policies/", {"tier": "A", "grid": "R1", "interval_days": 7}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "A policy for tier A, grid R1, industry all industries (every 14 days) already "
            "exists: edit that one instead."
        ]
    }
    response = client.post(
        "/api/v1/cadence-policies/", {"tier": "B", "grid": "R1", "interval_days": 0}, format="json"
    )
    assert response.json() == {
        "interval_days": ["Contact every 0 days: give a number of days from 1 to 366."]
    }


def test_the_results_endpoint_gives_exact_numbers_for_a_grid_and_month(world, api, template):
    director = world.users["director"]
    march = timezone.make_aware(dt.datetime(2026, 3, 12, 10))
    for code, csat, nps in (
        ("CUS-G1", 5, 10),
        ("CUS-G1", 4, 9),
        ("CUS-G2", 3, 7),
        ("CUS-G2", 2, 6),
        ("CUS-R2", 1, 0),
    ):
        survey = services.survey_record(
            template=template,
            customer=world.customers[code],
            answers={1: csat, 2: nps},
            user=director,
        )
        Survey.objects.filter(pk=survey.pk).update(answered_at=march)
    client = api("admin")
    body = client.get("/api/v1/survey-results/", {"grid": "R1", "period": "2026-03"}).json()
    # CSAT 14 / 4 = 3.50; NPS (2 − 1) / 4 = 25.0
    assert body == {
        "responses": 4,
        "csat": "3.50",
        "nps": "25.0",
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
    }
    body = client.get("/api/v1/survey-results/", {"period": "2026-Q1"}).json()
    # CSAT 15 / 5 = 3.00; NPS (2 − 2) / 5 = 0.0
    assert (body["responses"], body["csat"], body["nps"]) == (5, "3.00", "0.0")
    body = client.get("/api/v1/survey-results/", {"period": "2026-04"}).json()
    assert body == {
        "responses": 0,
        "csat": None,
        "nps": None,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
    }
    body = client.get(
        "/api/v1/survey-results/", {"start": "2026-03-12", "end": "2026-03-12"}
    ).json()
    assert body["responses"] == 5
    # rep2 sees only its grid; a grid outside the scope is 404; a bad period 400.
    rep2 = api("rep2")
    assert rep2.get("/api/v1/survey-results/", {"period": "2026-03"}).json()["responses"] == 1
    response = rep2.get("/api/v1/survey-results/", {"grid": "R1"})
    assert response.status_code == 404
    response = client.get("/api/v1/survey-results/", {"period": "Q1"})
    assert response.status_code == 400
    assert response.json() == {
        "period": ["Period “Q1”: use a year (2026), a quarter (2026-Q1) or a month (2026-03)."]
    }
    assert api(None).get("/api/v1/survey-results/").status_code in (401, 403)
