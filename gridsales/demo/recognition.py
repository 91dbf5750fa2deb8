"""The demo's award types and the awards their rules gave over the last three months, so
that the home page and the reps' pages show recognition from the first login."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gridsales.recognition.choices import AwardRule, BadgeColour, PeriodKind
from gridsales.recognition.services import award_type_create, awards_by_rules

TYPES = [
    {
        "code": "monthly-champion",
        "name": "月度销售冠军",
        "description": "每月销售额第一名。",
        "icon": "🏆",
        "colour": BadgeColour.GOLD,
        "rule": AwardRule.TOP_N,
        "metric": "revenue",
        "period_kind": PeriodKind.MONTH,
        "top_n": 1,
    },
    {
        "code": "attainment-stars",
        "name": "月度达成之星",
        "description": "每月目标达成率前三名。",
        "icon": "⭐",
        "colour": BadgeColour.BLUE,
        "rule": AwardRule.TOP_N,
        "metric": "attainment",
        "period_kind": PeriodKind.MONTH,
        "top_n": 3,
    },
    {
        "code": "first-to-100",
        "name": "季度率先达标",
        "description": "本季度最先达到 100% 目标的网格员。",
        "icon": "🚀",
        "colour": BadgeColour.GREEN,
        "rule": AwardRule.FIRST_TO,
        "period_kind": PeriodKind.QUARTER,
    },
    {
        "code": "best-newcomer",
        "name": "最佳新人",
        "description": "由销售总监颁发。",
        "icon": "🌱",
        "colour": BadgeColour.TEAL,
        "rule": AwardRule.MANUAL,
    },
]
MONTHS = 3


def build_recognition() -> int:
    """Create the award types and run their rules for the last MONTHS complete months;
    returns the number of awards given."""
    for fields in TYPES:
        award_type_create(**fields)
    today = timezone.localdate()
    months, month = [], today.replace(day=1)
    for _ in range(MONTHS):
        month = (month - dt.timedelta(days=1)).replace(day=1)
        months.append(month)  # before this year, no targets: revenue awards only
    given = 0
    for month in reversed(months):  # oldest first: the latest awards are the most recent
        for run in awards_by_rules(period=month.strftime("%Y-%m")):
            given += len(run["given"])
    return given
