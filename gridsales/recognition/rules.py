"""The award rules: who wins a rule-based award type for a period, company-wide.

- **Top N** by a KPI: the reps ranked 1..N (ranking.py: ties share a rank, so ties at
  the boundary all win; a zero or missing value never wins).
- **First to** an attainment: the rep whose cumulative revenue in the period reached
  `threshold` × target first (by day, from the analytics daily rollup); reps who crossed
  on the same day all win.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from gridsales.accounts.choices import Role
from gridsales.analytics.kpi import Period
from gridsales.analytics.models import SalesDay
from gridsales.analytics.selectors import KpiRequest, kpi_rows
from gridsales.core.scope import Scope
from gridsales.grids.models import Grid
from gridsales.recognition.choices import AwardRule
from gridsales.recognition.leaderboards import METRIC_LABELS, display
from gridsales.recognition.ranking import rank_rows, top


class _CompanyReader:
    """Rules rank the whole company, whoever presses the button: a reader whose scope is
    everything (scope_for reads the cached scope first)."""

    pk = 0
    is_authenticated = True
    is_active = True
    _gridsales_scope = Scope(0, Role.ADMIN, True, False, (), ())


COMPANY = _CompanyReader()


@dataclass(frozen=True)
class Winner:
    rep_id: int
    username: str
    rank: int | None
    value: str
    citation: str


def company_rows(period: Period, metrics: tuple[str, ...]) -> list[dict]:
    """KPI rows per rep over every top-level grid (a rep in two trees: the first row)."""
    rows: dict[str, dict] = {}
    for root in Grid.objects.filter(parent__isnull=True).order_by("path"):
        request = KpiRequest(
            grid=root, period=period, group_by="rep", metrics=metrics, restated=False
        )
        for row in kpi_rows(COMPANY, request):
            if row.get("rep"):
                rows.setdefault(row["rep"], row)
    return list(rows.values())


def winners(award_type, period: Period) -> list[Winner]:
    if award_type.rule == AwardRule.TOP_N:
        return top_n(award_type, period)
    if award_type.rule == AwardRule.FIRST_TO:
        return first_to(award_type, period)
    return []


def _ids(usernames) -> dict[str, int]:
    return dict(
        get_user_model().objects.filter(username__in=list(usernames)).values_list("username", "pk")
    )


def top_n(award_type, period: Period) -> list[Winner]:
    metric = award_type.metric
    ranked = rank_rows(company_rows(period, (metric,)), metric, name=lambda r: r["rep"])
    chosen = top(ranked, award_type.top_n, metric)
    ids = _ids(r["rep"] for r in chosen)
    label = METRIC_LABELS.get(metric, metric)
    return [
        Winner(
            rep_id=ids[r["rep"]],
            username=r["rep"],
            rank=r["rank"],
            value=str(r[metric]),
            citation=_("No. {rank} by {metric} in {period}: {value}.").format(
                rank=r["rank"], metric=label, period=period.label, value=display(metric, r[metric])
            ),
        )
        for r in chosen
        if r["rep"] in ids
    ]


def first_to(award_type, period: Period) -> list[Winner]:
    threshold = Decimal(award_type.threshold)
    rows = company_rows(period, ("target", "attainment"))
    reached = {
        r["rep"]: Decimal(r["target"])
        for r in rows
        if r.get("attainment") is not None and Decimal(r["attainment"]) >= threshold
    }
    if not reached:
        return []
    ids = _ids(reached)
    goal = {ids[name]: target * threshold for name, target in reached.items() if name in ids}
    daily = (
        SalesDay.objects.filter(rep_id__in=list(goal), day__range=(period.start, period.end))
        .values("rep_id", "day")
        .annotate(net=Sum("sales") - Sum("returned"))
        .order_by("day", "rep_id")
    )
    running: dict[int, Decimal] = {}
    crossed: dict[int, dt.date] = {}
    for row in daily:
        rep = row["rep_id"]
        running[rep] = running.get(rep, Decimal(0)) + (row["net"] or 0)
        if rep not in crossed and running[rep] >= goal[rep]:
            crossed[rep] = row["day"]
    if not crossed:
        return []
    first_day = min(crossed.values())
    names = {pk: name for name, pk in ids.items()}
    percent = f"{(threshold * 100).normalize():f}"
    return [
        Winner(
            rep_id=rep,
            username=names[rep],
            rank=1,
            value=first_day.isoformat(),
            # xgettext:no-python-format
            citation=_("First to {percent} % of the target in {period}, on {day}.").format(
                percent=percent, period=period.label, day=first_day.isoformat()
            ),
        )
        for rep in sorted(crossed, key=lambda pk: names[pk])
        if crossed[rep] == first_day
    ]


def rep_grid(rep_id: int, on: dt.date) -> int | None:
    """The grid of the rep's membership in force on `on` (their latest started one;
    with none then, their latest membership): who may see the award follows it."""
    from gridsales.team.models import Membership

    memberships = Membership.objects.filter(user_id=rep_id).order_by("-valid_from", "-pk")
    current = memberships.filter(valid_from__lte=on).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )
    chosen = current.values_list("grid_id", flat=True).first()
    return chosen or memberships.values_list("grid_id", flat=True).first()
