"""Target API: plans (with transition, split, replan, export), versions (with diff), lines,
bottom-up proposals (accept/keep), unit inputs, actuals. All scoped by ScopedModelViewSet."""

from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.targets import selectors, services
from gridsales.targets.api.serializers import (
    ActualSerializer,
    ReplanSerializer,
    SplitSerializer,
    TargetLineSerializer,
    TargetPlanSerializer,
    TargetPlanVersionSerializer,
    TargetProposalSerializer,
    TargetUnitInputSerializer,
    TransitionSerializer,
)
from gridsales.targets.choices import PlanStatus
from gridsales.targets.filtersets import (
    ActualFilterSet,
    TargetLineFilterSet,
    TargetPlanFilterSet,
    TargetPlanVersionFilterSet,
    TargetProposalFilterSet,
    TargetUnitInputFilterSet,
)
from gridsales.targets.models import (
    Actual,
    TargetLine,
    TargetPlan,
    TargetPlanVersion,
    TargetProposal,
    TargetUnitInput,
)
from gridsales.targets.xlsx import export_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TRANSITION_SERVICES = {
    PlanStatus.SUBMITTED: services.target_plan_submit,
    PlanStatus.APPROVED: services.target_plan_approve,
    PlanStatus.LOCKED: services.target_plan_lock,
    PlanStatus.DRAFT: services.target_plan_reopen,
}


class ReadOnlyScopedViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]


class TargetPlanViewSet(ScopedModelViewSet):
    """Target plans. Everyone with a place in the grid tree reads them (their cells are
    scoped); directors and admins create, change, split and move them through statuses."""

    queryset = TargetPlan.objects.all()
    serializer_class = TargetPlanSerializer
    filterset_class = TargetPlanFilterSet
    ordering_fields = ["year", "code", "name", "status"]
    ordering = ["-year", "code"]

    def get_queryset(self):
        return super().get_queryset().annotate(latest_version_number=Max("versions__number"))

    def perform_write(self, serializer):
        if serializer.instance is None:
            return services.target_plan_create(
                created_by=self.request.user, **serializer.validated_data
            )
        return services.target_plan_update(plan=serializer.instance, **serializer.validated_data)

    def perform_remove(self, instance):
        if instance.status != PlanStatus.DRAFT:
            raise exceptions.ValidationError(_("Only a draft plan can be deleted."))
        instance.delete()

    def _writable_plan(self):
        plan = self.get_object()
        ensure_allowed(self.request.user, plan, "change")
        return plan

    @extend_schema(request=TransitionSerializer, responses=TargetPlanSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the plan to `status`: submitted, approved, locked, or back to draft."""
        plan = self._writable_plan()
        params = TransitionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            plan = TRANSITION_SERVICES[params.validated_data["status"]](plan=plan)
        return Response(self.get_serializer(plan).data)

    @extend_schema(request=SplitSerializer, responses=TargetPlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None):
        """Split the total down the grid tree and the periods: a new version."""
        plan = self._writable_plan()
        params = SplitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version = services.target_plan_split(plan=plan, user=request.user, **params.validated_data)
        return Response(TargetPlanVersionSerializer(version, context={"request": request}).data)

    @extend_schema(request=ReplanSerializer, responses=TargetPlanVersionSerializer)
    @action(detail=True, methods=["post"])
    def replan(self, request, pk=None):
        """Re-plan from `as_of` with the actuals to date: a new version."""
        plan = self._writable_plan()
        params = ReplanSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version = services.target_plan_replan(plan=plan, user=request.user, **params.validated_data)
        return Response(TargetPlanVersionSerializer(version, context={"request": request}).data)

    @extend_schema(
        request=None,
        responses={(200, XLSX): bytes},
        parameters=[OpenApiParameter("version", int, description="default: the latest")],
    )
    @action(detail=True, methods=["get", "post"])
    def export(self, request, pk=None):
        """The cells the caller may see as an Excel workbook (GET, or POST for clients that
        only post)."""
        plan = self.get_object()
        number = request.query_params.get("version") or request.data.get("version")
        versions = plan.versions.all()
        version = (
            get_object_or_404(versions, number=number)
            if number
            else versions.order_by("-number").first()
        )
        if version is None:
            raise exceptions.NotFound(_("The plan has no version yet."))
        response = HttpResponse(export_plan(request.user, version), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="{plan.code}-v{version.number}.xlsx"'
        )
        return response


class TargetPlanVersionViewSet(ReadOnlyScopedViewSet):
    """Immutable plan versions; `diff/?against=N` compares with another version's cells."""

    queryset = TargetPlanVersion.objects.all()
    serializer_class = TargetPlanVersionSerializer
    filterset_class = TargetPlanVersionFilterSet
    ordering = ["plan__code", "-number"]

    def get_queryset(self):
        return super().get_queryset().select_related("plan")

    @extend_schema(parameters=[OpenApiParameter("against", int, required=True)])
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """Cells (year and months) that differ from version number `against` of the plan."""
        version = self.get_object()
        other = get_object_or_404(
            version.plan.versions.all(), number=request.query_params.get("against") or 0
        )
        rows = selectors.version_diff(request.user, other, version)
        return Response(
            [
                {
                    **r,
                    "before": str(r["before"]),
                    "after": str(r["after"]),
                    "delta": str(r["delta"]),
                }
                for r in rows
            ]
        )


class TargetLineViewSet(ReadOnlyScopedViewSet):
    """Target cells: reps see their own and their grid's rows only; filter by plan,
    version, grid (subtree), user, period_kind, period."""

    queryset = TargetLine.objects.all()
    serializer_class = TargetLineSerializer
    filterset_class = TargetLineFilterSet
    ordering = ["version_id", "grid__path", "user_id", "period"]

    def get_queryset(self):
        return super().get_queryset().select_related("version__plan", "grid", "user")


class TargetProposalViewSet(ScopedModelViewSet):
    """Bottom-up proposals: grid managers propose for the grids they manage; directors
    reconcile (accept = lock the grid at the proposal; keep = keep top-down)."""

    queryset = TargetProposal.objects.all()
    serializer_class = TargetProposalSerializer
    filterset_class = TargetProposalFilterSet
    ordering = ["plan__code", "grid__path"]

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "grid", "submitted_by")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        instance = serializer.instance
        return services.target_proposal_submit(
            plan=data.get("plan", instance.plan if instance else None),
            grid=data.get("grid", instance.grid if instance else None),
            amount=data.get("amount", instance.amount if instance else None),
            note=data.get("note", instance.note if instance else ""),
            user=self.request.user,
        )

    def _reconcile(self, request, service):
        proposal = self.get_object()
        if (
            not TargetPlan.objects.restrict(request.user, "change")
            .filter(pk=proposal.plan_id)
            .exists()
        ):
            raise exceptions.PermissionDenied(_("Only directors reconcile proposals."))
        with transaction.atomic():
            proposal = service(proposal=proposal)
        return Response(self.get_serializer(proposal).data)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Take the proposal: it becomes the grid's lock for the next split."""
        return self._reconcile(request, services.target_proposal_accept)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def keep(self, request, pk=None):
        """Keep the top-down number."""
        return self._reconcile(request, services.target_proposal_keep_top_down)


class TargetUnitInputViewSet(ScopedModelViewSet):
    """Per-grid lock, min/max, weight and reference of a plan (directors write)."""

    queryset = TargetUnitInput.objects.all()
    serializer_class = TargetUnitInputSerializer
    filterset_class = TargetUnitInputFilterSet
    ordering = ["plan__code", "grid__path"]

    def get_queryset(self):
        return super().get_queryset().select_related("plan", "grid")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        instance = serializer.instance
        fields = {
            name: data.get(name, getattr(instance, name) if instance else None)
            for name in ("lock", "min_amount", "max_amount", "weight", "reference")
        }
        plan = data.get("plan", instance.plan if instance else None)
        grid = data.get("grid", instance.grid if instance else None)
        result = services.target_unit_input_set(plan=plan, grid=grid, **fields)
        if result is None:
            raise exceptions.ValidationError(
                _("Give at least one of lock, min, max, weight, reference.")
            )
        return result


class ActualViewSet(ReadOnlyScopedViewSet):
    """Actuals (imported until orders arrive): a grid's are visible in its scope, a rep's
    own always."""

    queryset = Actual.objects.all()
    serializer_class = ActualSerializer
    filterset_class = ActualFilterSet
    ordering = ["-date", "grid__path"]

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "user")
