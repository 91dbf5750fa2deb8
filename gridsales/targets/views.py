"""Target pages: plans, split/transition/re-plan, matrix, lineage, versions diff,
bottom-up comparison, attainment, Excel export/import, actuals import.

Plans are visible to everyone with a place in the grid tree; their cells are scoped per
row (reps: their own and their grid's). Directors and admins change plans (403 for others
who see them); anything outside the scope answers 404.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.accounts.models import User
from gridsales.core.scope import scope_for
from gridsales.core.views import ServiceFormView, can, scoped_object
from gridsales.grids.models import Grid
from gridsales.targets import selectors, services
from gridsales.targets.api.views import TRANSITION_SERVICES, XLSX
from gridsales.targets.choices import PlanStatus
from gridsales.targets.forms import (
    FixMonthForm,
    ProposalForm,
    ReplanForm,
    TargetPlanForm,
    UnitInputForm,
    UploadForm,
)
from gridsales.targets.models import (
    PeriodKind,
    TargetLine,
    TargetPlan,
    TargetProposal,
    TargetUnitInput,
)
from gridsales.targets.xlsx import export_plan, parse_actuals, parse_plan


def _version(plan, request):
    number = request.GET.get("version")
    versions = plan.versions.all()
    if number:
        return get_object_or_404(versions, number=number)
    return versions.order_by("-number").first()


def _writer(user) -> bool:
    return scope_for(user).write_all


class PlanListView(LoginRequiredMixin, TemplateView):
    template_name = "targets/plan_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["plans"] = TargetPlan.objects.restrict(self.request.user, "view").order_by(
            "-year", "code"
        )
        context["can_create"] = _writer(self.request.user)
        context["show_total"] = scope_for(self.request.user).read_all
        return context


class PlanCreateView(ServiceFormView):
    model = TargetPlan
    form_class = TargetPlanForm
    template_name = "targets/plan_form.html"

    def get_instance(self):
        if not _writer(self.request.user):
            raise PermissionDenied
        return None

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items()}
        return services.target_plan_create(created_by=self.request.user, **data)


class PlanUpdateView(ServiceFormView):
    model = TargetPlan
    form_class = TargetPlanForm
    template_name = "targets/plan_form.html"

    def save(self, form):
        return services.target_plan_update(plan=form.instance, **form.cleaned_data)


class PlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "targets/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = scoped_object(user, TargetPlan, pk=self.kwargs["pk"])
        writable = can(user, plan, "change")
        next_statuses = [s for s in services.TRANSITIONS[PlanStatus(plan.status)]]
        context.update(
            plan=plan,
            versions=plan.versions.order_by("-number"),
            can_change=writable,
            next_statuses=[(s, PlanStatus(s).label) for s in next_statuses],
            inputs=TargetUnitInput.objects.restrict(user, "view")
            .filter(plan=plan)
            .select_related("grid"),
            replan_form=ReplanForm(initial={"as_of": timezone.localdate()}),
            # The company total is shown to roles that read everything only.
            show_total=scope_for(user).read_all,
        )
        return context


class PlanActionView(LoginRequiredMixin, View):
    """POST-only plan actions for directors: split, transition, replan."""

    def post(self, request, pk, what):
        plan = scoped_object(request.user, TargetPlan, "change", pk=pk)
        try:
            with transaction.atomic():
                if what == "split":
                    version = services.target_plan_split(
                        plan=plan, user=request.user, note=request.POST.get("note", "")
                    )
                    messages.success(request, _("Version {n} created.").format(n=version.number))
                elif what == "transition":
                    status = request.POST.get("status")
                    if status not in TRANSITION_SERVICES:
                        raise ValidationError(_("Unknown status."))
                    TRANSITION_SERVICES[status](plan=plan)
                    messages.success(
                        request, _("Status: {status}.").format(status=plan.get_status_display())
                    )
                elif what == "replan":
                    form = ReplanForm(request.POST)
                    if not form.is_valid():
                        raise ValidationError(_("Give the date to re-plan from."))
                    version = services.target_plan_replan(
                        plan=plan, user=request.user, **form.cleaned_data
                    )
                    messages.success(request, _("Version {n} created.").format(n=version.number))
                else:
                    raise PermissionDenied
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("targets:plan-detail", pk=plan.pk)


class MatrixView(LoginRequiredMixin, TemplateView):
    """Units × periods of a version, scoped per row; directors edit the inputs of a draft."""

    template_name = "targets/matrix.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = scoped_object(user, TargetPlan, pk=self.kwargs["pk"])
        version = _version(plan, self.request)
        kind = self.request.GET.get("kind", PeriodKind.MONTH)
        if kind not in (PeriodKind.QUARTER, PeriodKind.MONTH, PeriodKind.WEEK):
            kind = PeriodKind.MONTH
        keys, rows = selectors.matrix(user, version, kind) if version else ([], [])
        editable = can(user, plan, "change") and plan.status == PlanStatus.DRAFT
        inputs = (
            {i.grid_id: i for i in TargetUnitInput.objects.filter(plan=plan)} if editable else {}
        )
        if editable and kind == PeriodKind.MONTH and version is not None:
            leaves = services.leaf_units(version)
            for row in rows:
                row.fixable = (row.grid_id, row.user_id) in leaves
        context.update(
            plan=plan,
            version=version,
            kind=kind,
            keys=keys,
            rows=rows,
            editable=editable,
            inputs=inputs,
            kinds=[
                (PeriodKind.QUARTER, PeriodKind.QUARTER.label),
                (PeriodKind.MONTH, PeriodKind.MONTH.label),
                (PeriodKind.WEEK, PeriodKind.WEEK.label),
            ],
        )
        return context


class UnitInputView(LoginRequiredMixin, View):
    """htmx: set a grid's lock/bounds/weight/reference in a draft plan (directors)."""

    def post(self, request, pk, grid_pk):
        plan = scoped_object(request.user, TargetPlan, "change", pk=pk)
        grid = get_object_or_404(Grid.objects.restrict(request.user, "view"), pk=grid_pk)
        form = UnitInputForm(request.POST)
        saved = False
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.target_unit_input_set(plan=plan, grid=grid, **form.cleaned_data)
                saved = True
            except ValidationError as exc:
                form.add_service_errors(exc)
        return render(
            request,
            "targets/_input_form.html",
            {"plan": plan, "grid": grid, "form": form, "saved": saved},
            status=200 if saved else 400,
        )

    def get(self, request, pk, grid_pk):
        plan = scoped_object(request.user, TargetPlan, "change", pk=pk)
        grid = get_object_or_404(Grid.objects.restrict(request.user, "view"), pk=grid_pk)
        existing = TargetUnitInput.objects.filter(plan=plan, grid=grid).first()
        initial = {}
        if existing:
            initial = {
                f: getattr(existing, f)
                for f in ("lock", "min_amount", "max_amount", "weight", "reference")
            }
        return render(
            request,
            "targets/_input_form.html",
            {"plan": plan, "grid": grid, "form": UnitInputForm(initial=initial), "saved": False},
        )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class FixMonthView(LoginRequiredMixin, View):
    """htmx: fix a month of a leaf unit (a rep, or a grid without sub-grids or reps) by hand
    in a draft plan, for those who may change the plan: the unit's other months share the
    rest of its year by seasonality; the result is a new version. Not draft: 403."""

    template = "targets/_month_form.html"

    def _unit(self, request, pk):
        plan = scoped_object(request.user, TargetPlan, "change", pk=pk)
        if plan.status != PlanStatus.DRAFT:
            raise PermissionDenied(_("Only a draft plan can be changed; return it to draft first."))
        data = request.POST if request.method == "POST" else request.GET
        grid = get_object_or_404(
            Grid.objects.restrict(request.user, "view"), pk=_int(data.get("grid"))
        )
        rep = None
        if data.get("rep"):
            rep = get_object_or_404(
                User.objects.restrict(request.user, "view"), pk=_int(data["rep"])
            )
        return plan, grid, rep, str(data.get("month", ""))[:7]

    def _render(self, request, plan, grid, rep, month, form, status=200):
        return render(
            request,
            self.template,
            {"plan": plan, "grid": grid, "rep": rep, "month": month, "form": form},
            status=status,
        )

    def get(self, request, pk):
        plan, grid, rep, month = self._unit(request, pk)
        version = plan.latest_version()
        line = (
            version.lines.filter(
                grid=grid, user=rep, period_kind=PeriodKind.MONTH, period=month
            ).first()
            if version
            else None
        )
        form = FixMonthForm(initial={"amount": line.amount if line else None})
        return self._render(request, plan, grid, rep, month, form)

    def post(self, request, pk):
        plan, grid, rep, month = self._unit(request, pk)
        form = FixMonthForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    version = services.target_plan_fix_month(
                        plan=plan,
                        grid=grid,
                        rep=rep,
                        month=month,
                        user=request.user,
                        **form.cleaned_data,
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Version {n} created.").format(n=version.number))
                target = reverse("targets:matrix", kwargs={"pk": plan.pk})
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self._render(request, plan, grid, rep, month, form, status=400)


class LineageView(LoginRequiredMixin, TemplateView):
    """Why is my target this number? One cell's lineage (a popover partial under htmx)."""

    template_name = "targets/lineage.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False):
            return ["targets/_lineage.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        line = get_object_or_404(
            TargetLine.objects.restrict(self.request.user, "view").select_related(
                "version__plan", "grid", "user"
            ),
            pk=self.kwargs["pk"],
        )
        context.update(line=line, info=selectors.cell_lineage(self.request.user, line))
        return context


class DiffView(LoginRequiredMixin, TemplateView):
    template_name = "targets/diff.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = scoped_object(user, TargetPlan, pk=self.kwargs["pk"])
        versions = plan.versions.all()
        latest = versions.order_by("-number").first()
        try:
            b_number = int(self.request.GET.get("b") or (latest.number if latest else 0))
            a_number = int(self.request.GET.get("a") or max(b_number - 1, 1))
        except ValueError:
            a_number = b_number = 0
        a = versions.filter(number=a_number).first()
        b = versions.filter(number=b_number).first()
        context.update(
            plan=plan,
            versions=versions.order_by("-number"),
            a=a,
            b=b,
            rows=selectors.version_diff(user, a, b) if a and b else [],
        )
        return context


class BottomUpView(LoginRequiredMixin, TemplateView):
    """Top-down vs bottom-up with the gap; managers propose, directors reconcile."""

    template_name = "targets/bottom_up.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.plan = scoped_object(request.user, TargetPlan, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_for(user)
        may_propose = scope.write_all or bool(scope.write_paths)
        context.update(
            plan=self.plan,
            rows=selectors.bottom_up_compare(user, self.plan),
            can_reconcile=can(user, self.plan, "change"),
            form=form or (ProposalForm(user=user) if may_propose else None),
        )
        return context

    def post(self, request, pk):
        user = request.user
        action = request.POST.get("action", "propose")
        if action in ("accept", "keep"):
            if not can(user, self.plan, "change"):
                raise PermissionDenied
            proposal = get_object_or_404(
                TargetProposal.objects.restrict(user, "view"),
                pk=request.POST.get("proposal"),
                plan=self.plan,
            )
            service = (
                services.target_proposal_accept
                if action == "accept"
                else services.target_proposal_keep_top_down
            )
            try:
                with transaction.atomic():
                    service(proposal=proposal)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            return redirect("targets:bottom-up", pk=self.plan.pk)
        form = ProposalForm(request.POST, user=user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.target_proposal_submit(plan=self.plan, user=user, **form.cleaned_data)
                messages.success(request, _("Proposal submitted."))
                return redirect("targets:bottom-up", pk=self.plan.pk)
            except ValidationError as exc:
                form.add_service_errors(exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AttainmentView(LoginRequiredMixin, TemplateView):
    template_name = "targets/attainment.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan = scoped_object(user, TargetPlan, pk=self.kwargs["pk"])
        version = _version(plan, self.request)
        today = timezone.localdate()
        keys = [str(plan.year), "Q1", "Q2", "Q3", "Q4", *selectors.month_keys(plan)]
        period = self.request.GET.get("period")
        if period not in keys:
            current = f"{today.year:04d}-{today.month:02d}"
            period = current if current in keys else str(plan.year)
        try:
            on = datetime.date.fromisoformat(self.request.GET.get("on", ""))
        except ValueError:
            on = today
        context.update(
            plan=plan,
            version=version,
            periods=keys,
            period=period,
            on=on,
            rows=selectors.attainment(user, version, period, on) if version else [],
        )
        return context


class ExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        plan = scoped_object(request.user, TargetPlan, pk=pk)
        version = _version(plan, request)
        if version is None:
            messages.error(request, _("The plan has no version yet."))
            return redirect("targets:plan-detail", pk=plan.pk)
        response = HttpResponse(export_plan(request.user, version), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="{plan.code}-v{version.number}.xlsx"'
        )
        return response


class PlanImportView(LoginRequiredMixin, TemplateView):
    """Import a plan's Months sheet as a new version; nothing is written when a row is wrong."""

    template_name = "targets/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.plan = scoped_object(request.user, TargetPlan, "change", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context.update(plan=self.plan, title=_("Import plan from Excel"))
        return context

    def post(self, request, pk):
        form = UploadForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            rows, errors = parse_plan(self.plan, form.cleaned_data["file"].read(), request.user)
            if not errors:
                try:
                    version = services.target_plan_import(
                        plan=self.plan, rows=rows, user=request.user
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("Version {n} created.").format(n=version.number))
                    return redirect("targets:plan-detail", pk=self.plan.pk)
        return self.render_to_response(self.get_context_data(form=form, errors=errors), status=400)


class ActualsImportView(LoginRequiredMixin, TemplateView):
    """Actuals from CSV/XLSX (grid, rep, date or month, amount): directors and admins."""

    template_name = "targets/import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _writer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", UploadForm())
        context.update(title=_("Import actuals"), actuals=True)
        return context

    def post(self, request):
        form = UploadForm(request.POST, request.FILES)
        errors = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            rows, errors = parse_actuals(upload.name, upload.read(), request.user)
            if not errors:
                n = services.actuals_import(rows=rows, source=upload.name[:40])
                messages.success(request, _("{n} actuals imported.").format(n=n))
                return redirect(reverse("targets:plan-list"))
        return self.render_to_response(self.get_context_data(form=form, errors=errors), status=400)
