"""Target API: plans (with transition, split, replan, export, import, months), versions
(with diff), lines, bottom-up proposals (accept/keep), unit inputs, actuals (with import).
All scoped by ScopedModelViewSet."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.io.api import MAX_UPLOAD_BYTES, REPORT_SCHEMA
from gridsales.core.io.report import ImportReport
from gridsales.core.scope import scope_for
from gridsales.targets import selectors, services
from gridsales.targets.api.serializers import (
    ActualSerializer,
    FixMonthSerializer,
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
from gridsales.targets.xlsx import export_plan, parse_actuals, parse_plan

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TRANSITION_SERVICES = {
    PlanStatus.SUBMITTED: services.target_plan_submit,
    PlanStatus.APPROVED: services.target_plan_approve,
    PlanStatus.LOCKED: services.target_plan_lock,
    PlanStatus.DRAFT: services.target_plan_reopen,
}


class ReadOnlyScopedViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]


# Uploads: multipart (the file); JSON too, so that a call without a file answers 400.
UPLOAD_PARSERS = [MultiPartParser, FormParser, JSONParser]
UPLOAD_REQUEST = {
    "multipart/form-data": inline_serializer(
        "TargetImportRequest",
        {"file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False)},
    )
}


def _flag(value) -> bool:
    return str(value).lower() in {"1", "true", "yes", "on"}


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        raise exceptions.ValidationError({"file": [_("Upload a file.")]})
    if upload.size > MAX_UPLOAD_BYTES:
        raise exceptions.ValidationError({"file": [_("The file is too large.")]})
    return upload, _flag(request.data.get("dry_run", ""))


def import_response(
    kind: str, upload, dry_run: bool, rows: list, errors: list, write, extra_keys=()
):
    """The customers/grids import report for a targets import: the web UI's parse errors as
    (row, column, value, reason); `write()` runs only when there is none, inside a
    transaction rolled back on a dry run (so the services' own checks run too), and
    returns (created count, extra fields; `extra_keys` are null unless written). 400 when
    invalid (nothing written), 201 when written, 200 for a valid dry run."""
    report = ImportReport(kind=kind, file_name=upload.name, dry_run=dry_run, rows=len(rows))
    for e in errors:
        report.error(e.row, e.column, e.value, e.reason)
    extra: dict = dict.fromkeys(extra_keys)
    if not errors:
        try:
            with transaction.atomic():
                report.created, extra = write()
                if dry_run:
                    transaction.set_rollback(True)
        except DjangoValidationError as exc:
            for message in exc.messages:
                report.error(None, "-", "", message)
            report.created = 0
        else:
            report.written = not dry_run
    if not report.written:
        extra = dict.fromkeys(extra)
    status = 400 if report.errors else (201 if report.written else 200)
    return Response({**report.as_dict(), **extra}, status=status)


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

    @extend_schema(request=FixMonthSerializer, responses=TargetPlanVersionSerializer)
    @action(detail=True, methods=["post"], url_path="months")
    def months(self, request, pk=None):
        """Fix a month of a leaf unit by hand in a draft plan (`grid`, `rep` for a rep's
        row, `month` YYYY-MM, `amount`): its other months share the rest of its year by
        seasonality. A new version."""
        plan = self._writable_plan()
        params = FixMonthSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        version = services.target_plan_fix_month(
            plan=plan, user=request.user, **params.validated_data
        )
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

    @extend_schema(
        request=UPLOAD_REQUEST,
        responses={200: REPORT_SCHEMA, 201: REPORT_SCHEMA, 400: REPORT_SCHEMA},
    )
    @action(detail=True, methods=["post"], url_path="import", parser_classes=UPLOAD_PARSERS)
    def import_plan(self, request, pk=None):
        """The plan's Months sheet (XLSX, as exported) as a new version, like the web page:
        any wrong row is reported as row, column, value, reason (400) and nothing is
        written; `dry_run` checks without writing. The report adds `version`."""
        plan = self._writable_plan()
        upload, dry_run = _upload(request)
        rows, errors = parse_plan(plan, upload.read(), request.user)

        def write():
            version = services.target_plan_import(plan=plan, rows=rows, user=request.user)
            return len(rows), {"version": version.number}

        return import_response(
            "target-plan", upload, dry_run, rows, errors, write, extra_keys=("version",)
        )


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
    own always. `import/` (directors, admins) adds rows from CSV/XLSX."""

    queryset = Actual.objects.all()
    serializer_class = ActualSerializer
    filterset_class = ActualFilterSet
    ordering = ["-date", "grid__path"]
    # POST for the import action only: the collection itself takes no POST.
    http_method_names = ["get", "head", "options", "post"]

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "user")

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method)

    @extend_schema(
        request=UPLOAD_REQUEST,
        responses={200: REPORT_SCHEMA, 201: REPORT_SCHEMA, 400: REPORT_SCHEMA},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=UPLOAD_PARSERS)
    def import_actuals(self, request):
        """Actuals from CSV (UTF-8 or GBK) or XLSX with columns grid, rep (optional), date
        (YYYY-MM-DD, or YYYY-MM for a month), amount, metric (optional): directors and
        admins, like the web page. Wrong rows are reported (400) and nothing is written;
        `dry_run` checks without writing."""
        if not scope_for(request.user).write_all:
            raise exceptions.PermissionDenied(_("Only directors and admins import actuals."))
        upload, dry_run = _upload(request)
        rows, errors = parse_actuals(upload.name, upload.read(), request.user)

        def write():
            return services.actuals_import(rows=rows, source=upload.name[:40]), {}

        return import_response("actuals", upload, dry_run, rows, errors, write)
