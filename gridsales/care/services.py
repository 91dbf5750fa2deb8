"""Writes for customer care: cadence policies, follow-up rules, survey templates, surveys.

Surveys are sent as a one-time link (`survey_send` → the customer answers on /s/<token>/
through `survey_answer`) or recorded by the rep during a visit (`survey_record`). A link
is single-use, expires after settings.SURVEY_LINK_DAYS days, and can be withdrawn
(`survey_revoke`). See docs/care.md.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.care.choices import QuestionKind, SurveyChannel, SurveyStatus
from gridsales.care.models import (
    CadencePolicy,
    FollowUpRule,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTemplate,
)
from gridsales.core.services import model_save
from gridsales.customers.choices import Tier

INTERVAL_MAX = 366
TEXT_ANSWER_MAX = 2000
SCALES = {QuestionKind.CSAT: (1, 5), QuestionKind.NPS: (0, 10)}


# Cadence policies ------------------------------------------------------------------------


def validate_interval(value) -> None:
    """A contact interval is a whole number of days from 1 to 366."""
    if value is None or isinstance(value, bool) or not 1 <= int(value) <= INTERVAL_MAX:
        raise ValidationError(
            _("Contact every {value} days: give a number of days from 1 to 366.").format(
                value=value
            )
        )


def validate_delay(value) -> None:
    """A follow-up delay is a whole number of days from 0 (the same day) to 366."""
    if value is None or isinstance(value, bool) or not 0 <= int(value) <= INTERVAL_MAX:
        raise ValidationError(
            _("After {value} days: give a number of days from 0 to 366.").format(value=value)
        )


def _policy_label(policy: CadencePolicy) -> str:
    return _("tier {tier}, grid {grid}, industry {industry} (every {days} days)").format(
        tier=policy.tier,
        grid=policy.grid.code if policy.grid_id else _("all grids"),
        industry=policy.industry or _("all industries"),
        days=policy.interval_days,
    )


@transaction.atomic
def cadence_policy_save(
    *,
    policy: CadencePolicy | None = None,
    tier: str,
    interval_days: int,
    grid=None,
    industry: str = "",
    is_active: bool = True,
) -> CadencePolicy:
    """Create (policy=None) or update a cadence policy. The interval is 1–366 days; one
    policy per tier + grid + industry (the message names the existing one)."""
    policy = policy or CadencePolicy()
    industry = (industry or "").strip()
    try:
        validate_interval(interval_days)
    except ValidationError as exc:
        raise ValidationError({"interval_days": exc.messages}) from None
    twin = (
        CadencePolicy.objects.filter(tier=tier, grid=grid, industry=industry)
        .exclude(pk=policy.pk)
        .select_related("grid")
        .first()
    )
    if twin is not None:
        raise ValidationError(
            _("A policy for {policy} already exists: edit that one instead.").format(
                policy=_policy_label(twin)
            )
        )
    return model_save(
        policy,
        tier=tier,
        grid=grid,
        industry=industry,
        interval_days=int(interval_days),
        is_active=is_active,
    )


@transaction.atomic
def cadence_policy_delete(*, policy: CadencePolicy) -> None:
    """Delete a cadence policy (the audit log keeps it); customers fall back to the next
    most specific one."""
    policy.delete()


# Follow-up rules -------------------------------------------------------------------------


@transaction.atomic
def followup_rule_save(
    *,
    rule: FollowUpRule | None = None,
    name: str,
    trigger: str,
    delay_days: int,
    activity_type: str,
    tiers: list[str] | None = None,
    is_active: bool = True,
) -> FollowUpRule:
    """Create (rule=None) or update a follow-up rule. `tiers` empty means every tier."""
    rule = rule or FollowUpRule()
    tiers = list(dict.fromkeys(tiers or []))
    unknown = [t for t in tiers if t not in Tier.values]
    if unknown:
        raise ValidationError(
            {
                "tiers": _("Unknown tier “{value}”: use {allowed}.").format(
                    value=unknown[0], allowed=", ".join(Tier.values)
                )
            }
        )
    try:
        validate_delay(delay_days)
    except ValidationError as exc:
        raise ValidationError({"delay_days": exc.messages}) from None
    return model_save(
        rule,
        name=name.strip(),
        trigger=trigger,
        delay_days=int(delay_days),
        activity_type=activity_type,
        tiers=sorted(tiers),
        is_active=is_active,
    )


@transaction.atomic
def followup_rule_delete(*, rule: FollowUpRule) -> None:
    """Delete a follow-up rule; the follow-ups it already planned stay."""
    rule.delete()


# Survey templates ------------------------------------------------------------------------


def _clean_questions(questions: list[dict]) -> list[dict]:
    cleaned = []
    for number, question in enumerate(questions, start=1):
        kind = question.get("kind")
        text = (question.get("text") or "").strip()
        if kind not in QuestionKind.values:
            raise ValidationError(
                {
                    "questions": _(
                        "Question {n}: unknown question type “{value}”: use {allowed}."
                    ).format(n=number, value=kind, allowed=", ".join(QuestionKind.values))
                }
            )
        if not text:
            raise ValidationError(
                {"questions": _("Question {n}: write the question.").format(n=number)}
            )
        if len(text) > 300:
            raise ValidationError(
                {"questions": _("Question {n}: at most 300 characters.").format(n=number)}
            )
        cleaned.append(
            {"kind": kind, "text": text, "required": bool(question.get("required", True))}
        )
    if not cleaned:
        raise ValidationError({"questions": _("A survey needs at least one question.")})
    return cleaned


@transaction.atomic
def survey_template_save(
    *,
    template: SurveyTemplate | None = None,
    code: str,
    name: str,
    intro: str = "",
    is_active: bool = True,
    questions: list[dict] | None = None,
) -> SurveyTemplate:
    """Create (template=None) or update a survey template and, when `questions` is given,
    its ordered questions ({kind, text, required}; position = order in the list).

    Once a template has been sent, its questions keep their number, order and type (the
    answers refer to them): only their wording and `required` may change.
    """
    template = template or SurveyTemplate()
    template = model_save(
        template, code=code.strip(), name=name.strip(), intro=intro or "", is_active=is_active
    )
    if questions is None:
        return template
    wanted = _clean_questions(questions)
    existing = list(template.questions.order_by("position"))
    if template.surveys.exists():
        same_shape = [q.kind for q in existing] == [q["kind"] for q in wanted]
        if not same_shape:
            raise ValidationError(
                {
                    "questions": _(
                        "This template has already been sent: you can change the wording of its questions and whether they are required, but not add, remove, reorder them or change their type. Make a new template instead."
                    )
                }
            )
        for question, fields in zip(existing, wanted, strict=True):
            if (question.text, question.required) != (fields["text"], fields["required"]):
                model_save(question, text=fields["text"], required=fields["required"])
        return template
    for question in existing:
        question.delete()
    for position, fields in enumerate(wanted, start=1):
        model_save(SurveyQuestion(template=template, position=position), **fields)
    return template


@transaction.atomic
def survey_template_delete(*, template: SurveyTemplate) -> None:
    """Delete a template that was never sent (else: deactivate it)."""
    if template.surveys.exists():
        raise ValidationError(
            _(
                "The template {code} has already been sent and its answers refer to it: deactivate it instead of deleting it."
            ).format(code=template.code)
        )
    for question in template.questions.all():
        question.delete()
    template.delete()


# Surveys ---------------------------------------------------------------------------------


class SurveyLinkError(Exception):
    """A survey link that cannot be answered: `reason` is "unknown" (→ 404), "answered",
    "expired" or "revoked" (→ 410)."""

    def __init__(self, reason: str, survey: Survey | None = None):
        super().__init__(reason)
        self.reason = reason
        self.survey = survey


def _check_template(template: SurveyTemplate) -> list[SurveyQuestion]:
    if not template.is_active:
        raise ValidationError(
            {"template": _("The survey template {code} is not active.").format(code=template.code)}
        )
    questions = list(template.questions.order_by("position"))
    if not questions:
        raise ValidationError(
            {
                "template": _("The survey template {code} has no questions.").format(
                    code=template.code
                )
            }
        )
    return questions


def validate_answers(questions: list[SurveyQuestion], answers: dict) -> list[SurveyAnswer]:
    """Check every answer against its question and return the unsaved SurveyAnswer rows.

    `answers` maps a question's position (int or digit string) to a score or a text; an
    empty string or None is no answer. All problems are raised together, keyed "q<position>".
    """
    by_position = {}
    for key, value in (answers or {}).items():
        try:
            by_position[int(key)] = value
        except (TypeError, ValueError):
            raise ValidationError(
                {"answers": _("Unknown question “{value}”.").format(value=key)}
            ) from None
    known = {q.position for q in questions}
    errors: dict[str, list[str]] = {}
    for position in sorted(set(by_position) - known):
        errors.setdefault("answers", []).append(
            _("There is no question {n} in this survey.").format(n=position)
        )
    rows = []
    for question in questions:
        value = by_position.get(question.position)
        if isinstance(value, str):
            value = value.strip()
        key = f"q{question.position}"
        label = _("Question {n}").format(n=question.position)
        if value in (None, ""):
            if question.required:
                errors[key] = [_("{question}: please answer this question.").format(question=label)]
            continue
        if question.kind == QuestionKind.TEXT:
            text = str(value)
            if len(text) > TEXT_ANSWER_MAX:
                errors[key] = [
                    _("{question}: at most {max} characters (you wrote {count}).").format(
                        question=label, max=TEXT_ANSWER_MAX, count=len(text)
                    )
                ]
                continue
            rows.append(SurveyAnswer(question=question, text=text))
            continue
        low, high = SCALES[question.kind]
        score = _as_int(value)
        if score is None or not low <= score <= high:
            errors[key] = [
                _(
                    "{question}: “{value}” is not a score; choose a whole number from {low} to {high}."
                ).format(question=label, value=value, low=low, high=high)
            ]
            continue
        rows.append(SurveyAnswer(question=question, score=score))
    if errors:
        raise ValidationError(errors)
    return rows


def _as_int(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _summarise(survey: Survey, rows: list[SurveyAnswer]) -> None:
    """Copy the first CSAT and NPS scores and the joined text answers onto the survey."""
    csat = next((r.score for r in rows if r.question.kind == QuestionKind.CSAT), None)
    nps = next((r.score for r in rows if r.question.kind == QuestionKind.NPS), None)
    texts = [r.text for r in rows if r.question.kind == QuestionKind.TEXT and r.text]
    survey.csat, survey.nps, survey.comment = csat, nps, "\n\n".join(texts)


def _store_answers(survey: Survey, rows: list[SurveyAnswer]) -> None:
    for row in rows:
        row.survey = survey
    # Answers belong to the survey, whose own audit record carries the scores and comment.
    SurveyAnswer.objects.bulk_create(rows)


def _check_contact(customer, contact) -> None:
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError(
            {
                "contact": _("{contact} is not a contact of {customer}.").format(
                    contact=contact.name, customer=customer.code
                )
            }
        )


@transaction.atomic
def survey_send(*, template: SurveyTemplate, customer, contact=None, user) -> Survey:
    """Create a survey to send as a one-time link: a random token (32 bytes), expiring
    settings.SURVEY_LINK_DAYS days from now, in the customer's current grid."""
    _check_template(template)
    _check_contact(customer, contact)
    now = timezone.now()
    survey = Survey(
        template=template,
        customer=customer,
        contact=contact,
        grid_id=customer.current_grid_id,
        channel=SurveyChannel.LINK,
        status=SurveyStatus.SENT,
        token=secrets.token_urlsafe(32),
        expires_at=now + dt.timedelta(days=settings.SURVEY_LINK_DAYS),
        sent_by=user,
        sent_at=now,
    )
    return model_save(survey)


@transaction.atomic
def survey_record(
    *, template: SurveyTemplate, customer, activity=None, answers: dict, user, contact=None
) -> Survey:
    """Record the answers a customer gave during a visit (channel visit, no link)."""
    questions = _check_template(template)
    _check_contact(customer, contact)
    if activity is not None and activity.customer_id != customer.pk:
        raise ValidationError(
            {
                "activity": _(
                    "The visit “{visit}” is with another customer than {customer}."
                ).format(visit=activity.subject, customer=customer.code)
            }
        )
    rows = validate_answers(questions, answers)
    now = timezone.now()
    survey = Survey(
        template=template,
        customer=customer,
        contact=contact,
        activity=activity,
        grid_id=customer.current_grid_id,
        channel=SurveyChannel.VISIT,
        status=SurveyStatus.ANSWERED,
        sent_by=user,
        sent_at=now,
        answered_at=now,
    )
    _summarise(survey, rows)
    survey = model_save(survey)
    _store_answers(survey, rows)
    return survey


def survey_for_token(token: str) -> Survey:
    """The survey a link opens, or SurveyLinkError when it cannot be answered."""
    survey = (
        Survey.objects.select_related("template", "customer").filter(token=token).first()
        if token
        else None
    )
    _check_link(survey)
    return survey


def _check_link(survey: Survey | None) -> None:
    if survey is None:
        raise SurveyLinkError("unknown")
    if survey.status == SurveyStatus.ANSWERED:
        raise SurveyLinkError("answered", survey)
    if survey.status == SurveyStatus.REVOKED:
        raise SurveyLinkError("revoked", survey)
    if survey.expires_at is not None and survey.expires_at <= timezone.now():
        raise SurveyLinkError("expired", survey)


@transaction.atomic
def survey_answer(*, token: str, answers: dict) -> Survey:
    """Store the customer's answers given through the link `token`, once.

    A used, withdrawn or expired link raises SurveyLinkError and writes nothing; so do
    invalid answers (ValidationError, by question). Two submissions at the same moment:
    the row is locked, and the status moves from "sent" by a conditional update, so only
    one of them is stored.
    """
    survey = (
        Survey.objects.select_for_update().select_related("template").filter(token=token).first()
        if token
        else None
    )
    _check_link(survey)
    rows = validate_answers(list(survey.template.questions.order_by("position")), answers)
    now = timezone.now()
    claimed = Survey.objects.filter(pk=survey.pk, status=SurveyStatus.SENT).update(
        status=SurveyStatus.ANSWERED, answered_at=now
    )
    if not claimed:
        raise SurveyLinkError("answered", survey)
    survey.status, survey.answered_at = SurveyStatus.ANSWERED, now
    _summarise(survey, rows)
    survey = model_save(survey)
    _store_answers(survey, rows)
    return survey


@transaction.atomic
def survey_revoke(*, survey: Survey) -> Survey:
    """Withdraw a link that has not been answered: it no longer opens."""
    if survey.status != SurveyStatus.SENT:
        raise ValidationError(
            _(
                "Only a survey waiting for its answer can be withdrawn; this one is: {status}."
            ).format(status=survey.get_status_display())
        )
    return model_save(survey, status=SurveyStatus.REVOKED)
