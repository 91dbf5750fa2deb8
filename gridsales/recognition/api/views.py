"""Recognition API: award types (directors and admins write), awards (seen as the rep's
grid; given and revoked by directors, admins and the managers of the rep's grid), the
rules run, and the leaderboards (GET /api/v1/leaderboards/)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.analytics.selectors import METRICS
from gridsales.core.api import ScopedModelViewSet
from gridsales.core.audit import current_user
from gridsales.grids.models import Grid
from gridsales.recognition import services
from gridsales.recognition.api.serializers import (
    AwardSerializer,
    AwardTypeSerializer,
    AwardUpdateSerializer,
    RulesRunSerializer,
)
from gridsales.recognition.leaderboards import BoardError, leaderboard, parse_board_period
from gridsales.recognition.models import Award, AwardType
from gridsales.recognition.views import can_manage_types


class AwardTypeViewSet(ScopedModelViewSet):
    """Award types: everyone reads them; directors and admins create and change them
    (deactivate one instead of deleting it: awards refer to it)."""

    queryset = AwardType.objects.all()
    serializer_class = AwardTypeSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["name"]

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            return services.award_type_create(**data)
        return services.award_type_update(award_type=serializer.instance, **data)


class AwardViewSet(ScopedModelViewSet):
    """Awards: seen by their rep and by whoever sees the rep's grid; given by hand
    (`award_type`, `rep`, `period`, `citation`), reworded (citation) and revoked by
    directors, admins and the managers of the rep's grid. `run-rules` runs the award
    rules for a period (directors and admins)."""

    queryset = Award.objects.select_related("award_type", "rep", "grid", "given_by")
    serializer_class = AwardSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering = ["-period", "award_type__name", "rank", "rep__username"]
    filterset_fields = ["period"]

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return AwardUpdateSerializer
        return AwardSerializer

    def perform_write(self, serializer):
        data = serializer.validated_data
        if serializer.instance is None:
            return services.award_give(user=self.request.user, **data)
        return services.award_update(
            award=serializer.instance, citation=data.get("citation", serializer.instance.citation)
        )

    def perform_remove(self, instance):
        services.award_revoke(award=instance)

    @extend_schema(
        request=RulesRunSerializer,
        responses={
            200: inline_serializer(
                "RulesRun", {"runs": serializers.ListField(child=serializers.DictField())}
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="run-rules")
    def run_rules(self, request):
        """Run every active award rule for `period` (idempotent)."""
        if not can_manage_types(request.user):
            raise exceptions.PermissionDenied()
        params = RulesRunSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            runs = services.awards_by_rules(
                period=params.validated_data["period"].strip().upper(), user=request.user
            )
        except ValidationError as exc:
            raise exceptions.ValidationError({"period": exc.messages}) from None
        return Response({"runs": runs})


class LeaderboardView(APIView):
    """Reps (`by=rep`) or leaf grids (`by=grid`) ranked by a KPI (`metric`) for a month,
    quarter or year (`period`: 2026-03, 2026-Q1, 2026; default this month) within a grid
    (`grid`, default the top of yours), in the caller's scope. Equal values share a rank
    (1, 2, 2, 4); rows without a value come last with rank null."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, enum=list(METRICS)),
            OpenApiParameter("period", str, description="2026-03, 2026-Q1 or 2026"),
            OpenApiParameter("by", str, enum=["rep", "grid"]),
            OpenApiParameter("grid", str, description="grid code (with its sub-grids)"),
        ],
        responses={
            200: inline_serializer(
                "Leaderboard",
                {
                    "metric": serializers.CharField(),
                    "period": serializers.CharField(),
                    "by": serializers.CharField(),
                    "grid": serializers.CharField(allow_null=True),
                    "rows": serializers.ListField(child=serializers.DictField()),
                },
            )
        },
    )
    def get(self, request):
        params = request.query_params
        grid = None
        if params.get("grid"):
            grid = Grid.objects.restrict(request.user, "view").filter(code=params["grid"]).first()
            if grid is None:
                raise exceptions.NotFound(
                    _("No grid with the code “{value}” among yours.").format(value=params["grid"])
                )
        try:
            board = leaderboard(
                request.user,
                metric=params.get("metric") or "revenue",
                period=parse_board_period(params.get("period")),
                by=params.get("by") or "rep",
                grid=grid,
            )
        except BoardError as exc:
            raise exceptions.ValidationError({exc.field: [exc.message]}) from None
        return Response(
            {
                "metric": board.metric,
                "period": board.period.label,
                "by": board.by,
                "grid": board.grid.code if board.grid else None,
                "rows": [
                    {
                        "rank": row["rank"],
                        "key": row["key"],
                        "label": row["label"],
                        "value": row["value"],
                    }
                    for row in board.rows
                ],
            }
        )
