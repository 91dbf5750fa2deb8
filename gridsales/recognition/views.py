"""Recognition pages: leaderboards (reps or grids by any KPI and period, in the user's
scope, CSV/XLSX), the award history, award types (directors and admins), manual awards
(directors, admins, and managers for their grids' reps) and the rules run button
(directors and admins)."""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.core.scope import scope_for
from gridsales.core.views import ServiceFormView, can, scoped_object
from gridsales.grids.models import Grid
from gridsales.recognition import services
from gridsales.recognition.forms import AwardGiveForm, AwardTypeForm, RulesRunForm
from gridsales.recognition.leaderboards import (
    METRIC_LABELS,
    BoardError,
    leaderboard,
    metric_choices,
    parse_board_period,
)
from gridsales.recognition.models import Award, AwardType
from gridsales.recognition.selectors import awards_visible, recent_awards

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_manage_types(user) -> bool:
    """Directors and admins manage award types and run the rules."""
    return scope_for(user).write_all


def can_give(user) -> bool:
    scope = scope_for(user)
    return scope.write_all or bool(scope.is_manager and scope.write_paths)


class LeaderboardView(LoginRequiredMixin, TemplateView):
    template_name = "recognition/leaderboard.html"

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx") and context["board"] is not None:
            return export_board(context["board"], fmt)
        return self.render_to_response(context, status=400 if context["errors"] else 200)

    def get_context_data(self, **kwargs):
        user, params = self.request.user, self.request.GET
        errors = {}
        metric = params.get("metric") or "revenue"
        by = params.get("by") or "rep"
        grids = list(Grid.objects.restrict(user, "view").order_by("path"))
        grid = None
        if params.get("grid"):
            grid = next((g for g in grids if g.code == params["grid"]), None)
            if grid is None:
                errors["grid"] = _("No grid with the code “{value}” among yours.").format(
                    value=params["grid"]
                )
        board = None
        try:
            period = parse_board_period(params.get("period"))
            if not errors:
                board = leaderboard(user, metric=metric, period=period, by=by, grid=grid)
        except BoardError as exc:
            errors[exc.field] = exc.message
        chart = None
        if board is not None and board.rows:
            ranked = [r for r in board.rows if r["rank"] is not None][:15]
            chart = {
                "labels": [r["label"] for r in ranked],
                "values": [str(r["number"]) for r in ranked],
                "name": str(METRIC_LABELS.get(metric, metric)),
            }
        return {
            **super().get_context_data(**kwargs),
            "board": board,
            "chart": chart,
            "errors": errors,
            "metric": metric,
            "metric_label": METRIC_LABELS.get(metric, metric),
            "metrics": metric_choices(),
            "by": by,
            "period_text": params.get("period") or (board.period.label if board else ""),
            "grids": grids,
            "grid_code": params.get("grid") or (board.grid.code if board and board.grid else ""),
            "recent": recent_awards(user, 8),
            "can_give": can_give(user),
            "can_manage": can_manage_types(user),
            "section": "recognition",
        }


def export_board(board, fmt: str) -> HttpResponse:
    headers = [
        _("Rank"),
        _("Rep") if board.by == "rep" else _("Grid"),
        _("Name"),
        str(METRIC_LABELS.get(board.metric, board.metric)),
    ]
    rows = [
        [row["rank"] or "", row["key"], row["label"], "" if row["value"] is None else row["value"]]
        for row in board.rows
    ]
    stream = io.BytesIO()
    name = f"leaderboard-{board.by}-{board.metric}-{board.period.label}"
    if fmt == "xlsx":
        write_xlsx(stream, headers, rows, title=board.metric)
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
    else:
        write_csv(stream, headers, rows)
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class AwardListView(LoginRequiredMixin, TemplateView):
    template_name = "recognition/award_list.html"

    def get(self, request, *args, **kwargs):
        awards = awards_visible(request.user)
        params = request.GET
        if params.get("type"):
            awards = awards.filter(award_type__code=params["type"])
        if params.get("period"):
            awards = awards.filter(period=params["period"].strip().upper())
        if params.get("rep"):
            awards = awards.filter(rep__username=params["rep"])
        fmt = params.get("format")
        if fmt in ("csv", "xlsx"):
            return export_awards(awards, fmt)
        page = Paginator(awards, 50).get_page(params.get("page"))
        context = self.get_context_data(
            page_obj=page,
            awards=page.object_list,
            types=AwardType.objects.order_by("name"),
            is_filtered=any(params.get(k) for k in ("type", "period", "rep")),
            can_give=can_give(request.user),
            can_manage=can_manage_types(request.user),
            revocable=set(
                Award.objects.restrict(request.user, "delete")
                .filter(pk__in=[a.pk for a in page.object_list])
                .values_list("pk", flat=True)
            ),
            run_form=RulesRunForm(),
            section="recognition",
        )
        return self.render_to_response(context)


def export_awards(awards, fmt: str) -> HttpResponse:
    headers = [_("Period"), _("Award"), _("Rep"), _("Grid"), _("Rank"), _("Citation"), _("Source")]
    rows = [
        [
            a.period,
            a.award_type.name,
            a.rep.username,
            a.grid.code if a.grid else "",
            a.rank or "",
            a.citation,
            a.get_source_display(),
        ]
        for a in awards
    ]
    stream = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(stream, headers, rows, title="awards")
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
    else:
        write_csv(stream, headers, rows)
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="awards.{fmt}"'
    return response


class AwardGiveView(LoginRequiredMixin, TemplateView):
    template_name = "recognition/award_form.html"

    def _render(self, form, status=200):
        return self.render_to_response(
            self.get_context_data(form=form, section="recognition"), status=status
        )

    def get(self, request):
        if not can_give(request.user):
            raise PermissionDenied
        initial = {k: request.GET[k] for k in ("period", "rep", "award_type") if k in request.GET}
        return self._render(AwardGiveForm(user=request.user, initial=initial))

    def post(self, request):
        if not can_give(request.user):
            raise PermissionDenied
        form = AwardGiveForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    award = services.award_give(
                        award_type=data["award_type"],
                        rep=data["rep"],
                        period=data["period"],
                        citation=data["citation"],
                        user=request.user,
                    )
                    if not can(request.user, award, "add"):
                        raise PermissionDenied
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied:
                form.add_error(
                    "rep",
                    _("You give awards only to the reps of the grids you manage."),
                )
            else:
                messages.success(
                    request,
                    _("“{award}” given to {rep} for {period}.").format(
                        award=award.award_type.name, rep=award.rep, period=award.period
                    ),
                )
                return redirect("recognition:award-list")
        return self._render(form, status=400)


class AwardRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk):
        award = scoped_object(request.user, Award, "delete", pk=pk)
        services.award_revoke(award=award)
        messages.success(request, _("Award revoked: {award}").format(award=award))
        return redirect("recognition:award-list")


class RulesRunView(LoginRequiredMixin, View):
    """The rules run button (the same as `gridsales recognition award --period`)."""

    def post(self, request):
        if not can_manage_types(request.user):
            raise PermissionDenied
        form = RulesRunForm(request.POST)
        if form.is_valid():
            try:
                report = services.awards_by_rules(
                    period=form.cleaned_data["period"].strip().upper(), user=request.user
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                given = sum(len(r["given"]) for r in report)
                messages.success(
                    request,
                    _("Rules run for {period}: {count} new awards.").format(
                        period=form.cleaned_data["period"], count=given
                    ),
                )
        else:
            messages.error(request, _("Give a period such as 2026-03."))
        return redirect("recognition:award-list")


class AwardTypeListView(LoginRequiredMixin, TemplateView):
    template_name = "recognition/award_type_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "types": AwardType.objects.restrict(user, "view").order_by("name"),
            "labels": METRIC_LABELS,
            "can_manage": can_manage_types(user),
            "section": "recognition",
        }


class AwardTypeFormView(ServiceFormView):
    form_class = AwardTypeForm
    model = AwardType
    template_name = "recognition/award_type_form.html"

    def get_instance(self):
        if "pk" not in self.kwargs and not can_manage_types(self.request.user):
            raise PermissionDenied
        return super().get_instance()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "section": "recognition"}

    def save(self, form):
        data = {k: form.cleaned_data[k] for k in form.Meta.fields}
        if self.object is None:
            return services.award_type_create(**data)
        return services.award_type_update(award_type=self.object, **data)
