"""Incentive pages: commission runs (list, detail with calculate/approve/pay, payroll CSV),
a rep's statement (every line with its sentence, phone-first) with the dispute flow.

Runs are visible to everyone signed in; statements to their rep, their grid's managers and
the HQ roles (404 otherwise); finance, directors and admins act (403 for others).
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.scope import scope_for
from gridsales.core.views import can, scoped_object
from gridsales.incentives import services
from gridsales.incentives.choices import DisputeStatus
from gridsales.incentives.models import (
    FINANCE_ROLES,
    CommissionRun,
    Dispute,
    Statement,
    StatementLine,
)
from gridsales.incentives.xlsx import XLSX, export_run, export_statement

RUN_STEPS = {
    "calculate": lambda run, user: services.commission_run_calculate(run=run),
    "approve": lambda run, user: services.commission_run_approve(run=run, user=user),
    "pay": lambda run, user: services.commission_run_pay(run=run, user=user),
}


class RunListView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/run_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        runs = CommissionRun.objects.restrict(user, "view").order_by("-period")
        own = Statement.objects.filter(rep=user).select_related("run").order_by("-run__period")
        return {
            **super().get_context_data(**kwargs),
            "runs": runs,
            "own": own,
            "can_create": can_finance(user),
        }

    def post(self, request):
        if not can_finance(request.user):
            raise PermissionDenied
        try:
            run = services.commission_run_create(period=request.POST.get("period", ""))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("incentives:run-list")
        return redirect("incentives:run", run.pk)


def can_finance(user) -> bool:
    """Finance, directors and admins run commissions."""
    return scope_for(user).role in FINANCE_ROLES


class RunDetailView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/run_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        run = scoped_object(user, CommissionRun, pk=self.kwargs["pk"])
        statements = (
            Statement.objects.restrict(user, "view")
            .filter(run=run)
            .select_related("rep", "grid")
            .order_by("rep__username")
        )
        return {
            **super().get_context_data(**kwargs),
            "run": run,
            "statements": statements,
            "warnings": [services.warning_text(w) for w in run.warnings],
            "can_act": can(user, run, "change"),
        }


class RunStepView(LoginRequiredMixin, View):
    def post(self, request, pk, step):
        run = scoped_object(request.user, CommissionRun, "change", pk=pk)
        if step not in RUN_STEPS:
            raise PermissionDenied
        try:
            with transaction.atomic():
                RUN_STEPS[step](run, request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("incentives:run", pk)


class PayrollView(LoginRequiredMixin, View):
    """The payroll file of a run: one row per rep with the amount to pay (finance)."""

    def get(self, request, pk):
        run = scoped_object(request.user, CommissionRun, "change", pk=pk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="payroll-{run.period}.csv"'
        response.write("\ufeff")  # Excel opens UTF-8 with a BOM
        writer = csv.writer(response)
        writer.writerow(["period", "username", "name", "employee_no", "grid", "total", "status"])
        statements = (
            Statement.objects.filter(run=run)
            .select_related("rep__rep_profile", "grid")
            .order_by("rep__username")
        )
        for s in statements:
            profile = getattr(s.rep, "rep_profile", None)
            writer.writerow(
                [
                    run.period,
                    s.rep.username,
                    s.rep.get_full_name() or getattr(s.rep, "display_name", ""),
                    getattr(profile, "employee_no", "") if profile else "",
                    s.grid.code if s.grid else "",
                    f"{s.total:.2f}",
                    run.status,
                ]
            )
        return response


class RunExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        run = scoped_object(request.user, CommissionRun, pk=pk)
        response = HttpResponse(export_run(request.user, run), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="commissions-{run.period}.xlsx"'
        return response


class StatementExportView(LoginRequiredMixin, View):
    def get(self, request, pk):
        statement = scoped_object(request.user, Statement, pk=pk)
        response = HttpResponse(export_statement(statement), content_type=XLSX)
        name = f"statement-{statement.run.period}-{statement.rep.username}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class StatementView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/statement.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        statement = scoped_object(user, Statement, pk=self.kwargs["pk"])
        lines = list(statement.lines.order_by("position"))
        disputes = list(
            Dispute.objects.filter(statement=statement).select_related("raised_by", "resolved_by")
        )
        open_lines = {d.line_id for d in disputes if d.status == DisputeStatus.OPEN}
        return {
            **super().get_context_data(**kwargs),
            "statement": statement,
            "lines": lines,
            "disputes": disputes,
            "open_lines": open_lines,
            "is_own": statement.rep_id == user.pk,
            "can_resolve": can_finance(user),
        }


class DisputeOpenView(LoginRequiredMixin, View):
    def post(self, request, pk):
        line = scoped_object(request.user, StatementLine, pk=pk)
        try:
            services.dispute_open(
                line=line, user=request.user, message=request.POST.get("message", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Your dispute was sent to finance."))
        return redirect("incentives:statement", line.statement_id)


class DisputeResolveView(LoginRequiredMixin, View):
    def post(self, request, pk, decision):
        if decision not in ("accept", "reject"):
            raise Http404
        dispute = scoped_object(request.user, Dispute, "change", pk=pk)
        resolution = request.POST.get("resolution", "")
        try:
            if decision == "accept":
                try:
                    amount = Decimal(request.POST.get("amount", ""))
                except InvalidOperation:
                    raise ValidationError(
                        _("{value} is not an amount.").format(value=request.POST.get("amount"))
                    ) from None
                services.dispute_accept(
                    dispute=dispute, amount=amount, resolution=resolution, user=request.user
                )
            else:
                services.dispute_reject(dispute=dispute, resolution=resolution, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("incentives:statement", dispute.statement_id)
