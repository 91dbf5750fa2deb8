"""Incentive API: plans (with new versions), versions, assignments, commission runs (with
calculate / approve / pay), statements with their lines, adjustments, and disputes (with
accept / reject). Finance, directors and admins write; statements are scoped by rep."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.scope import scope_for
from gridsales.incentives import services
from gridsales.incentives.api.serializers import (
    AcceptSerializer,
    AdjustmentSerializer,
    CommissionRunSerializer,
    DisputeSerializer,
    IncentivePlanSerializer,
    IncentivePlanVersionSerializer,
    NewVersionSerializer,
    PlanAssignmentSerializer,
    RejectSerializer,
    StatementDetailSerializer,
    StatementSerializer,
)
from gridsales.incentives.contract import InputError
from gridsales.incentives.models import (
    FINANCE_ROLES,
    Adjustment,
    CommissionRun,
    Dispute,
    IncentivePlan,
    IncentivePlanVersion,
    PlanAssignment,
    Statement,
)
from gridsales.incentives.whatif import what_if


class IncentivePlanViewSet(ScopedModelViewSet):
    """Commission plans: everyone signed in reads them; finance, directors and admins
    create them (with their first version's `definition` and `effective_from`), rename
    them and add versions. Plans are never deleted (statements refer to them)."""

    queryset = IncentivePlan.objects.all()
    serializer_class = IncentivePlanSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["code"]

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            return services.incentive_plan_create(user=self.request.user, **data)
        return services.incentive_plan_update(
            plan=serializer.instance,
            **{k: v for k, v in data.items() if k in ("name", "description")},
        )

    @extend_schema(request=NewVersionSerializer, responses={201: IncentivePlanVersionSerializer})
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        """A new version of the plan's rules, effective from a month."""
        plan = self.get_object()
        ensure_allowed(request.user, plan, "change")
        params = NewVersionSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        version = services.incentive_plan_version_create(
            plan=plan, user=request.user, **params.validated_data
        )
        return Response(IncentivePlanVersionSerializer(version).data, status=201)


class IncentivePlanVersionViewSet(ScopedModelViewSet):
    """Plan versions (read-only: a change is a new version through the plan)."""

    queryset = IncentivePlanVersion.objects.select_related("plan", "created_by")
    serializer_class = IncentivePlanVersionSerializer
    http_method_names = ["get", "head", "options"]
    ordering = ["plan__code", "number"]


class PlanAssignmentViewSet(ScopedModelViewSet):
    """Who a plan applies to (one rep, a role or a grid's reps) for a range of months."""

    queryset = PlanAssignment.objects.select_related("plan", "user", "grid")
    serializer_class = PlanAssignmentSerializer
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["plan__code", "valid_from", "pk"]

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        return services.plan_assignment_create(**data)


class CommissionRunViewSet(ScopedModelViewSet):
    """Commission runs, one per month: draft → calculated → approved → paid."""

    queryset = CommissionRun.objects.select_related("approved_by", "paid_by")
    serializer_class = CommissionRunSerializer
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-period"]

    def perform_write(self, serializer):
        return services.commission_run_create(period=serializer.validated_data["period"])

    def _step(self, request, service, **kwargs):
        run = self.get_object()
        ensure_allowed(request.user, run, "change")
        with transaction.atomic():
            run = service(run=run, **kwargs)
        return Response(self.get_serializer(run).data)

    @extend_schema(request=None, responses=CommissionRunSerializer)
    @action(detail=True, methods=["post"])
    def calculate(self, request, pk=None):
        """(Re)calculate the statements (draft or calculated runs without disputes)."""
        return self._step(request, services.commission_run_calculate)

    @extend_schema(request=None, responses=CommissionRunSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """calculated → approved."""
        return self._step(request, services.commission_run_approve, user=request.user)

    @extend_schema(request=None, responses=CommissionRunSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """approved → paid (locked)."""
        return self._step(request, services.commission_run_pay, user=request.user)


class StatementViewSet(ScopedModelViewSet):
    """Statements: a rep reads their own, a manager those of their grids' reps, finance
    and the HQ roles all. The detail lists every line with its explanation."""

    queryset = Statement.objects.select_related("run", "rep", "grid", "plan_version__plan")
    serializer_class = StatementSerializer
    http_method_names = ["get", "head", "options"]
    ordering = ["-run__period", "rep__username"]
    filterset_fields = ["run"]

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer


class AdjustmentViewSet(ScopedModelViewSet):
    """Adjustments with their reasons: finance adds them; a rep reads their own."""

    queryset = Adjustment.objects.select_related("rep", "created_by")
    serializer_class = AdjustmentSerializer
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-created_at", "-pk"]

    def perform_write(self, serializer):
        data = serializer.validated_data
        ensure_allowed(self.request.user, data["run"], "change")
        return services.adjustment_create(user=self.request.user, **data)


class DisputeViewSet(ScopedModelViewSet):
    """Disputes: a rep disputes a line of their own statement (`line`, `message`); finance
    accepts them with an adjustment or rejects them with a reason."""

    queryset = Dispute.objects.select_related(
        "statement__rep", "statement__run", "raised_by", "resolved_by"
    )
    serializer_class = DisputeSerializer
    http_method_names = ["get", "post", "head", "options"]
    ordering = ["-raised_at", "-pk"]

    def perform_create(self, serializer):
        # Only the statement's rep may dispute: the service checks it (403 otherwise).
        with transaction.atomic():
            serializer.instance = services.dispute_open(
                line=serializer.validated_data["line"],
                user=self.request.user,
                message=serializer.validated_data["message"],
            )

    def _resolve(self, request, params_class, service):
        dispute = self.get_object()
        ensure_allowed(request.user, dispute, "change")
        params = params_class(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            dispute = service(dispute=dispute, user=request.user, **params.validated_data)
        return Response(self.get_serializer(dispute).data)

    @extend_schema(request=AcceptSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept: an adjustment of `amount` with `resolution` as its reason."""
        return self._resolve(request, AcceptSerializer, services.dispute_accept)

    @extend_schema(request=RejectSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a `resolution` the rep will read."""
        return self._resolve(request, RejectSerializer, services.dispute_reject)


class WhatIfRequestSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$")
    plans = serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2)


class WhatIfView(APIView):
    """Apply two plans (the calculator's JSON: a plan's `definition`, or an edited copy) to
    a past month's actuals and compare them: cost, cost as a share of revenue, totals per
    rep and per grid, who gains and who loses (the second plan against the first).
    Finance, directors and admins; nothing is written."""

    @extend_schema(
        request=WhatIfRequestSerializer,
        responses={
            200: inline_serializer(
                "WhatIf",
                {
                    "period": serializers.CharField(),
                    "revenue": serializers.CharField(),
                    "plans": serializers.ListField(child=serializers.DictField()),
                    "reps": serializers.ListField(child=serializers.DictField()),
                    "grids": serializers.ListField(child=serializers.DictField()),
                    "gainers": serializers.ListField(child=serializers.CharField()),
                    "losers": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
    )
    def post(self, request):
        if scope_for(request.user).role not in FINANCE_ROLES:
            raise exceptions.PermissionDenied()
        params = WhatIfRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            return Response(what_if(**params.validated_data))
        except InputError as exc:
            raise exceptions.ValidationError({"plans": exc.messages(_)}) from exc
