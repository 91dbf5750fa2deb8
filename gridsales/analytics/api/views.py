"""GET /api/v1/kpis/: the KPI table of a grid's subtree for a period (docs/kpis.md)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.analytics.kpi import PeriodError, parse_period, period_containing
from gridsales.analytics.selectors import (
    GROUPS,
    METRICS,
    KpiError,
    KpiRequest,
    default_grid,
    kpi_rows,
    parse_metrics,
)
from gridsales.core.audit import current_user
from gridsales.grids.models import Grid


class KpiView(APIView):
    """The KPIs of a grid and its sub-grids for a period, one row per group.

    `period`: 2026-03-05, 2026-W09, 2026-03, 2026-Q1 or 2026 (default: this month).
    `grid`: a grid code among yours (default: the top of your grids). `group_by`: child,
    leaf, rep or month (default: one row for the grid). `metrics`: a comma-separated list,
    each optionally suffixed _growth (vs the previous period) or _yoy (vs the same period
    last year). `restated=1` counts each fact in its customer's grid of today instead of
    the grid recorded on it. Money is a string with 2 decimals, ratios are strings.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "period", str, description="2026-03-05, 2026-W09, 2026-03, 2026-Q1, 2026"
            ),
            OpenApiParameter("grid", str, description="grid code (with its sub-grids)"),
            OpenApiParameter("group_by", str, enum=[g for g in GROUPS if g]),
            OpenApiParameter("metrics", str, description=", ".join(METRICS)),
            OpenApiParameter("restated", OpenApiTypes.BOOL),
        ],
        responses={
            200: inline_serializer(
                "KpiTable",
                {
                    "period": serializers.CharField(),
                    "restated": serializers.BooleanField(),
                    "rows": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        try:
            kpi_request = _parse(request)
            rows = kpi_rows(request.user, kpi_request)
        except KpiError as exc:
            raise exceptions.ValidationError({exc.field: [exc.message]}) from None
        return Response(
            {"period": kpi_request.period.label, "restated": kpi_request.restated, "rows": rows}
        )


def _parse(request) -> KpiRequest:
    params = request.query_params
    text = params.get("period")
    try:
        period = parse_period(text) if text else period_containing("month", timezone.localdate())
    except PeriodError:
        raise KpiError(
            "period",
            _(
                "“{value}” is not a period. Use 2026-03-05 (day), 2026-W09 (ISO week), "
                "2026-03 (month), 2026-Q1 (quarter) or 2026 (year)."
            ).format(value=text),
        ) from None
    group_by = params.get("group_by", "")
    if group_by not in GROUPS:
        raise KpiError(
            "group_by",
            _("Unknown grouping “{value}”. Use child, leaf, rep or month.").format(value=group_by),
        )
    restated = params.get("restated", "0")
    if restated not in ("0", "1", "true", "false"):
        raise KpiError(
            "restated", _("restated must be 1 or 0, not “{value}”.").format(value=restated)
        )
    if params.get("grid"):
        grid = Grid.objects.restrict(request.user, "view").filter(code=params["grid"]).first()
        if grid is None:
            raise exceptions.NotFound(
                _("No grid with the code “{value}” among yours.").format(value=params["grid"])
            )
    else:
        grid = default_grid(request.user)
    return KpiRequest(
        grid=grid,
        period=period,
        group_by=group_by,
        metrics=parse_metrics(params.get("metrics")),
        restated=restated in ("1", "true"),
    )
