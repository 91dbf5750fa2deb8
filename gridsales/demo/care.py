"""Demo customer care: contact cadences, follow-up rules and satisfaction surveys.

The cadence here is the one the activities builder keeps (or, for a few customers, fails
to keep): tiers A/B/C/D every 14/30/60/90 days, tier A customers in 黄浦区 every week and
tier B financial customers every three weeks. Surveys are mostly answered links, some
still waiting (a few past their expiry, a few withdrawn) and some recorded during visits.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from gridsales.activities.choices import ActivityType
from gridsales.care.choices import FollowUpTrigger, QuestionKind, SurveyChannel, SurveyStatus
from gridsales.care.models import (
    CadencePolicy,
    FollowUpRule,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTemplate,
)
from gridsales.customers.choices import CustomerStatus
from gridsales.demo import phrases
from gridsales.demo.history import History, np_rng
from gridsales.demo.plan import Progress
from gridsales.grids.models import Grid

BULK_BATCH = 1000

CADENCE = {"A": 14, "B": 30, "C": 60, "D": 90}
# (area grid code, tier, days) and (industry, tier, days): the two overrides.
GRID_CADENCE = ("SH-HP", "A", 7)
INDUSTRY_CADENCE = ("金融", "B", 21)
FOLLOW_UP_RULES = [
    ("订单后 7 天电话回访", FollowUpTrigger.ORDER, 7, ActivityType.CALL, []),
    ("A 类客户拜访后回访", FollowUpTrigger.VISIT, 3, ActivityType.CALL, ["A"]),
]
ORDER_FOLLOW_UP_DAYS = 7
VISIT_FOLLOW_UP_DAYS = 3

TEMPLATE = ("csat-standard", "客户满意度调查")
TEMPLATE_INTRO = "感谢您选择我们的服务。以下三个问题大约需要一分钟，您的意见将帮助我们改进。"
QUESTIONS = [
    (1, QuestionKind.CSAT, "您对我们的服务满意吗?", True),
    (2, QuestionKind.NPS, "您有多大可能向朋友推荐我们?", True),
    (3, QuestionKind.TEXT, "您还有什么建议?", False),
]
CSAT_SHARES = np.array([0.03, 0.05, 0.13, 0.34, 0.45])  # scores 1..5
# NPS given CSAT: the scores a customer of that mood picks from.
NPS_BY_CSAT = {1: (0, 4), 2: (2, 6), 3: (5, 8), 4: (7, 9), 5: (8, 10)}
VISIT_SURVEY_SHARE = 0.25


def interval_days(tier: str, industry: str, grid_code: str) -> int:
    """The contact interval the demo's policies give a customer (most specific first)."""
    area, grid_tier, days = GRID_CADENCE
    if tier == grid_tier and grid_code.startswith(f"{area}-"):
        return days
    trade, trade_tier, days = INDUSTRY_CADENCE
    if tier == trade_tier and industry == trade:
        return days
    return CADENCE[tier]


def build_policies() -> tuple[int, int]:
    """Cadence policies, follow-up rules and the standard survey template; returns the
    number of (policies, rules)."""
    policies = [CadencePolicy(tier=tier, interval_days=days) for tier, days in CADENCE.items()]
    area = Grid.objects.filter(code=GRID_CADENCE[0]).first()
    if area is not None:
        policies.append(
            CadencePolicy(tier=GRID_CADENCE[1], grid=area, interval_days=GRID_CADENCE[2])
        )
    policies.append(
        CadencePolicy(
            tier=INDUSTRY_CADENCE[1],
            industry=INDUSTRY_CADENCE[0],
            interval_days=INDUSTRY_CADENCE[2],
        )
    )
    CadencePolicy.objects.bulk_create(policies)
    FollowUpRule.objects.bulk_create(
        [
            FollowUpRule(
                name=name, trigger=trigger, delay_days=days, activity_type=kind, tiers=tiers
            )
            for name, trigger, days, kind, tiers in FOLLOW_UP_RULES
        ]
    )
    template = SurveyTemplate.objects.create(
        code=TEMPLATE[0], name=TEMPLATE[1], intro=TEMPLATE_INTRO
    )
    SurveyQuestion.objects.bulk_create(
        [
            SurveyQuestion(template=template, position=pos, kind=kind, text=text, required=req)
            for pos, kind, text, req in QUESTIONS
        ]
    )
    return len(policies), len(FOLLOW_UP_RULES)


@dataclass
class Visits:
    """Done visits the surveys may be recorded in (from the activities builder)."""

    ids: np.ndarray
    customer: np.ndarray
    day: np.ndarray
    owner: np.ndarray
    done_at: list[dt.datetime]


def build_surveys(
    *, history: History, visits: Visits, per_customer: float, seed: int, progress: Progress
) -> tuple[int, int]:
    """~per_customer surveys per customer over the history; returns (surveys, answers)."""
    gen = np_rng(seed, "surveys")
    cal = history.calendar
    template = SurveyTemplate.objects.get(code=TEMPLATE[0])
    questions = {q.kind: q for q in template.questions.all()}
    count = round(len(history) * per_customer)
    n_visit = min(len(visits.ids), round(count * VISIT_SURVEY_SHARE))
    link_days = settings.SURVEY_LINK_DAYS
    eligible = ~np.isin(history.status, [CustomerStatus.LEAD])
    weight = np.where(eligible, np.where(np.isin(history.tier, ["A", "B"]), 3.0, 1.0), 0.0)
    n_link = count - n_visit if weight.sum() else 0
    progress("care", 0, count)

    surveys: list[Survey] = []
    answers: list[tuple[int, int, int, str]] = []  # (survey index, csat, nps, comment)
    for k in np.sort(gen.choice(len(visits.ids), size=n_visit, replace=False)).tolist():
        i, day = int(visits.customer[k]), int(visits.day[k])
        when = visits.done_at[k]
        answers.append((len(surveys), *_answer(gen)))
        surveys.append(
            _survey(history, template, i, day, SurveyChannel.VISIT, int(visits.owner[k]), when)
        )
        surveys[-1].activity_id = int(visits.ids[k])
        surveys[-1].status = SurveyStatus.ANSWERED
        surveys[-1].answered_at = when

    customers = (
        np.sort(gen.choice(len(history), size=n_link, p=weight / weight.sum()))
        if n_link
        else np.zeros(0, dtype=np.int64)
    )
    for i in customers.tolist():
        first = int(max(history.created[i], 0))
        day = first + int(gen.integers(0, max(1, cal.days - 1 - first)))
        sent = cal.at(day, int(gen.integers(10 * 60, 17 * 60)))
        survey = _survey(
            history, template, i, day, SurveyChannel.LINK, history.rep_on(i, day), sent
        )
        survey.token = secrets.token_urlsafe(32)
        survey.expires_at = sent + dt.timedelta(days=link_days)
        open_for = min(survey.expires_at, cal.now) - sent
        roll = gen.random()
        expired = survey.expires_at <= cal.now
        if roll < (0.82 if expired else 0.5) and open_for > dt.timedelta(hours=1):
            # Answered while the link was open: after the sending, before expiry and now.
            delay = dt.timedelta(minutes=10) + gen.random() * (open_for - dt.timedelta(minutes=20))
            survey.status = SurveyStatus.ANSWERED
            survey.answered_at = sent + delay
            answers.append((len(surveys), *_answer(gen)))
        elif roll > 0.97:
            survey.status = SurveyStatus.REVOKED
        surveys.append(survey)

    for index, csat, nps, comment in answers:
        surveys[index].csat, surveys[index].nps, surveys[index].comment = csat, nps, comment
    created = Survey.objects.bulk_create(surveys, batch_size=BULK_BATCH)
    progress("care", count // 2, count)
    rows = []
    for index, csat, nps, comment in answers:
        survey = created[index]
        rows.append(SurveyAnswer(survey=survey, question=questions[QuestionKind.CSAT], score=csat))
        rows.append(SurveyAnswer(survey=survey, question=questions[QuestionKind.NPS], score=nps))
        if comment:
            rows.append(
                SurveyAnswer(survey=survey, question=questions[QuestionKind.TEXT], text=comment)
            )
    SurveyAnswer.objects.bulk_create(rows, batch_size=BULK_BATCH)
    progress("care", count, count)
    return len(created), len(rows)


def _survey(history, template, i, day, channel, sent_by, sent) -> Survey:
    contact = int(history.contact[i])
    return Survey(
        template=template,
        customer_id=int(history.ids[i]),
        contact_id=contact if contact > 0 else None,
        grid_id=history.grid_on(i, day),
        channel=channel,
        sent_by_id=sent_by,
        sent_at=sent,
    )


def _answer(gen) -> tuple[int, int, str]:
    """(CSAT 1–5, NPS 0–10, comment) of one customer; the scores agree with each other."""
    csat = int(gen.choice(5, p=CSAT_SHARES)) + 1
    low, high = NPS_BY_CSAT[csat]
    nps = int(gen.integers(low, high + 1))
    comment = ""
    if gen.random() < 0.45:
        pool = phrases.PRAISE if csat >= 4 else phrases.NEUTRAL if csat == 3 else phrases.COMPLAINTS
        comment = pool[int(gen.integers(len(pool)))]
    return csat, nps, comment
