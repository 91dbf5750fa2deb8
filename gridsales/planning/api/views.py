"""Planning API: headcount per grid (GET /api/v1/planning/headcount/) and the scenarios
(read-only: runs, approvals and applies are decisions made on the pages)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.core.context import current_user
from gridsales.grids.models import Grid
from gridsales.planning.api.serializers import HeadcountSerializer, ScenarioSerializer
from gridsales.planning.headcount import config, headcount
from gridsales.planning.models import Scenario

TWO = Decimal("0.01")


def _d(value: float, places: Decimal = TWO) -> str:
    return str(Decimal(repr(value)).quantize(places))


class HeadcountView(APIView):
    """Workload hours, recommended reps, reps today (by share), the gap and demand for a
    grid and every grid under it that you may see (docs/planning.md)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    @extend_schema(
        parameters=[OpenApiParameter("grid", str, description="grid code", required=True)],
        responses={200: HeadcountSerializer},
    )
    def get(self, request):
        code = request.query_params.get("grid", "")
        if not code:
            raise exceptions.ValidationError({"grid": [_("Give a grid code.")]})
        grid = Grid.objects.restrict(request.user, "view").filter(code=code).first()
        if grid is None:
            raise exceptions.NotFound(
                _("No grid with the code “{value}” among yours.").format(value=code)
            )
        cfg = config()
        rows = [
            {
                "grid": r.grid.code,
                "name": r.grid.name,
                "depth": r.grid.depth,
                "customers": r.customers,
                "visits": _d(r.visits),
                "workload_hours": _d(r.hours),
                "recommended_reps": r.recommended,
                "reps_today": str(r.staffed.quantize(TWO)),
                "gap": str(r.gap.quantize(TWO)),
                "utilisation": _d(r.utilisation, Decimal("0.0001"))
                if r.utilisation is not None
                else None,
                "demand": str(r.demand.quantize(TWO)),
                "demand_per_rep": str(r.demand_per_rep) if r.demand_per_rep is not None else None,
            }
            for r in headcount(grid=grid, user=request.user)
        ]
        return Response(
            {
                "visit_minutes": cfg.visit_minutes,
                "travel_minutes": cfg.travel_minutes,
                "rep_hours": cfg.rep_hours,
                "rows": rows,
            }
        )


class ScenarioViewSet(viewsets.ReadOnlyModelViewSet):
    """Planning scenarios of the grids you may see, newest first, with their summary
    metrics (the maps and per-grid reports are on the scenario's page)."""

    queryset = Scenario.objects.select_related("parent").order_by("-created_at", "-pk")
    serializer_class = ScenarioSerializer
    lookup_value_regex = r"[0-9]+"
    filterset_fields = ("status",)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")
