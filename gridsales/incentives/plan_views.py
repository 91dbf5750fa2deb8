"""Plan pages: the plans, a plan with its versions and assignments, a new plan, a new
version (from scratch or as a copy of one), assignments added and ended.

Everyone signed in reads plans (a rep needs the rules to understand a statement);
finance, directors and admins write (403 for others). A version is never edited: a change
is a new version, so what a run paid stays explained by the version it used.
"""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridsales.core.services import model_save
from gridsales.core.views import scoped_object
from gridsales.incentives import services
from gridsales.incentives.assignments import plan_assignment_end
from gridsales.incentives.forms import (
    AssignmentEndForm,
    AssignmentForm,
    PlanCreateForm,
    PlanVersionForm,
)
from gridsales.incentives.models import (
    IncentivePlan,
    IncentivePlanVersion,
    PlanAssignment,
    Statement,
)
from gridsales.incentives.views import can_finance

STARTER = {
    "tier_basis": "attainment",
    "tier_mode": "marginal",
    "tiers": [{"from": "0", "rate": "0.01"}],
    "category_multipliers": {},
    "bonuses": [],
    "cap": None,
    "clawback_days": 0,
}


def _require_finance(user) -> None:
    if not can_finance(user):
        raise PermissionDenied


def runs_by_version(version_ids) -> dict[int, list[str]]:
    """The months of the runs that used each version (one query)."""
    used: dict[int, list[str]] = defaultdict(list)
    rows = (
        Statement.objects.filter(plan_version_id__in=list(version_ids))
        .values_list("plan_version_id", "run__period")
        .distinct()
        .order_by("run__period")
    )
    for version_id, period in rows:
        used[version_id].append(period)
    return used


class PlanListView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/plan_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plans = (
            IncentivePlan.objects.restrict(user, "view")
            .annotate(
                version_count=Count("versions", distinct=True),
                assignment_count=Count("assignments", distinct=True),
            )
            .order_by("code")
        )
        latest = {}
        for v in IncentivePlanVersion.objects.filter(plan__in=plans).order_by("plan", "number"):
            latest[v.plan_id] = v
        rows = [{"plan": p, "latest": latest.get(p.pk)} for p in plans]
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "can_write": can_finance(user),
            "section": "incentives",
        }


class PlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/plan_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        plan = scoped_object(user, IncentivePlan, pk=self.kwargs["pk"])
        versions = list(plan.versions.select_related("created_by").order_by("-number"))
        used = runs_by_version(v.pk for v in versions)
        assignments = plan.assignments.select_related("user", "grid").order_by("valid_from", "pk")
        return {
            **super().get_context_data(**kwargs),
            "plan": plan,
            "versions": [{"version": v, "runs": used.get(v.pk, [])} for v in versions],
            "assignments": assignments,
            "can_write": can_finance(user),
            "section": "incentives",
        }


class VersionDetailView(LoginRequiredMixin, TemplateView):
    """One version's rules, read as the calculator reads them."""

    template_name = "incentives/plan_version.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        version = scoped_object(user, IncentivePlanVersion, pk=self.kwargs["pk"])
        d = version.definition
        return {
            **super().get_context_data(**kwargs),
            "version": version,
            "plan": version.plan,
            "d": d,
            "multipliers": sorted((d.get("category_multipliers") or {}).items()),
            "runs": runs_by_version([version.pk]).get(version.pk, []),
            "can_write": can_finance(user),
            "section": "incentives",
        }


class _RulesFormView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/plan_form.html"

    def render_form(self, form, status=200, **extra):
        context = self.get_context_data(form=form, section="incentives", **extra)
        return self.render_to_response(context, status=status)


class PlanCreateView(_RulesFormView):
    def get(self, request):
        _require_finance(request.user)
        return self.render_form(PlanCreateForm(definition=STARTER), creating=True)

    def post(self, request):
        _require_finance(request.user)
        form = PlanCreateForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    plan = services.incentive_plan_create(
                        code=data["code"],
                        name=data["name"],
                        description=data["description"],
                        definition=form.definition,
                        effective_from=data["effective_from"],
                        user=request.user,
                    )
                    if data["effective_to"] or data["note"]:
                        # The first version is new and unused: its months are still free.
                        model_save(
                            plan.versions.get(),
                            effective_to=data["effective_to"],
                            note=data["note"],
                        )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Plan {name} created.").format(name=plan.name))
                return redirect("incentives:plan", plan.pk)
        return self.render_form(form, status=400, creating=True)


class VersionCreateView(_RulesFormView):
    """A new version of a plan, prefilled from `?from=<version id>` (copy as new version)
    or from the plan's latest version."""

    def _plan(self, request, pk):
        return scoped_object(request.user, IncentivePlan, "change", pk=pk)

    def get(self, request, pk):
        plan = self._plan(request, pk)
        source = None
        if request.GET.get("from", "").isdigit():
            source = get_object_or_404(plan.versions, pk=int(request.GET["from"]))
        source = source or plan.versions.order_by("-number").first()
        definition = dict(source.definition) if source else dict(STARTER)
        form = PlanVersionForm(definition=definition, name=plan.name)
        return self.render_form(form, plan=plan, source=source)

    def post(self, request, pk):
        plan = self._plan(request, pk)
        form = PlanVersionForm(request.POST, name=plan.name)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    version = services.incentive_plan_version_create(
                        plan=plan,
                        definition=form.definition,
                        effective_from=data["effective_from"],
                        effective_to=data["effective_to"],
                        note=data["note"],
                        user=request.user,
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Version {number} saved, in force from {month}.").format(
                        number=version.number, month=version.effective_from
                    ),
                )
                return redirect("incentives:plan", plan.pk)
        return self.render_form(form, status=400, plan=plan)


class AssignmentCreateView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/plan_assignment_form.html"

    def _render(self, plan, form, status=200):
        context = self.get_context_data(plan=plan, form=form, section="incentives")
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        plan = scoped_object(request.user, IncentivePlan, "change", pk=pk)
        return self._render(plan, AssignmentForm(user=request.user))

    def post(self, request, pk):
        plan = scoped_object(request.user, IncentivePlan, "change", pk=pk)
        form = AssignmentForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.plan_assignment_create(
                        plan=plan,
                        user=data["user"],
                        role=data["role"] or "",
                        grid=data["grid"],
                        valid_from=data["valid_from"],
                        valid_to=data["valid_to"] or "",
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Assignment added."))
                return redirect("incentives:plan", plan.pk)
        return self._render(plan, form, status=400)


class AssignmentEndView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/plan_assignment_end.html"

    def _render(self, assignment, form, status=200):
        context = self.get_context_data(
            assignment=assignment, plan=assignment.plan, form=form, section="incentives"
        )
        return self.render_to_response(context, status=status)

    def get(self, request, pk):
        assignment = scoped_object(request.user, PlanAssignment, "change", pk=pk)
        return self._render(assignment, AssignmentEndForm())

    def post(self, request, pk):
        assignment = scoped_object(request.user, PlanAssignment, "change", pk=pk)
        form = AssignmentEndForm(request.POST)
        if form.is_valid():
            try:
                plan_assignment_end(assignment=assignment, valid_to=form.cleaned_data["valid_to"])
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("The assignment ends in {month}.").format(month=assignment.valid_to),
                )
                return redirect("incentives:plan", assignment.plan_id)
        return self._render(assignment, form, status=400)
