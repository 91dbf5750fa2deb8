"""Writes of recognition: award types, awards given by hand or revoked, and the award
rules run for a period (idempotent: the same type never goes twice to the same rep for
the same period)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.analytics import kpi
from gridsales.core.services import model_save
from gridsales.recognition import rules
from gridsales.recognition.choices import AwardRule, AwardSource
from gridsales.recognition.models import Award, AwardType

TYPE_FIELDS = (
    "code",
    "name",
    "description",
    "icon",
    "colour",
    "rule",
    "metric",
    "period_kind",
    "top_n",
    "threshold",
    "active",
)


@transaction.atomic
def award_type_create(**fields) -> AwardType:
    """A new award type."""
    return model_save(AwardType(), **{k: v for k, v in fields.items() if k in TYPE_FIELDS})


@transaction.atomic
def award_type_update(*, award_type: AwardType, **fields) -> AwardType:
    """Change an award type (the awards already given keep their type)."""
    return model_save(award_type, **{k: v for k, v in fields.items() if k in TYPE_FIELDS})


def award_period(text: str) -> kpi.Period:
    """A month, quarter or year label, or a ValidationError on `period`."""
    try:
        period = kpi.parse_period(text)
    except kpi.PeriodError:
        period = None
    if period is None or period.kind not in ("month", "quarter", "year"):
        raise ValidationError(
            {
                "period": _(
                    "“{value}” is not a month, quarter or year. Use 2026-03, 2026-Q1 or 2026."
                ).format(value=text)
            }
        )
    return period


@transaction.atomic
def award_give(
    *,
    award_type: AwardType,
    rep,
    period: str,
    citation: str = "",
    user=None,
    rank: int | None = None,
    value: str = "",
    source: str = AwardSource.MANUAL,
) -> Award:
    """Give `award_type` to `rep` for `period`; a second time is refused."""
    parsed = award_period(period)
    if Award.objects.filter(award_type=award_type, rep=rep, period=parsed.label).exists():
        raise ValidationError(
            _("{rep} already has “{award}” for {period}.").format(
                rep=rep, award=award_type.name, period=parsed.label
            )
        )
    return model_save(
        Award(),
        award_type=award_type,
        rep=rep,
        grid_id=rules.rep_grid(rep.pk, parsed.end),
        period=parsed.label,
        rank=rank,
        value=value,
        citation=citation,
        source=source,
        given_by=user,
    )


@transaction.atomic
def award_update(*, award: Award, citation: str) -> Award:
    """Reword an award's citation."""
    return model_save(award, citation=citation)


@transaction.atomic
def award_revoke(*, award: Award) -> None:
    """Take an award back (the audit log keeps it)."""
    award.delete()


def rule_periods(period: kpi.Period, kind: str) -> kpi.Period | None:
    """The period of `kind` a run for `period` settles: a month settles its month, the
    quarter it closes and the year it closes; a quarter its quarter and its year if it is
    Q4; a year its year."""
    if kind == period.kind:
        return period
    closing = kpi.period_containing(kind, period.end)
    if closing.end == period.end and _order(kind) > _order(period.kind):
        return closing
    return None


def _order(kind: str) -> int:
    return ("month", "quarter", "year").index(kind)


@transaction.atomic
def awards_by_rules(*, period: str, user=None, today: dt.date | None = None) -> list[dict]:
    """Run every active rule for `period` (and the quarter or year it closes). Returns,
    per rule run, the type, the period and the reps given the award now; reps who already
    had it for that period are skipped (running twice gives nothing new)."""
    parsed = award_period(period)
    today = today or timezone.localdate()
    if parsed.end >= today:
        raise ValidationError(
            {
                "period": _(
                    "{period} is not over yet: awards are given for periods that have ended."
                ).format(period=parsed.label)
            }
        )
    report = []
    types = AwardType.objects.filter(active=True).exclude(rule=AwardRule.MANUAL).order_by("code")
    for award_type in types:
        settled = rule_periods(parsed, award_type.period_kind)
        if settled is None:
            continue
        winners = rules.winners(award_type, settled)
        given = []
        for winner in winners:
            if Award.objects.filter(
                award_type=award_type, rep_id=winner.rep_id, period=settled.label
            ).exists():
                continue
            try:
                with transaction.atomic():
                    model_save(
                        Award(),
                        award_type=award_type,
                        rep_id=winner.rep_id,
                        grid_id=rules.rep_grid(winner.rep_id, settled.end),
                        period=settled.label,
                        rank=winner.rank,
                        value=winner.value,
                        citation=winner.citation,
                        source=AwardSource.RULE,
                        given_by=user,
                    )
            except (IntegrityError, ValidationError):
                continue  # given meanwhile by a concurrent run: still once
            given.append(winner.username)
        report.append({"type": award_type.code, "period": settled.label, "given": given})
    return report
