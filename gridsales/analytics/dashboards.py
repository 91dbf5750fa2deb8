"""What the dashboards show (docs/dashboards.md): the scope of a page (a grid subtree, or a
rep within it), its KPI cards, the monthly series, the funnel, the ranking and the map
values. Every number is read through the KPI engine (analytics.selectors) with the user's
permissions; nothing here computes a KPI of its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.analytics import kpi
from gridsales.analytics.kpi import Period, PeriodError
from gridsales.analytics.selectors import (
    KpiError,
    KpiRequest,
    base_metric,
    default_grid,
    empty_values,
    keyer_for,
    kpi_rows,
    kpi_values,
)
from gridsales.core.scope import MANAGER_ROLES, scope_for
from gridsales.grids.choices import GridKind
from gridsales.grids.models import Grid

KINDS = ("day", "week", "month", "quarter", "year")
METRIC_KINDS = {
    "revenue": "money",
    "orders": "count",
    "avg_order_value": "money",
    "new_customers": "count",
    "active_customers": "count",
    "win_rate": "percent",
    "lead_conversion": "percent",
    "avg_cycle_days": "days",
    "median_cycle_days": "days",
    "pipeline_weighted": "money",
    "visits": "count",
    "calls": "count",
    "visit_coverage": "percent",
    "overdue_contacts": "count",
    "csat": "score",
    "nps": "score",
    "target": "money",
    "attainment": "percent",
}
LOWER_IS_BETTER = frozenset({"overdue_contacts", "avg_cycle_days", "median_cycle_days"})
CARD_METRICS = (
    "revenue",
    "orders",
    "avg_order_value",
    "new_customers",
    "win_rate",
    "attainment",
    "pipeline_weighted",
    "visits",
    "visit_coverage",
    "overdue_contacts",
    "csat",
    "nps",
    "avg_cycle_days",
)
RANK_METRICS = (
    "revenue",
    "target",
    "attainment",
    "orders",
    "avg_order_value",
    "new_customers",
    "win_rate",
    "avg_cycle_days",
    "pipeline_weighted",
    "visits",
    "visit_coverage",
    "overdue_contacts",
    "csat",
    "nps",
)
RANK_GROUPS = ("child", "leaf", "rep")
TOP_N = (0, 3, 5, 10, 20)  # 0: every row
SERIES_MONTHS = (12, 24)


def cache_seconds() -> int:
    """How long a dashboard section's numbers are reused (per user, scope and period):
    settings.DASHBOARD_CACHE_SECONDS (GRIDSALES_DASHBOARD_CACHE_SECONDS), 60 by default,
    0 (off) under tests."""
    return settings.DASHBOARD_CACHE_SECONDS


def _cached(user, scope: DashboardScope, section: str, compute, fresh: bool = False):
    """`compute()` or its result of the last cache_seconds() for the same reading scope,
    dashboard scope, period and section: the care KPIs (coverage, overdue) read every customer of the scope,
    which takes about a second for the whole demo company; going back and forth between a
    region and its grids then stays instant."""
    seconds = cache_seconds()
    if not seconds:
        return compute()
    # The numbers depend on the user only through what they may read: people with the
    # same reading scope (every read-all role, say) share the entry.
    reads = scope_for(user)
    readable = "*" if reads.read_all else "|".join(reads.read_paths)
    readable = hashlib.sha1(readable.encode()).hexdigest()[:16]
    rep = scope.rep.pk if scope.rep is not None else ""
    key = (
        f"gridsales:dashboard:{readable}:{scope.grid.pk}:{rep}:{scope.period.label}:"
        f"{int(scope.restated)}:{section}"
    )
    value = None if fresh else cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def metric_labels() -> dict[str, str]:
    """The metrics' names in the user's language."""
    return {
        "revenue": _("Revenue"),
        "orders": _("Orders"),
        "avg_order_value": _("Average order value"),
        "new_customers": _("New customers"),
        "active_customers": _("Active customers"),
        "win_rate": _("Win rate"),
        "lead_conversion": _("Lead conversion"),
        "avg_cycle_days": _("Average sales cycle (days)"),
        "median_cycle_days": _("Median sales cycle (days)"),
        "pipeline_weighted": _("Weighted pipeline"),
        "visits": _("Visits"),
        "calls": _("Calls"),
        "visit_coverage": _("Visit coverage"),
        "overdue_contacts": _("Overdue contacts"),
        "csat": _("CSAT"),
        "nps": _("NPS"),
        "target": _("Target"),
        "attainment": _("Attainment"),
    }


def display(metric: str, raw) -> str:
    """A metric value as the API gives it (a string or an int), for people: thousands
    separators for money and counts, ratios as percentages, "—" for null."""
    if raw is None:
        return "—"
    kind = METRIC_KINDS[base_metric(metric)]
    if base_metric(metric) != metric:  # a growth
        return f"{Decimal(raw) * 100:+.1f} %"
    if kind == "money":
        return f"{Decimal(raw):,.2f}"
    if kind == "count":
        return f"{int(raw):,}"
    if kind == "percent":
        return f"{Decimal(raw) * 100:.1f} %"
    return str(raw)


def number(raw) -> Decimal | None:
    return None if raw is None else Decimal(str(raw))


# -- scope -------------------------------------------------------------------------------


@dataclass
class DashboardScope:
    """One dashboard: a grid subtree, optionally one rep's facts in it, a period."""

    grid: Grid | None
    rep: object | None
    period: Period
    restated: bool = False
    locked_to_self: bool = False  # a rep sees only their own dashboard
    errors: list[str] = field(default_factory=list)

    @property
    def level(self) -> str:
        if self.rep is not None:
            return "rep"
        if self.grid is None:
            return "none"
        if self.grid.parent_id is None:
            return "company"
        return "grid" if self.grid.is_leaf else "region"

    def request(self, metrics, group_by: str | None = None) -> KpiRequest:
        if group_by is None:
            group_by = "rep" if self.rep is not None else ""
        return KpiRequest(
            grid=self.grid,
            period=self.period,
            group_by=group_by,
            metrics=tuple(metrics),
            restated=self.restated,
        )

    @property
    def key(self):
        """The row key of this scope in an ungrouped (grid) or rep-grouped request."""
        return self.rep.pk if self.rep is not None else self.grid.code


def own_only(user) -> bool:
    """Reps (and other people in sales who manage nothing) see only their own dashboard."""
    scope = scope_for(user)
    return not scope.read_all and scope.role not in MANAGER_ROLES


def parse_period_params(params) -> tuple[Period, list[str]]:
    """The period of `?period=2026-03` or `?kind=month&on=2026-03-15` (default: this
    month), and the messages for what could not be read."""
    today = timezone.localdate()
    text = (params.get("period") or "").strip()
    if text:
        try:
            return kpi.parse_period(text), []
        except PeriodError:
            message = _(
                "“{value}” is not a period. Use 2026-03-05 (day), 2026-W09 (ISO week), "
                "2026-03 (month), 2026-Q1 (quarter) or 2026 (year)."
            ).format(value=text)
            return kpi.period_containing("month", today), [message]
    kind = params.get("kind") or "month"
    errors = []
    if kind not in KINDS:
        errors.append(
            _("Unknown period kind “{value}”. Choose among: {choices}.").format(
                value=kind, choices=", ".join(KINDS)
            )
        )
        kind = "month"
    on = today
    if params.get("on"):
        try:
            on = dt.date.fromisoformat(params["on"])
        except ValueError:
            errors.append(_("“{value}” is not a date: use YYYY-MM-DD.").format(value=params["on"]))
    return kpi.period_containing(kind, on), errors


def resolve_scope(user, params) -> DashboardScope:
    """The dashboard asked for by `params` (grid=CODE, rep=username, period, restated),
    within what `user` may see: an unknown or invisible grid or rep answers 404, a rep
    asking for somebody else's dashboard 403. Default: the top of the user's grids, and
    for a rep their own facts."""
    period, errors = parse_period_params(params)
    restated = params.get("restated") in ("1", "true")
    locked = own_only(user)
    code = (params.get("grid") or "").strip()
    if code:
        grid = Grid.objects.restrict(user, "view").filter(code=code).first()
        if grid is None:
            raise Http404(_("No grid with the code “{value}” among yours.").format(value=code))
    else:
        try:
            grid = default_grid(user)
        except KpiError:
            visible = Grid.objects.restrict(user, "view").order_by("depth", "path")
            grid = visible.first()
    rep = None
    username = (params.get("rep") or "").strip()
    if locked:
        if username and username != user.username:
            raise PermissionDenied
        rep = user
    elif username:
        rep = get_user_model().objects.restrict(user, "view").filter(username=username).first()
        if rep is None:
            raise Http404(_("No person “{value}” among yours.").format(value=username))
    return DashboardScope(
        grid=grid,
        rep=rep,
        period=period,
        restated=restated,
        locked_to_self=locked,
        errors=errors,
    )


# -- cards and series ----------------------------------------------------------------------


def cards(user, scope: DashboardScope, fresh: bool = False) -> list[dict]:
    """The KPI cards: value, change vs the previous period and vs the same period last
    year, and whether the change is good news (lower is better for overdue contacts and
    the sales cycle)."""
    metrics = [*CARD_METRICS, "target"]
    metrics += [f"{m}_growth" for m in CARD_METRICS] + [f"{m}_yoy" for m in CARD_METRICS]
    request = scope.request(metrics)

    def compute():
        values = kpi_values(keyer_for(user, request), request, scope.period).get(scope.key)
        return values or empty_values(metrics)

    row = _cached(user, scope, "cards", compute, fresh)
    labels = metric_labels()
    out = []
    for metric in CARD_METRICS:
        card = {
            "metric": metric,
            "label": labels[metric],
            "raw": row[metric],
            "value": display(metric, row[metric]),
            "trends": [],
        }
        for suffix, label in (("_growth", _("vs previous")), ("_yoy", _("vs last year"))):
            change = number(row[metric + suffix])
            good = None
            if change:
                good = (change > 0) != (metric in LOWER_IS_BETTER)
            card["trends"].append(
                {
                    "label": label,
                    "raw": row[metric + suffix],
                    "value": display(metric + suffix, row[metric + suffix]),
                    "arrow": ""
                    if change is None
                    else ("↑" if change > 0 else "↓" if change else "→"),
                    "good": good,
                }
            )
        if metric == "attainment":
            card["target"] = display("target", row["target"])
        out.append(card)
    return out


def series(user, scope: DashboardScope, months: int = 12, fresh: bool = False) -> dict:
    """Revenue and target per month for the `months` months up to the period's last month,
    through the KPI engine (one keyer, one computation per month)."""
    last = kpi.period_containing("month", scope.period.end)
    periods = [last]
    while len(periods) < months:
        periods.append(periods[-1].previous())
    periods.reverse()
    request = scope.request(("revenue", "target"))

    def compute():
        keyer = keyer_for(user, request)
        out = []
        for period in periods:
            row = kpi_values(keyer, request, period).get(scope.key)
            row = row or empty_values(request.metrics)
            out.append({"month": period.label, "revenue": row["revenue"], "target": row["target"]})
        return out

    rows = _cached(user, scope, f"series{months}", compute, fresh)
    return {
        "months": [r["month"] for r in rows],
        "revenue": [r["revenue"] for r in rows],
        "target": [r["target"] for r in rows],
        "rows": rows,
    }


# -- ranking and map --------------------------------------------------------------------------


def default_group(scope: DashboardScope) -> str:
    """The company ranks its regions (children), a region or area its grids (leaves), a
    grid its reps: region → grid → rep is the drill-down path."""
    if scope.grid.is_leaf:
        return "rep"
    return "child" if scope.grid.parent_id is None else "leaf"


def ranking(
    user,
    scope: DashboardScope,
    *,
    group: str,
    sort: str = "revenue",
    descending: bool = True,
    top: int = 0,
    feedback_by_grid: dict | None = None,
    fresh: bool = False,
) -> list[dict]:
    """One row per child grid, leaf grid or rep of the scope's grid (every child or leaf in
    scope, even without facts), sorted by `sort` (nulls last either way), the first `top`
    rows (0: all). Each row carries its drill-down target and its feedback count."""
    request = scope.request(RANK_METRICS, group_by=group)
    rows = [
        dict(row)
        for row in _cached(user, scope, f"ranking-{group}", lambda: kpi_rows(user, request), fresh)
    ]
    if group == "rep":
        people = {
            u.username: u
            for u in get_user_model().objects.filter(
                username__in=[r["rep"] for r in rows if r["rep"]]
            )
        }
        for row in rows:
            person = people.get(row["rep"])
            row["key"] = row["rep"] or ""
            row["name"] = (person.display_name or person.username) if person else _("(nobody)")
            row["drill"] = {"grid": scope.grid.code, "rep": row["rep"]} if row["rep"] else None
            row["feedback"] = None
    else:
        grids = {
            g.code: g for g in Grid.objects.filter(code__in=[r["grid"] for r in rows]).order_by()
        }
        keyer = keyer_for(user, request) if feedback_by_grid else None
        counts: dict = defaultdict(int)
        for grid_id, n in (feedback_by_grid or {}).items():
            code = keyer.grids.get(grid_id) if keyer else None
            if code:
                counts[code] += n
        for row in rows:
            grid = grids.get(row["grid"])
            row["key"] = row["grid"]
            row["name"] = grid.name if grid else ""
            row["drill"] = {"grid": row["grid"]} if row["grid"] != scope.grid.code else None
            row["feedback"] = counts.get(row["grid"], 0)
    if sort not in RANK_METRICS:
        sort = "revenue"
    present = [r for r in rows if r[sort] is not None]
    missing = [r for r in rows if r[sort] is None]
    sign = -1 if descending else 1  # ties by key, ascending either way
    present.sort(key=lambda r: (sign * number(r[sort]), r["key"]))
    rows = present + missing
    for index, row in enumerate(rows, start=1):
        row["rank"] = index
    return rows[:top] if top else rows


def map_values(user, scope: DashboardScope, metric: str) -> dict:
    """The leaf geo grids of the scope's subtree with their value of `metric` (grouped by
    leaf through the engine) and the quantile breaks of the values (5 classes)."""
    if metric not in RANK_METRICS:
        metric = "revenue"
    request = scope.request((metric,), group_by="leaf")

    def compute():
        return {row["grid"]: row[metric] for row in kpi_rows(user, request)}

    values = _cached(user, scope, f"map-{metric}", compute)
    grids = (
        Grid.objects.restrict(user, "view")
        .filter(
            path__startswith=scope.grid.path,
            is_leaf=True,
            kind=GridKind.GEO,
            geometry__isnull=False,
        )
        .order_by("code")
        .only("pk", "code", "name", "geometry")
    )
    shown = [(g, values.get(g.code)) for g in grids]
    breaks = kpi.quantile_breaks([v for _g, v in shown if v is not None])
    return {"metric": metric, "grids": shown, "breaks": breaks}
