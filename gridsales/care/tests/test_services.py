"""Care services: policies and rules validation, templates, and the survey life cycle
(send → answer once, expiry on a frozen clock, withdrawal, visit answers), with the
exact messages for bad input and the exact CSAT/NPS arithmetic."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridsales.care import services
from gridsales.care.choices import QuestionKind, SurveyChannel, SurveyStatus
from gridsales.care.models import CadencePolicy, Survey, SurveyAnswer
from gridsales.care.results import summarise
from gridsales.care.selectors import customer_surveys, parse_period, survey_results, survey_scores
from gridsales.care.tests.factories import CadencePolicyFactory, template_with_questions


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


NOW = timezone.make_aware(dt.datetime(2026, 3, 10, 9, 0))


@pytest.fixture
def clock(monkeypatch):
    """A frozen `timezone.now` that the test moves forward."""

    class Clock:
        now = NOW

        def set(self, moment):
            self.now = moment

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def template(world):
    return template_with_questions()


def send(world, template, code="CUS-G1", user="rep"):
    return services.survey_send(
        template=template, customer=world.customers[code], user=world.users[user]
    )


def messages_of(exc) -> dict[str, list[str]]:
    return exc.value.message_dict


# Policies and rules ---------------------------------------------------------------------


@pytest.mark.parametrize("days", [0, 367])
def test_a_policy_interval_outside_1_to_366_is_refused_with_the_range(world, days):
    with pytest.raises(ValidationError) as exc:
        services.cadence_policy_save(tier="A", interval_days=days)
    assert messages_of(exc) == {
        "interval_days": [f"Contact every {days} days: give a number of days from 1 to 366."]
    }


def test_a_duplicate_policy_names_the_existing_one(world):
    CadencePolicyFactory(tier="B", grid=world.grids["R1"], industry="银行", interval_days=21)
    with pytest.raises(ValidationError) as exc:
        services.cadence_policy_save(
            tier="B", grid=world.grids["R1"], industry=" 银行 ", interval_days=10
        )
    assert exc.value.messages == [
        "A policy for tier B, grid R1, industry 银行 (every 21 days) already exists: "
        "edit that one instead."
    ]
    # The same tier elsewhere, or the existing policy itself, is fine.
    services.cadence_policy_save(
        tier="B", grid=world.grids["R2"], industry="银行", interval_days=10
    )
    policy = CadencePolicy.objects.get(grid=world.grids["R1"])
    services.cadence_policy_save(
        policy=policy, tier="B", grid=world.grids["R1"], industry="银行", interval_days=30
    )
    assert CadencePolicy.objects.get(pk=policy.pk).interval_days == 30


def test_a_follow_up_rule_checks_its_tiers_and_delay(world):
    base = {"name": "回访", "trigger": "order", "activity_type": "call"}
    with pytest.raises(ValidationError) as exc:
        services.followup_rule_save(**base, delay_days=3, tiers=["A", "E"])
    assert messages_of(exc) == {"tiers": ["Unknown tier “E”: use A, B, C, D."]}
    with pytest.raises(ValidationError) as exc:
        services.followup_rule_save(**base, delay_days=400)
    assert messages_of(exc) == {
        "delay_days": ["After 400 days: give a number of days from 0 to 366."]
    }
    rule = services.followup_rule_save(**base, delay_days=0, tiers=["B", "A", "B"])
    assert rule.tiers == ["A", "B"]


# Templates ------------------------------------------------------------------------------


def test_a_template_numbers_its_questions_in_order(world):
    template = services.survey_template_save(
        code="T1",
        name="问卷",
        questions=[
            {"kind": "nps", "text": " 推荐吗？ "},
            {"kind": "text", "text": "建议", "required": False},
        ],
    )
    assert list(template.questions.values_list("position", "kind", "text", "required")) == [
        (1, "nps", "推荐吗？", True),
        (2, "text", "建议", False),
    ]


@pytest.mark.parametrize(
    "questions, message",
    [
        ([], "A survey needs at least one question."),
        (
            [{"kind": "stars", "text": "?"}],
            "Question 1: unknown question type “stars”: use csat, nps, text.",
        ),
        (
            [{"kind": "csat", "text": "好"}, {"kind": "csat", "text": " "}],
            "Question 2: write the question.",
        ),
    ],
)
def test_template_questions_are_checked(world, questions, message):
    with pytest.raises(ValidationError) as exc:
        services.survey_template_save(code="T1", name="问卷", questions=questions)
    assert messages_of(exc) == {"questions": [message]}


def test_a_sent_template_keeps_its_questions_shape_but_not_its_wording(world, template):
    send(world, template)
    questions = [
        {"kind": "csat", "text": "满意吗？"},
        {"kind": "nps", "text": "推荐吗？"},
        {"kind": "text", "text": "建议", "required": True},
    ]
    services.survey_template_save(
        template=template, code=template.code, name="新名字", questions=questions
    )
    assert list(template.questions.values_list("text", flat=True)) == [
        "满意吗？",
        "推荐吗？",
        "建议",
    ]
    with pytest.raises(ValidationError) as exc:
        services.survey_template_save(
            template=template, code=template.code, name="x", questions=questions[:2]
        )
    assert "This template has already been sent" in messages_of(exc)["questions"][0]
    with pytest.raises(ValidationError) as exc:
        services.survey_template_delete(template=template)
    assert exc.value.messages == [
        "The template CSAT-NPS has already been sent and its answers refer to it: "
        "deactivate it instead of deleting it."
    ]


# Sending and answering ------------------------------------------------------------------


def test_sending_makes_a_random_link_that_expires_after_the_configured_days(
    world, template, clock, settings
):
    settings.SURVEY_LINK_DAYS = 10
    first, second = send(world, template), send(world, template, code="CUS-G2", user="director")
    assert first.token != second.token and len(first.token) == 43  # 32 bytes, base64url
    assert (first.channel, first.status, first.grid) == (
        SurveyChannel.LINK,
        SurveyStatus.SENT,
        world.grids["R1-A1-G1"],
    )
    assert first.expires_at == NOW + dt.timedelta(days=10)
    assert first.sent_at == NOW and first.sent_by == world.users["rep"]


def test_an_inactive_template_or_a_strangers_contact_is_refused(world, template):
    template.is_active = False
    template.save()
    with pytest.raises(ValidationError) as exc:
        send(world, template)
    assert messages_of(exc) == {"template": ["The survey template CSAT-NPS is not active."]}
    template.is_active = True
    template.save()
    with pytest.raises(ValidationError) as exc:
        services.survey_send(
            template=template,
            customer=world.customers["CUS-G1"],
            contact=world.contacts["Contact CUS-R2"],
            user=world.users["rep"],
        )
    assert messages_of(exc) == {"contact": ["Contact CUS-R2 is not a contact of CUS-G1."]}


def test_an_answer_is_stored_once_and_copied_onto_the_survey(world, template, clock):
    survey = send(world, template)
    clock.set(NOW + dt.timedelta(days=2))
    services.survey_answer(token=survey.token, answers={"1": "4", "2": 9, "3": "  很好  "})
    survey.refresh_from_db()
    assert (survey.status, survey.csat, survey.nps, survey.comment) == ("answered", 4, 9, "很好")
    assert survey.answered_at == NOW + dt.timedelta(days=2)
    assert list(survey.answers.values_list("question__position", "score", "text")) == [
        (1, 4, ""),
        (2, 9, ""),
        (3, None, "很好"),
    ]
    with pytest.raises(services.SurveyLinkError) as exc:
        services.survey_answer(token=survey.token, answers={"1": 1, "2": 0})
    assert exc.value.reason == "answered"
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, SurveyAnswer.objects.count()) == (4, 9, 3)


def test_a_link_expires_at_the_second_it_was_given(world, template, clock, settings):
    settings.SURVEY_LINK_DAYS = 14
    survey = send(world, template)
    clock.set(NOW + dt.timedelta(days=14, seconds=-1))
    assert services.survey_for_token(survey.token) == survey
    clock.set(NOW + dt.timedelta(days=14))
    with pytest.raises(services.SurveyLinkError) as exc:
        services.survey_answer(token=survey.token, answers={"1": 5, "2": 10})
    assert exc.value.reason == "expired"
    survey.refresh_from_db()
    assert (survey.status, survey.csat, SurveyAnswer.objects.count()) == ("sent", None, 0)


def test_a_withdrawn_or_unknown_link_answers_nothing(world, template):
    survey = services.survey_revoke(survey=send(world, template))
    assert survey.status == SurveyStatus.REVOKED
    for token, reason in ((survey.token, "revoked"), ("nope", "unknown"), ("", "unknown")):
        with pytest.raises(services.SurveyLinkError) as exc:
            services.survey_answer(token=token, answers={"1": 5, "2": 10})
        assert exc.value.reason == reason
    with pytest.raises(ValidationError) as exc:
        services.survey_revoke(survey=survey)
    assert exc.value.messages == [
        "Only a survey waiting for its answer can be withdrawn; this one is: Withdrawn."
    ]
    assert not SurveyAnswer.objects.exists()


def test_invalid_answers_name_each_question_and_write_nothing(world, template):
    survey = send(world, template)
    with pytest.raises(ValidationError) as exc:
        services.survey_answer(
            token=survey.token, answers={"1": "6", "2": "", "3": "x" * 2001, "7": 1}
        )
    assert messages_of(exc) == {
        "answers": ["There is no question 7 in this survey."],
        "q1": ["Question 1: “6” is not a score; choose a whole number from 1 to 5."],
        "q2": ["Question 2: please answer this question."],
        "q3": ["Question 3: at most 2000 characters (you wrote 2001)."],
    }
    for bad in ("-1", "11", "4.5", "九", True):
        with pytest.raises(ValidationError) as exc:
            services.survey_answer(token=survey.token, answers={"1": 3, "2": bad})
        assert messages_of(exc) == {
            "q2": [f"Question 2: “{bad}” is not a score; choose a whole number from 0 to 10."]
        }
    survey.refresh_from_db()
    assert (survey.status, SurveyAnswer.objects.count()) == ("sent", 0)
    # The optional comment may be left out; the edge scores are valid.
    services.survey_answer(token=survey.token, answers={"1": 1, "2": 0})
    survey.refresh_from_db()
    assert (survey.csat, survey.nps, survey.comment) == (1, 0, "")


def test_the_second_of_two_simultaneous_answers_is_refused(world, template, monkeypatch):
    """The answer is claimed by a conditional update on status "sent": when another
    request answered between our read and our write, nothing of ours is stored."""
    survey = send(world, template)
    real_validate = services.validate_answers

    def answered_meanwhile(questions, answers):
        Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.ANSWERED)
        return real_validate(questions, answers)

    monkeypatch.setattr(services, "validate_answers", answered_meanwhile)
    with pytest.raises(services.SurveyLinkError) as exc:
        services.survey_answer(token=survey.token, answers={"1": 5, "2": 10})
    assert exc.value.reason == "answered"
    assert not SurveyAnswer.objects.exists()


def test_answers_recorded_during_a_visit_need_no_link(world, template, clock):
    from gridsales.activities.models import Activity

    visit = Activity.objects.create(
        type="visit",
        status="done",
        subject="拜访",
        customer=world.customers["CUS-G1"],
        owner=world.users["rep"],
    )
    survey = services.survey_record(
        template=template,
        customer=world.customers["CUS-G1"],
        activity=visit,
        answers={1: 5, 2: 7, 3: ""},
        user=world.users["rep"],
    )
    assert (survey.channel, survey.status, survey.token, survey.expires_at) == (
        "visit",
        "answered",
        None,
        None,
    )
    assert (survey.csat, survey.nps, survey.answered_at, survey.activity) == (5, 7, NOW, visit)
    with pytest.raises(ValidationError) as exc:
        services.survey_record(
            template=template,
            customer=world.customers["CUS-G2"],
            activity=visit,
            answers={1: 5, 2: 7},
            user=world.users["rep"],
        )
    assert messages_of(exc) == {
        "activity": ["The visit “拜访” is with another customer than CUS-G2."]
    }


def test_a_second_csat_question_does_not_replace_the_first(world):
    template = services.survey_template_save(
        code="T2",
        name="两题",
        questions=[
            {"kind": QuestionKind.CSAT, "text": "服务"},
            {"kind": QuestionKind.CSAT, "text": "产品"},
            {"kind": QuestionKind.TEXT, "text": "服务建议", "required": False},
            {"kind": QuestionKind.TEXT, "text": "产品建议", "required": False},
        ],
    )
    survey = services.survey_record(
        template=template,
        customer=world.customers["CUS-G1"],
        answers={1: 2, 2: 5, 3: "慢", 4: "好"},
        user=world.users["rep"],
    )
    assert (survey.csat, survey.nps, survey.comment) == (2, None, "慢\n\n好")


# Results --------------------------------------------------------------------------------


def test_csat_and_nps_are_exact_and_rounded_half_up():
    # 3 promoters (9, 10, 9), 2 passives (7, 8), 2 detractors (6, 0): (3 − 2) / 7 = 14.2857…%
    scores = summarise(8, [5, 4, 4, 3, 5, 4, 2, 4], [9, 10, 9, 7, 8, 6, 0])
    assert scores.as_dict() == {
        "responses": 8,
        "csat": "3.88",  # 31 / 8 = 3.875 → 3.88 (half up, not to even)
        "nps": "14.3",
        "promoters": 3,
        "passives": 2,
        "detractors": 2,
    }
    assert summarise(3, [1, 2, 2], [0, 6, 5]).nps == Decimal("-100.0")
    assert summarise(2, [5, 4], [9, 8]).nps == Decimal("50.0")
    # 2 of 3: 66.666…% → 66.7; 1 of 3 promoters, 2 detractors: −33.333… → −33.3
    assert summarise(3, [], [10, 9, 8]).nps == Decimal("66.7")
    assert summarise(3, [], [10, 1, 2]).nps == Decimal("-33.3")
    empty = summarise(0, [], [])
    assert (empty.csat, empty.nps) == (None, None)


@pytest.mark.parametrize(
    "text, start, end",
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026-q4", dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026-12", dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    ],
)
def test_periods_are_years_quarters_and_months(text, start, end):
    assert parse_period(text) == (start, end)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-03", "March"])
def test_a_bad_period_says_what_to_type(text):
    with pytest.raises(ValidationError) as exc:
        parse_period(text)
    assert exc.value.messages == [
        f"Period “{text}”: use a year (2026), a quarter (2026-Q1) or a month (2026-03)."
    ]


def answered(world, template, code, csat, nps, when, comment=""):
    survey = services.survey_record(
        template=template,
        customer=world.customers[code],
        answers={1: csat, 2: nps, 3: comment},
        user=world.users["director"],
    )
    Survey.objects.filter(pk=survey.pk).update(answered_at=when)
    return survey


def test_results_count_the_grids_subtree_and_the_period_in_local_days(world, template):
    def at(day, hour):
        return timezone.make_aware(dt.datetime(2026, 3, day, hour))

    answered(world, template, "CUS-G1", 5, 10, at(1, 0), "很好")  # first local minute
    answered(world, template, "CUS-G1", 4, 9, at(15, 12))
    answered(world, template, "CUS-G2", 2, 3, at(31, 23), "太慢")
    answered(world, template, "CUS-R2", 1, 0, at(20, 12))
    april = timezone.make_aware(dt.datetime(2026, 4, 1, 0, 0))
    answered(world, template, "CUS-G1", 1, 0, april)  # outside March
    send(world, template)  # not answered: not a response
    start, end = parse_period("2026-03")
    director = world.users["director"]
    r1 = survey_scores(user=director, grid=world.grids["R1"], start=start, end=end)
    # CSAT (5 + 4 + 2) / 3 = 3.666… → 3.67; NPS (2 promoters − 1 detractor) / 3 = 33.3
    assert r1.as_dict() == {
        "responses": 3,
        "csat": "3.67",
        "nps": "33.3",
        "promoters": 2,
        "passives": 0,
        "detractors": 1,
    }
    everything = survey_scores(user=director, grid=None, start=start, end=end)
    assert (everything.responses, str(everything.csat), str(everything.nps)) == (4, "3.00", "0.0")
    results = survey_results(user=director, grid=world.grids["R1-A1"], start=start, end=end)
    assert [(g.code, s.responses, str(s.csat)) for g, s in results.children] == [
        ("R1-A1-G1", 2, "4.50"),
        ("R1-A1-G2", 1, "2.00"),
    ]
    assert [s.comment for s in results.comments] == ["太慢", "很好"]
    # A rep sees only its grid's surveys.
    rep = survey_scores(user=world.users["rep"], grid=None, start=start, end=end)
    assert rep.responses == 2


def test_customer_surveys_are_those_the_user_may_see(world, template):
    mine = send(world, template)
    send(world, template, code="CUS-R2", user="rep2")
    customer = world.customers["CUS-G1"]
    assert list(customer_surveys(customer, world.users["rep"])) == [mine]
    assert list(customer_surveys(customer, world.users["rep2"])) == []
