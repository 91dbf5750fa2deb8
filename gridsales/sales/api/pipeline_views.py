"""Pipeline API: pipelines (stages nested, reorder), stages, opportunities (with move) and
the read-only stage history. Scoped by ScopedModelViewSet; writes through the services."""

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.sales import opportunities, pipelines
from gridsales.sales.api.pipeline_serializers import (
    MoveSerializer,
    OpportunitySerializer,
    OpportunityStageChangeSerializer,
    PipelineSerializer,
    ReorderSerializer,
    StageSerializer,
)
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage
from gridsales.sales.pipeline_filtersets import (
    OpportunityFilterSet,
    OpportunityStageChangeFilterSet,
    StageFilterSet,
)


class PipelineViewSet(ScopedModelViewSet):
    """Sales pipelines with their stages in order. Everyone reads them; administrators and
    directors change them. A new pipeline without stages gets the standard six."""

    queryset = Pipeline.objects.all()
    serializer_class = PipelineSerializer
    filterset_fields = ["is_active", "is_default"]
    ordering_fields = ["code", "name"]
    ordering = ["-is_default", "code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("stages")

    def perform_write(self, serializer):
        if serializer.instance is None:
            return pipelines.pipeline_create(**serializer.validated_data)
        return pipelines.pipeline_update(pipeline=serializer.instance, **serializer.validated_data)

    def perform_remove(self, instance):
        pipelines.pipeline_delete(pipeline=instance)

    @extend_schema(request=ReorderSerializer, responses=PipelineSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Put the stages in the order of `stages` (every stage id of the pipeline, once)."""
        pipeline = self.get_object()
        ensure_allowed(request.user, pipeline, "change")
        params = ReorderSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            pipelines.stage_reorder(pipeline=pipeline, stage_ids=params.validated_data["stages"])
        return Response(self.get_serializer(self.get_queryset().get(pk=pipeline.pk)).data)


class StageViewSet(ScopedModelViewSet):
    """Stages (`?pipeline=CODE`, `?kind=`). New stages go last; a stage deals use is never
    deleted."""

    queryset = Stage.objects.all()
    serializer_class = StageSerializer
    filterset_class = StageFilterSet
    ordering = ["pipeline__code", "position"]

    def get_queryset(self):
        return super().get_queryset().select_related("pipeline")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            return pipelines.stage_save(pipeline=data.pop("pipeline"), **data)
        data.pop("pipeline", None)
        return pipelines.stage_save(stage=serializer.instance, **data)

    def perform_remove(self, instance):
        pipelines.stage_delete(stage=instance)


class OpportunityViewSet(ScopedModelViewSet):
    """Deals the caller may see (filters as the list page). The stage changes only with
    POST …/move/, which records the stage history."""

    queryset = Opportunity.objects.all()
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    ordering_fields = ["name", "amount", "expected_close", "created_at", "closed_on"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return (
            super().get_queryset().select_related("customer", "owner", "pipeline", "stage", "grid")
        )

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            data.setdefault("owner", self.request.user)
            return opportunities.opportunity_create(user=self.request.user, **data)
        return opportunities.opportunity_update(opportunity=serializer.instance, **data)

    def perform_remove(self, instance):
        opportunities.opportunity_delete(opportunity=instance)

    @extend_schema(request=MoveSerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        """Move the deal to `stage` (a stage of its pipeline) and record it in the stage
        history. A lost stage needs `loss_reason`; won or lost closes the deal today; an
        open stage reopens it. The same stage changes nothing."""
        deal = self.get_object()
        ensure_allowed(request.user, deal, "change")
        params = MoveSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            opportunities.opportunity_move(
                opportunity=deal, user=request.user, **params.validated_data
            )
            ensure_allowed(request.user, deal, "change")
        return Response(self.get_serializer(self.get_queryset().get(pk=deal.pk)).data)


class OpportunityStageChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Every stage move of the deals the caller sees (`?opportunity=ID`,
    `?changed_after=` / `?changed_before=` dates, `?pipeline=CODE`). Never edited."""

    queryset = OpportunityStageChange.objects.all()
    serializer_class = OpportunityStageChangeSerializer
    filterset_class = OpportunityStageChangeFilterSet
    ordering_fields = ["changed_at"]
    ordering = ["opportunity", "changed_at", "pk"]

    def get_queryset(self):
        return OpportunityStageChange.objects.restrict(self.request.user, "view").select_related(
            "opportunity", "from_stage", "to_stage"
        )
