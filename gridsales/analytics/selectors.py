"""The KPI table: one row per group (child grid, leaf grid, rep or month) of a grid's
subtree for a period, with the metrics asked for (docs/kpis.md).

Facts come from analytics.sources as sums per group; every ratio is computed here, from
those sums, through the pure core analytics.kpi.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from gridsales.analytics import care_sources, kpi, sources
from gridsales.analytics.kpi import Period
from gridsales.core.money import FEN
from gridsales.core.scope import scope_for
from gridsales.grids.models import Grid

MONEY_METRICS = ("revenue", "avg_order_value", "pipeline_weighted", "target")
COUNT_METRICS = (
    "orders",
    "new_customers",
    "active_customers",
    "visits",
    "calls",
    "overdue_contacts",
)
METRICS = (
    "revenue",
    "orders",
    "avg_order_value",
    "new_customers",
    "active_customers",
    "win_rate",
    "lead_conversion",
    "avg_cycle_days",
    "median_cycle_days",
    "pipeline_weighted",
    "visits",
    "calls",
    "visit_coverage",
    "overdue_contacts",
    "csat",
    "nps",
    "target",
    "attainment",
)
DEFAULT_METRICS = ("revenue", "orders", "avg_order_value", "active_customers", "new_customers")
GROWTH = {"_growth": "previous", "_yoy": "last_year"}
GROUPS = ("", "child", "leaf", "rep", "month")

# Which source feeds which metric.
_NEEDS = {
    "sales": {"revenue", "orders", "avg_order_value", "attainment"},
    "customers": {"new_customers", "active_customers"},
    "opportunities": {"win_rate", "avg_cycle_days", "median_cycle_days"},
    "pipeline": {"pipeline_weighted"},
    "activities": {"visits", "calls"},
    "surveys": {"csat", "nps"},
    "leads": {"lead_conversion"},
    "cadence": {"visit_coverage", "overdue_contacts"},
    "targets": {"target", "attainment"},
}
_READERS = {
    "sales": sources.sales_sums,
    "customers": sources.customer_counts,
    "opportunities": sources.opportunity_facts,
    "pipeline": sources.pipeline_weighted,
    "activities": sources.activity_counts,
    "surveys": sources.survey_sums,
    "leads": care_sources.lead_conversion,
    "cadence": care_sources.contact_cadence,
    "targets": care_sources.revenue_targets,
}


class KpiError(ValueError):
    """A bad request parameter: `field` names it, the message says what to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class KpiRequest:
    grid: Grid
    period: Period
    group_by: str
    metrics: tuple[str, ...]
    restated: bool


def parse_metrics(text: str | None) -> tuple[str, ...]:
    """The metrics of a comma-separated list (a metric, or a metric with _growth or _yoy);
    the defaults when none is given."""
    if not text:
        return DEFAULT_METRICS
    names = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in names if _base(name) not in METRICS]
    if unknown:
        raise KpiError(
            "metrics",
            _("Unknown metric “{value}”. Choose among: {choices}.").format(
                value=unknown[0], choices=", ".join(METRICS)
            ),
        )
    return names


def default_grid(user) -> Grid:
    """The top of the user's visible tree, when there is only one."""
    visible = list(Grid.objects.restrict(user, "view").order_by("path").values("pk", "path"))
    tops = [
        g
        for g in visible
        if not any(g["path"].startswith(o["path"]) for o in visible if o is not g)
    ]
    if len(tops) != 1:
        raise KpiError("grid", _("Give a grid code: you see several grids or none."))
    return Grid.objects.get(pk=tops[0]["pk"])


def kpi_rows(user, request: KpiRequest) -> list[dict]:
    """The rows of the KPI table for `request`, scoped to the grids `user` may see."""
    base = sorted({_base(name) for name in request.metrics})
    keyer = _keyer(user, request)
    if request.group_by == "month":
        rows = []
        for month in request.period.months():
            period = kpi.period_containing("month", month)
            values = _values(keyer, period, base, request.metrics).get(request.grid.code)
            values = values or _values_of({}, base)
            rows.append({"grid": request.grid.code, "month": period.label, **values})
        return [_format(row, request.metrics) for row in rows]
    values = _values(keyer, request.period, base, request.metrics)
    if request.group_by == "rep":
        names = dict(
            get_user_model().objects.filter(pk__in=list(values)).values_list("pk", "username")
        )
        # Facts without a person (a customer without owner, a survey without sender)
        # get a row with rep null, last.
        rows = [
            {"grid": request.grid.code, "rep": names.get(pk), **metrics}
            for pk, metrics in values.items()
        ]
        rows.sort(key=lambda row: (row["rep"] is None, row["rep"] or ""))
    else:
        codes = _row_codes(keyer, request) | set(values)
        rows = [
            {"grid": code, **(values.get(code) or _values_of({}, base))} for code in sorted(codes)
        ]
    return [_format(row, request.metrics) for row in rows]


def _keyer(user, request: KpiRequest) -> sources.Keyer:
    grid = request.grid
    visible = list(
        Grid.objects.restrict(user, "view")
        .filter(path__startswith=grid.path)
        .order_by()
        .values_list("pk", "path", "code", "parent_id", "is_leaf")
    )
    by = request.group_by
    if by == "leaf":
        mapping = {pk: code for pk, _path, code, _parent, _leaf in visible}
    elif by == "child":
        children = {pk: code for pk, _path, code, parent, _leaf in visible if parent == grid.pk}
        mapping = {}
        for pk, path, _code, _parent, _leaf in visible:
            # The path's segment after the requested grid's is the child's id.
            below = path[len(grid.path) :].split("/", 1)[0]
            mapping[pk] = children.get(int(below), grid.code) if below else grid.code
    else:
        mapping = dict.fromkeys((row[0] for row in visible), grid.code)
    scope = scope_for(user)
    return sources.Keyer(
        by=by if by in ("child", "leaf", "rep") else "",
        grids=mapping,
        restated=request.restated,
        top=grid.code,
        top_path=grid.path,
        read_paths=None if scope.read_all else scope.read_paths,
        leaves=frozenset(code for _pk, _path, code, _parent, leaf in visible if leaf),
    )


def _row_codes(keyer: sources.Keyer, request: KpiRequest) -> set[str]:
    # Every child (or leaf) in scope gets a row, even with nothing in it: a ranking must
    # show the grids that sold nothing.
    if request.group_by == "child":
        return set(keyer.grids.values()) - {request.grid.code}
    if request.group_by == "leaf":
        return set(keyer.leaves)
    return {request.grid.code}


def _values(keyer, period: Period, base: list[str], requested) -> dict:
    current = _compute(keyer, period, base)
    for suffix, which in GROWTH.items():
        wanted = [name for name in requested if name.endswith(suffix)]
        if not wanted:
            continue
        other = _compute(keyer, getattr(period, which)(), sorted({_base(n) for n in wanted}))
        for key, metrics in current.items():
            for name in wanted:
                before = other.get(key, {}).get(_base(name))
                metrics[name] = kpi.growth(metrics.get(_base(name)), before)
    return current


def _compute(keyer, period: Period, base: list[str]) -> dict:
    facts: dict = defaultdict(dict)
    for source, metrics in _NEEDS.items():
        if metrics & set(base):
            for key, sums in _READERS[source](keyer, period).items():
                facts[key].update(sums)
    return {key: _values_of(sums, base) for key, sums in facts.items()}


def _revenue(s: dict):
    return s.get("sales", 0) - s.get("returned", 0)


def _target(s: dict):
    return s["target"] if s.get("has_target") else None


def _cycles(s: dict) -> list:
    return s.get("cycles", [])


# Each metric from the sums of one row: the only place ratios are computed.
_FORMULAS = {
    "revenue": _revenue,
    "orders": lambda s: s.get("orders", 0),
    "avg_order_value": lambda s: kpi.ratio(_revenue(s), s.get("orders", 0), FEN),
    "new_customers": lambda s: s.get("new_customers", 0),
    "active_customers": lambda s: s.get("active_customers", 0),
    "win_rate": lambda s: kpi.ratio(s.get("won", 0), s.get("won", 0) + s.get("lost", 0)),
    "avg_cycle_days": lambda s: kpi.ratio(sum(_cycles(s)), len(_cycles(s)), kpi.ONE_DECIMAL),
    "median_cycle_days": lambda s: kpi.median(_cycles(s)),
    "pipeline_weighted": lambda s: s.get("pipeline", 0),
    "visits": lambda s: s.get("visits", 0),
    "calls": lambda s: s.get("calls", 0),
    "lead_conversion": lambda s: kpi.ratio(s.get("converted", 0), s.get("leads", 0)),
    "visit_coverage": lambda s: kpi.ratio(s.get("covered", 0), s.get("coverable", 0)),
    "overdue_contacts": lambda s: s.get("overdue", 0),
    "target": _target,
    "attainment": lambda s: kpi.ratio(_revenue(s), _target(s)) if _target(s) else None,
    "csat": lambda s: kpi.ratio(s.get("csat_sum", 0), s.get("csat_n", 0), FEN),
    "nps": lambda s: kpi.nps(s.get("promoters", 0), s.get("detractors", 0), s.get("nps_n", 0)),
}


def _values_of(sums: dict, base: list[str]) -> dict:
    """The metrics `base` of one row from its sums."""
    return {name: _FORMULAS[name](sums) for name in base}


def _format(row: dict, metrics) -> dict:
    out = {key: value for key, value in row.items() if key in ("grid", "rep", "month")}
    for name in metrics:
        value = row.get(name)
        if value is None:
            out[name] = None
        elif _base(name) != name:
            out[name] = str(value)
        elif name in MONEY_METRICS:
            out[name] = kpi.money(value)
        elif name in COUNT_METRICS:
            out[name] = int(value)
        else:
            out[name] = str(value)
    return out


def _base(name: str) -> str:
    for suffix in GROWTH:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


# Public entry points for the dashboards (analytics.dashboards): one keyer per page, the
# same computation and formatting as the API.


def keyer_for(user, request: KpiRequest) -> sources.Keyer:
    """The row keyer of `request` for `user` (one query: the visible grids of the subtree)."""
    return _keyer(user, request)


def kpi_values(keyer: sources.Keyer, request: KpiRequest, period: Period) -> dict:
    """{row key: metrics formatted as in the API} of `request`'s metrics for `period`; the
    key is a grid code, or a rep id when grouped by rep."""
    base = sorted({_base(name) for name in request.metrics})
    values = _values(keyer, period, base, request.metrics)
    return {key: _format(row, request.metrics) for key, row in values.items()}


def empty_values(metrics) -> dict:
    """The metrics of a row without any fact (zeros, null ratios), formatted."""
    return _format(_values_of({}, sorted({_base(name) for name in metrics})), metrics)


def base_metric(name: str) -> str:
    """The metric of a name that may carry a _growth or _yoy suffix."""
    return _base(name)
