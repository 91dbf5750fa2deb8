"""Every care page × every persona: 200 / 302 / 403 / 404 exactly, the rows each persona
sees in the lists, and the flows behind the forms."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from gridsales.care.choices import SurveyStatus
from gridsales.care.models import CadencePolicy, FollowUpRule, Survey, SurveyTemplate
from gridsales.care.tests.factories import (
    MATRIX_TEMPLATE,
    care_policy_world,
    care_survey_world,
    care_template_world,
)
from gridsales.conftest import PERSONAS


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


READ_ONLY = {"analyst", "finance"}
WRITERS = {"admin", "director"}
MANAGERS = {"regional", "gridmanager"}
VISIBLE_CUSTOMERS = {
    "admin": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "director": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "analyst": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "finance": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "regional": {"CUS-G1", "CUS-G2"},
    "gridmanager": {"CUS-G1"},
    "rep": {"CUS-G1", "CUS-NOGRID"},
    "rep2": {"CUS-R2"},
    "outsider": set(),
}
# Who withdraws each survey: its sender (rep: G1, NOGRID; rep2: R2; director: G2), the
# managers of the customer's grid, admins and directors.
REVOKERS = {
    "CUS-G1": WRITERS | {"regional", "gridmanager", "rep"},
    "CUS-G2": WRITERS | {"regional"},
    "CUS-R2": WRITERS | {"rep2"},
    "CUS-NOGRID": WRITERS | {"rep"},
}


def client_for(world, persona) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def by(rule) -> dict[str, int]:
    return {p: rule(p) for p in PERSONAS}


def pages(world) -> dict[str, dict[str, int]]:
    policies = care_policy_world(world)["policies"]
    rules = care_policy_world(world)["rules"]
    template = care_template_world(world)[MATRIX_TEMPLATE]
    surveys = care_survey_world(world)
    everyone = by(lambda p: 200)
    writers = by(lambda p: 200 if p in WRITERS else 403)

    def policy_editors(extra):
        return by(lambda p: 200 if p in WRITERS | extra else 403)

    urls = {
        "/care/": by(lambda p: 302),
        "/care/contacts/": everyone,
        "/care/contacts/?state=all&grid=R1&tier=A&sort=due": everyone,
        "/care/policies/": everyone,
        "/care/policies/new/": by(lambda p: 200 if p in WRITERS | MANAGERS else 403),
        f"/care/policies/{policies['A']}/edit/": writers,
        f"/care/policies/{policies['B@R1']}/edit/": policy_editors({"regional"}),
        f"/care/policies/{policies['A@R1-A1-G1']}/edit/": policy_editors(MANAGERS),
        f"/care/policies/{policies['A@R1-A1-G1']}/delete/": policy_editors(MANAGERS),
        "/care/follow-up-rules/": everyone,
        "/care/follow-up-rules/new/": writers,
        f"/care/follow-up-rules/{rules['订单回访']}/edit/": writers,
        f"/care/follow-up-rules/{rules['订单回访']}/delete/": writers,
        "/care/survey-templates/": everyone,
        "/care/survey-templates/new/": writers,
        f"/care/survey-templates/{template}/": everyone,
        f"/care/survey-templates/{template}/edit/": writers,
        f"/care/survey-templates/{template}/delete/": writers,
        "/care/surveys/": everyone,
        "/care/surveys/?period=2026-Q1&status=expired&csat_min=2": everyone,
        "/care/surveys/send/": by(lambda p: 403 if p in READ_ONLY else 200),
        "/care/surveys/record/": by(lambda p: 403 if p in READ_ONLY else 200),
        f"/care/surveys/record/?template={template}": by(lambda p: 403 if p in READ_ONLY else 200),
        "/care/surveys/results/": everyone,
        "/care/surveys/results/?grid=R1&period=2026-03": everyone,
        "/export/contact-status.csv": everyone,
        "/export/contact-status.xlsx": everyone,
        "/export/surveys.csv": everyone,
        "/export/surveys.xlsx": everyone,
    }
    for code, pk in surveys.items():
        urls[f"/care/surveys/{pk}/"] = by(
            lambda p, c=code: 200 if c in VISIBLE_CUSTOMERS[p] else 404
        )
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_care_page_answers_exactly_by_persona(persona, world):
    client = client_for(world, persona)
    problems = []
    for url, expected in pages(world).items():
        got = client.get(url).status_code
        if got != expected[persona]:
            problems.append(f"{url}: {got}, expected {expected[persona]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_withdrawing_a_survey_answers_exactly_by_persona(persona, world):
    client = client_for(world, persona)
    for code, pk in care_survey_world(world).items():
        want = (
            (302 if persona in REVOKERS[code] else 403)
            if code in VISIBLE_CUSTOMERS[persona]
            else 404
        )
        response = client.post(f"/care/surveys/{pk}/revoke/")
        assert response.status_code == want, (code, response.status_code)
        status = Survey.objects.get(pk=pk).status
        assert status == (SurveyStatus.REVOKED if want == 302 else SurveyStatus.SENT)
        Survey.objects.filter(pk=pk).update(status=SurveyStatus.SENT)


def test_anonymous_users_are_sent_to_login(world):
    for url in ("/care/contacts/", "/care/surveys/", "/care/policies/new/", "/care/surveys/send/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def codes_in(html: str, testid: str) -> set[str]:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r"CUS-[A-Z0-9]+", table))


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_exactly_its_customers_and_surveys(persona, world):
    care_policy_world(world)  # everyone due within the week
    care_survey_world(world)
    client = client_for(world, persona)
    html = client.get("/care/contacts/", {"state": "all"}).content.decode()
    want = VISIBLE_CUSTOMERS[persona]
    assert (codes_in(html, "contact-table") if want else set()) == want
    html = client.get("/care/surveys/").content.decode()
    assert (codes_in(html, "survey-table") if want else set()) == want


def test_a_manager_creates_a_policy_only_for_the_grids_it_manages(world):
    client = client_for(world, "gridmanager")
    g1, g2 = world.grids["R1-A1-G1"], world.grids["R1-A1-G2"]
    response = client.post(
        "/care/policies/new/",
        {"tier": "A", "grid": g1.pk, "interval_days": "10", "is_active": "on"},
    )
    assert response.status_code == 302
    assert CadencePolicy.objects.get().grid == g1
    # R1-A1-G2 is not a choice; without a grid the policy is the company's: refused.
    response = client.post(
        "/care/policies/new/", {"tier": "B", "grid": g2.pk, "interval_days": "10"}
    )
    assert response.status_code == 400
    response = client.post("/care/policies/new/", {"tier": "B", "interval_days": "10"})
    assert response.status_code == 400
    assert "outside what you are allowed to manage" in response.content.decode()
    assert CadencePolicy.objects.count() == 1


def test_policy_form_messages_name_the_range_and_the_existing_policy(world):
    client = client_for(world, "director")
    response = client.post("/care/policies/new/", {"tier": "A", "interval_days": "400"})
    assert response.status_code == 400
    assert (
        "Contact every 400 days: give a number of days from 1 to 366." in response.content.decode()
    )
    client.post("/care/policies/new/", {"tier": "A", "industry": "银行", "interval_days": "14"})
    response = client.post(
        "/care/policies/new/", {"tier": "A", "industry": "银行", "interval_days": "7"}
    )
    assert response.status_code == 400
    assert (
        "A policy for tier A, grid all grids, industry 银行 (every 14 days) already exists: "
        "edit that one instead." in response.content.decode()
    )


def test_the_director_writes_a_follow_up_rule_and_the_list_explains_it(world):
    client = client_for(world, "director")
    response = client.post(
        "/care/follow-up-rules/new/",
        {
            "name": "重点客户回访",
            "trigger": "visit",
            "delay_days": "3",
            "activity_type": "call",
            "tiers": ["A", "B"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    rule = FollowUpRule.objects.get()
    assert (rule.trigger, rule.delay_days, rule.tiers) == ("visit", 3, ["A", "B"])
    html = client.get("/care/follow-up-rules/").content.decode()
    assert "3 days after a visit, plan a Phone call for customers of tiers A, B." in html


def test_the_director_builds_a_template_with_ordered_questions(world):
    client = client_for(world, "director")
    form = {
        "code": "Q-2026",
        "name": "年度回访",
        "intro": "",
        "is_active": "on",
        "questions-TOTAL_FORMS": "4",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-kind": "nps",
        "questions-0-text": "推荐吗？",
        "questions-0-required": "on",
        "questions-1-kind": "csat",
        "questions-1-text": "满意吗？",
        "questions-1-required": "on",
        "questions-2-kind": "text",
        "questions-2-text": "建议",
        "questions-3-kind": "csat",
        "questions-3-text": "",
        "questions-3-required": "on",
    }
    response = client.post("/care/survey-templates/new/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    template = SurveyTemplate.objects.get(code="Q-2026")
    assert list(template.questions.values_list("position", "kind", "required")) == [
        (1, "nps", True),
        (2, "csat", True),
        (3, "text", False),
    ]
    response = client.get(f"/care/survey-templates/{template.pk}/edit/")
    assert "推荐吗？" in response.content.decode()


def test_a_rep_sends_a_survey_and_sees_the_link_once_made(world):
    template_id = care_template_world(world)[MATRIX_TEMPLATE]
    customer = world.customers["CUS-G1"]
    client = client_for(world, "rep")
    response = client.get("/care/surveys/send/", {"customer": customer.pk})
    assert 'value="CUS-G1"' in response.content.decode()
    response = client.post(
        f"/care/surveys/send/?customer={customer.pk}",
        {
            "template": template_id,
            "customer": "CUS-G1",
            "contact": world.contacts["Contact CUS-G1"].pk,
        },
    )
    assert response.status_code == 302
    survey = Survey.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert f"/s/{survey.token}/" in html
    # Someone who may see the survey but not withdraw it gets no link.
    html = client_for(world, "analyst").get(response["Location"]).content.decode()
    assert survey.token not in html


def test_a_rep_cannot_send_to_a_customer_it_does_not_see(world):
    template_id = care_template_world(world)[MATRIX_TEMPLATE]
    response = client_for(world, "rep").post(
        "/care/surveys/send/", {"template": template_id, "customer": "CUS-R2"}
    )
    assert response.status_code == 400
    assert "No customer with the code “CUS-R2” among yours." in response.content.decode()
    assert not Survey.objects.exists()


def test_a_rep_records_a_visits_answers(world):
    template_id = care_template_world(world)[MATRIX_TEMPLATE]
    client = client_for(world, "rep")
    response = client.get("/care/surveys/record/", {"template": template_id})
    assert 'name="q2"' in response.content.decode()
    base = {"template": template_id, "customer": "CUS-NOGRID"}
    response = client.post("/care/surveys/record/", {**base, "q1": "6", "q2": "9"})
    assert response.status_code == 400
    assert "Question 1: “6” is not a score; choose a whole number from 1 to 5." in (
        response.content.decode()
    )
    response = client.post("/care/surveys/record/", {**base, "q1": "5", "q2": "9", "q3": "好"})
    assert response.status_code == 302
    survey = Survey.objects.get()
    assert (survey.channel, survey.status, survey.csat, survey.nps, survey.comment) == (
        "visit",
        "answered",
        5,
        9,
        "好",
    )


def test_the_results_page_shows_the_numbers_and_names_a_bad_period(world):
    client = client_for(world, "director")
    response = client.get("/care/surveys/results/", {"period": "2026-13"})
    assert "Period “2026-13”: use a year (2026), a quarter (2026-Q1) or a month (2026-03)." in (
        response.content.decode()
    )
    response = client.get("/care/surveys/results/", {"grid": "NOPE"})
    assert "No grid with the code “NOPE” among yours." in response.content.decode()
