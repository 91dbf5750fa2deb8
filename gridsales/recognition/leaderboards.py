"""Leaderboards: reps or grids ranked by any KPI of the analytics engine for a month,
quarter or year, within what the user may see (analytics.selectors.kpi_rows applies the
scope). The tie rule is in ranking.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.analytics import kpi
from gridsales.analytics.kpi import Period
from gridsales.analytics.selectors import (
    COUNT_METRICS,
    METRICS,
    MONEY_METRICS,
    KpiError,
    KpiRequest,
    default_grid,
    kpi_rows,
)
from gridsales.grids.models import Grid
from gridsales.recognition.ranking import rank_rows

BOARD_KINDS = ("month", "quarter", "year")
RATIO_METRICS = frozenset({"win_rate", "lead_conversion", "visit_coverage", "attainment"})
METRIC_LABELS = {
    "revenue": gettext_lazy("Revenue"),
    "orders": gettext_lazy("Orders"),
    "avg_order_value": gettext_lazy("Average order value"),
    "new_customers": gettext_lazy("New customers"),
    "active_customers": gettext_lazy("Active customers"),
    "win_rate": gettext_lazy("Win rate"),
    "lead_conversion": gettext_lazy("Lead conversion"),
    "avg_cycle_days": gettext_lazy("Average sales cycle (days)"),
    "median_cycle_days": gettext_lazy("Median sales cycle (days)"),
    "pipeline_weighted": gettext_lazy("Weighted pipeline"),
    "visits": gettext_lazy("Visits"),
    "calls": gettext_lazy("Calls"),
    "visit_coverage": gettext_lazy("Visit coverage"),
    "overdue_contacts": gettext_lazy("Overdue contacts"),
    "csat": gettext_lazy("CSAT"),
    "nps": gettext_lazy("NPS"),
    "target": gettext_lazy("Target"),
    "attainment": gettext_lazy("Attainment"),
}


class BoardError(ValueError):
    """A bad leaderboard parameter: `field` names it, the message says what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class Board:
    metric: str
    period: Period
    by: str  # "rep" or "grid"
    grid: Grid | None
    rows: list[dict] = field(default_factory=list)


def metric_choices() -> list[tuple[str, str]]:
    return [(m, str(METRIC_LABELS.get(m, m))) for m in METRICS]


def this_month() -> Period:
    return kpi.period_containing("month", timezone.localdate())


def parse_board_period(text: str | None) -> Period:
    """A month, quarter or year ("2026-03", "2026-Q1", "2026"); this month when empty."""
    if not text:
        return this_month()
    try:
        period = kpi.parse_period(text)
    except kpi.PeriodError:
        period = None
    if period is None or period.kind not in BOARD_KINDS:
        raise BoardError(
            "period",
            _("“{value}” is not a month, quarter or year. Use 2026-03, 2026-Q1 or 2026.").format(
                value=text
            ),
        )
    return period


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise BoardError(
            "metric",
            _("Unknown KPI “{value}”. Choose among: {choices}.").format(
                value=metric, choices=", ".join(METRICS)
            ),
        )
    return metric


def display(metric: str, value) -> str:
    """A KPI value for people: money and counts with separators, ratios as percentages."""
    if value is None:
        return "—"
    if metric in RATIO_METRICS:
        return f"{(Decimal(value) * 100).quantize(Decimal('0.1'))} %"
    if metric in MONEY_METRICS:
        return f"{Decimal(value):,.2f}"  # grouped the same way in every language
    if metric in COUNT_METRICS:
        return f"{int(value):,}"
    return str(value)


def top_grid(user) -> Grid | None:
    """The grid a user's boards start from: the top of their tree, or with several tops
    the first of them (they pick another on the page); None without any grid."""
    try:
        return default_grid(user)
    except KpiError:
        visible = Grid.objects.restrict(user, "view").order_by("depth", "path").first()
        return visible


def leaderboard(
    user, *, metric: str, period: Period, by: str = "rep", grid: Grid | None = None
) -> Board:
    """The ranked rows (best first) of reps (`by="rep"`) or leaf grids (`by="grid"`) of
    `grid`'s subtree (default: the user's top grid) for `period`, as `user` may see them.
    Each row: key (username or grid code), label, user_id (reps), grid, value (the
    engine's), display, number, rank."""
    check_metric(metric)
    if by not in ("rep", "grid"):
        raise BoardError("by", _("Rank “{value}”? Use rep or grid.").format(value=by))
    grid = grid or top_grid(user)
    board = Board(metric=metric, period=period, by=by, grid=grid)
    if grid is None:
        return board
    request = KpiRequest(
        grid=grid,
        period=period,
        group_by="rep" if by == "rep" else "leaf",
        metrics=(metric,),
        restated=False,
    )
    rows = kpi_rows(user, request)
    if by == "rep":
        rows = [r for r in rows if r.get("rep")]
        people = {
            u.username: u
            for u in get_user_model().objects.filter(username__in=[r["rep"] for r in rows])
        }
        out = [
            {
                "key": r["rep"],
                "label": str(people[r["rep"]]) if r["rep"] in people else r["rep"],
                "user_id": people[r["rep"]].pk if r["rep"] in people else None,
                "grid": grid.code,
                "value": r[metric],
            }
            for r in rows
        ]
    else:
        names = dict(
            Grid.objects.filter(code__in=[r["grid"] for r in rows]).values_list("code", "name")
        )
        out = [
            {
                "key": r["grid"],
                "label": f"{r['grid']} {names.get(r['grid'], '')}".strip(),
                "user_id": None,
                "grid": r["grid"],
                "value": r[metric],
            }
            for r in rows
        ]
    ranked = rank_rows([{**r, metric: r["value"]} for r in out], metric, name=lambda r: r["key"])
    for row in ranked:
        row["display"] = display(metric, row["value"])
    board.rows = ranked
    return board
