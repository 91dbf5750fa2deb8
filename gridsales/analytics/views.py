"""The dashboards (docs/dashboards.md): one page for the company, a region, a grid or a rep
(the scope), its tables' CSV/XLSX exports and the map's GeoJSON."""

from __future__ import annotations

import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.analytics import dashboards as d
from gridsales.analytics.exports import TABLES, export_table
from gridsales.analytics.funnel import funnel
from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.feedback.selectors import feedback_counts
from gridsales.grids.map_views import geometry_for_browser
from gridsales.grids.models import Grid

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Parameters that describe the scope and period; a drill-down keeps the period ones.
PERIOD_KEYS = ("period", "kind", "on", "restated")


class Options:
    """The page's choices beyond the scope: ranking group, sort, top N, series length,
    map metric — each falling back to its default when unknown."""

    def __init__(self, scope: d.DashboardScope, params):
        group = params.get("group", "")
        self.group = group if group in d.RANK_GROUPS else d.default_group(scope)
        sort = params.get("sort", "")
        self.sort = sort if sort in d.RANK_METRICS else "revenue"
        self.descending = params.get("dir", "desc") != "asc"
        try:
            top = int(params.get("top", 0))
        except ValueError:
            top = 0
        self.top = top if top in d.TOP_N else 0
        try:
            months = int(params.get("months", 12))
        except ValueError:
            months = 12
        self.months = months if months in d.SERIES_MONTHS else 12
        metric = params.get("metric", "")
        # The map's KPI; none chosen: attainment, or revenue where no plan sets targets.
        self.metric = metric if metric in d.RANK_METRICS else ""


def _query(params, **changes) -> str:
    query = params.copy()
    query.pop("fresh", None)  # a refresh is a one-off
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    text = query.urlencode()
    return f"?{text}" if text else "?"


def _drill(params, target: dict) -> str:
    query = params.copy()
    for key in list(query):
        if key not in PERIOD_KEYS:
            query.pop(key)
    for key, value in target.items():
        query[key] = value
    return "?" + query.urlencode()


def _feedback(user, scope: d.DashboardScope) -> dict | None:
    if scope.grid is None:
        return None
    return feedback_counts(
        user, path=scope.grid.path, start=scope.period.start, end=scope.period.end
    )


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "analytics/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, params = self.request.user, self.request.GET
        scope = d.resolve_scope(user, params)
        context.update(section="dashboard", scope=scope, kinds=d.KINDS)
        if scope.grid is None:
            return context
        options = Options(scope, params)
        labels = d.metric_labels()
        feedback = _feedback(user, scope)
        fresh = params.get("fresh") == "1"
        context.update(
            options=options,
            labels=labels,
            cards=d.cards(user, scope, fresh),
            series=d.series(user, scope, options.months, fresh),
            funnel=funnel(user, scope),
            feedback=feedback,
            crumbs=self.crumbs(scope),
            prev_url=_query(params, period=scope.period.previous().label, kind=None, on=None),
            next_url=_query(params, period=_next(scope.period).label, kind=None, on=None),
            restated_url=_query(params, restated=None if scope.restated else "1"),
            refresh_url=_query(params, fresh="1"),
            export_query=params.urlencode(),
            customers_url=self.customers_url(scope),
            map_metrics=[(m, labels[m]) for m in d.RANK_METRICS],
            map_url=reverse("analytics:map") + _query(params, metric=options.metric or None),
            months_choices=d.SERIES_MONTHS,
            top_choices=d.TOP_N,
        )
        if scope.rep is None:
            rows = d.ranking(
                user,
                scope,
                group=options.group,
                sort=options.sort,
                descending=options.descending,
                top=options.top,
                feedback_by_grid=feedback["by_grid"] if options.group != "rep" else None,
                fresh=fresh,
            )
            for row in rows:
                row["url"] = _drill(params, row["drill"]) if row["drill"] else ""
                row["cells"] = [(m, d.display(m, row[m])) for m in d.RANK_METRICS]
            columns = []
            for metric in d.RANK_METRICS:
                active = metric == options.sort
                # The first click sorts ascending (worst first), the next one flips it.
                flip = "desc" if active and not options.descending else "asc"
                columns.append(
                    {
                        "metric": metric,
                        "label": labels[metric],
                        "url": _query(params, sort=metric, dir=flip),
                        "active": active,
                    }
                )
            context.update(
                ranking=rows,
                columns=columns,
                group_links=[
                    (g, label, _query(params, group=g), g == options.group)
                    for g, label in (
                        ("child", _("Sub-grids")),
                        ("leaf", _("Leaf grids")),
                        ("rep", _("Reps")),
                    )
                ],
                top_links=[(n, _query(params, top=n or None), n == options.top) for n in d.TOP_N],
            )
        return context

    def crumbs(self, scope: d.DashboardScope) -> list[tuple[str, str]]:
        """The drill-down path: the visible ancestors of the grid, the grid, the rep."""
        ids = [int(part) for part in scope.grid.path.strip("/").split("/") if part]
        grids = {
            g.pk: g for g in Grid.objects.restrict(self.request.user, "view").filter(pk__in=ids)
        }
        params = self.request.GET
        crumbs = [
            (f"{grids[pk].code} {grids[pk].name}", _drill(params, {"grid": grids[pk].code}))
            for pk in ids
            if pk in grids
        ]
        if scope.rep is not None:
            crumbs.append((str(scope.rep), ""))
        return crumbs

    def customers_url(self, scope: d.DashboardScope) -> str:
        query = {"grid": scope.grid.code}
        if scope.rep is not None:
            query["owner"] = scope.rep.username
        params = self.request.GET.copy()
        params.clear()
        params.update(query)
        return reverse("customers:list") + "?" + params.urlencode()


def _next(period):
    import datetime as dt

    from gridsales.analytics.kpi import period_containing

    return period_containing(period.kind, period.end + dt.timedelta(days=1))


class DashboardExportView(LoginRequiredMixin, View):
    """/analytics/export/<table>.<fmt>: a dashboard table (cards, series, funnel, ranking)
    with the page's parameters, as CSV (UTF-8 with BOM) or XLSX."""

    def get(self, request, table: str, fmt: str):
        if table not in TABLES or fmt not in CONTENT_TYPES:
            raise Http404
        scope = d.resolve_scope(request.user, request.GET)
        if scope.grid is None or (table == "ranking" and scope.rep is not None):
            raise Http404
        options = Options(scope, request.GET)
        headers, rows = export_table(request.user, scope, options, table)
        stream = io.BytesIO()
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title=table)
        else:
            write_csv(stream, headers, rows)
        response = HttpResponse(stream.getvalue(), content_type=CONTENT_TYPES[fmt])
        name = f"{table}-{scope.grid.code}-{scope.period.label}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class DashboardMapView(LoginRequiredMixin, View):
    """GeoJSON of the scope's leaf geo grids coloured by a KPI: each feature's value, its
    quantile class and drill-down link, and the legend's breaks."""

    def get(self, request):
        scope = d.resolve_scope(request.user, request.GET)
        if scope.grid is None or scope.rep is not None:
            raise Http404
        options = Options(scope, request.GET)
        data = d.map_values(request.user, scope, options.metric or "attainment")
        if not options.metric and all(value is None for _grid, value in data["grids"]):
            data = d.map_values(request.user, scope, "revenue")
        metric, breaks = data["metric"], data["breaks"]
        features = []
        for grid, raw in data["grids"]:
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry_for_browser(grid.geometry),
                    "properties": {
                        "code": grid.code,
                        "name": grid.name,
                        "value": raw,
                        "display": d.display(metric, raw),
                        "class": None if raw is None else d.kpi.quantile_class(raw, breaks),
                        "url": reverse("analytics:dashboard")
                        + _drill(request.GET, {"grid": grid.code}),
                    },
                }
            )
        return JsonResponse(
            {
                "type": "FeatureCollection",
                "metric": metric,
                "label": d.metric_labels()[metric],
                "breaks": [str(b) for b in breaks],
                "legend": [d.display(metric, str(b)) for b in breaks],
                "features": features,
            }
        )
