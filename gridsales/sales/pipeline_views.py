"""Pipeline pages: pipelines and their stages (admins and directors), the Kanban board,
the deal list (filters, sort, export), a deal's page with its stage history, deal forms,
and the move endpoint the board posts to.

Everyone signed in sees the pipelines; deals follow OpportunityQuerySet (404 outside the
scope, 403 when visible but not changeable).
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.scope import scope_for
from gridsales.core.views import (
    ScopedListView,
    ServiceDeleteView,
    ServiceFormView,
    can,
    scoped_object,
)
from gridsales.sales import opportunities, pipelines
from gridsales.sales.models import Opportunity, Pipeline
from gridsales.sales.pipeline_filtersets import BoardFilterSet, OpportunityFilterSet
from gridsales.sales.pipeline_forms import (
    MoveForm,
    OpportunityForm,
    PipelineForm,
    StageFormSet,
    stage_rows,
)
from gridsales.sales.pipeline_io import OpportunityExporter
from gridsales.sales.pipeline_selectors import (
    board,
    stage_history,
    visible_opportunities,
    weighted,
)

CLOSED_DAYS = (30, 90, 365)  # choices of the board's "closed in the last … days"


class PipelineNav:
    """Marks the page as part of the Pipeline menu item."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["nav_pipeline"] = True
        context["kind_labels"] = pipelines.KIND_LABELS
        return context


def _writes_catalogue(user) -> bool:
    return scope_for(user).write_all


class PipelineListView(PipelineNav, LoginRequiredMixin, TemplateView):
    template_name = "sales/pipeline_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["pipelines"] = (
            Pipeline.objects.restrict(user, "view")
            .prefetch_related("stages")
            .annotate(deals=Count("opportunities"))
        )
        context["can_change"] = _writes_catalogue(user)
        return context


class PipelineFormView(PipelineNav, ServiceFormView):
    """A pipeline and its stage rows (position, name, probability, kind, delete)."""

    model = Pipeline
    form_class = PipelineForm
    template_name = "sales/pipeline_form.html"

    def get_instance(self):
        if "pk" not in self.kwargs:
            if not _writes_catalogue(self.request.user):
                raise PermissionDenied
            return None
        return scoped_object(self.request.user, Pipeline, "change", pk=self.kwargs["pk"])

    def get_formset(self, instance):
        if self.request.method == "POST":
            return StageFormSet(self.request.POST, prefix="stages", pipeline=instance)
        return StageFormSet(initial=stage_rows(instance), prefix="stages", pipeline=instance)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("formset", self.get_formset(self.object))
        return context

    def post(self, request, *args, **kwargs):
        instance = self.object = self.get_instance()
        form = self.get_form(instance)
        formset = self.get_formset(instance)
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    saved = self.save(form, formset)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Saved: {name}").format(name=saved))
                return redirect("sales:pipeline-list")
        context = self.get_context_data(form=form, formset=formset, object=instance)
        return self.render_to_response(context, status=400)

    def save(self, form, formset):
        data = form.cleaned_data
        if self.object is None:
            return pipelines.pipeline_create(**data, stages=formset.stages())
        pipeline = pipelines.pipeline_update(pipeline=self.object, **data)
        pipelines.pipeline_stages_set(pipeline=pipeline, stages=formset.stages())
        return pipeline


class PipelineDeleteView(ServiceDeleteView):
    model = Pipeline

    def delete(self, instance) -> str:
        pipelines.pipeline_delete(pipeline=instance)
        return reverse("sales:pipeline-list")


class DefaultBoardView(LoginRequiredMixin, View):
    """The Pipeline menu item: the default pipeline's board."""

    def get(self, request):
        pipeline = pipelines.default_pipeline()
        if pipeline is None:
            raise Http404
        return redirect("sales:board", pk=pipeline.pk)


def _closed_days(request) -> int | None:
    value = request.GET.get("closed_days", "")
    if value == "all":
        return None
    try:
        days = int(value)
    except ValueError:
        return 90
    return days if days in CLOSED_DAYS else 90


class BoardView(PipelineNav, LoginRequiredMixin, TemplateView):
    """The Kanban board of one pipeline; with htmx only the columns are rendered (filter
    changes, and the board script after a move)."""

    template_name = "sales/board.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["sales/_board_columns.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pipeline = scoped_object(user, Pipeline, pk=self.kwargs["pk"])
        filterset = BoardFilterSet(
            self.request.GET or None, queryset=visible_opportunities(user), request=self.request
        )
        deals = filterset.qs if filterset.is_bound else filterset.queryset
        closed_days = _closed_days(self.request)
        query = self.request.GET.copy()
        query.pop("closed_days", None)
        scope = scope_for(user)
        the_board = board(user, pipeline, deals, closed_days=closed_days)
        shown = [deal.pk for column in the_board.columns for deal in column.cards]
        movable = Opportunity.objects.restrict(user, "change").filter(pk__in=shown)
        context.update(
            pipeline=pipeline,
            pipelines=Pipeline.objects.restrict(user, "view").filter(is_active=True),
            board=the_board,
            movable=set(movable.values_list("pk", flat=True)),
            stages=list(pipeline.stages.order_by("position")),
            filterset=filterset,
            closed_days="all" if closed_days is None else closed_days,
            closed_choices=CLOSED_DAYS,
            list_query=query.urlencode(),
            today=timezone.localdate(),
            is_filtered=any(v for k, v in self.request.GET.items() if k != "closed_days"),
            can_create=scope.write_all or not scope.read_all,
            can_change_pipeline=_writes_catalogue(user),
        )
        return context


class OpportunityListView(PipelineNav, ScopedListView):
    model = Opportunity
    filterset_class = OpportunityFilterSet
    template_name = "sales/opportunity_list.html"
    table_template = "sales/opportunity_list_table.html"
    sort_fields = {
        "name": "name",
        "customer": "customer__code",
        "stage": "stage__position",
        "state": "state",
        "amount": "amount",
        "expected_close": "expected_close",
        "owner": "owner__username",
        "created": "created_at",
        "closed": "closed_on",
    }
    default_sort = "-created"

    def get_queryset(self):
        return (
            super().get_queryset().select_related("customer", "owner", "pipeline", "stage", "grid")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = context["scope"]
        context["objects"] = list(context["objects"])
        for deal in context["objects"]:
            deal.weighted_amount = weighted(deal.amount, deal.stage.probability)
        context["can_create"] = scope.write_all or not scope.read_all
        context["today"] = timezone.localdate()
        return context


class OpportunityExportView(LoginRequiredMixin, View):
    """The list's deals as CSV or XLSX, with the list's filters."""

    def get(self, request, fmt):
        exporter = OpportunityExporter()
        if fmt not in exporter.formats:
            raise Http404
        buffer = io.BytesIO()
        exporter.write(user=request.user, fmt=fmt, stream=buffer, params=request.GET)
        response = HttpResponse(buffer.getvalue(), content_type=exporter.content_types[fmt])
        response["Content-Disposition"] = f'attachment; filename="opportunities.{fmt}"'
        return response


def _activity_rows(user, deal) -> list[tuple]:
    """(activity, its page or "") of the deal's activities the user may see."""
    from gridsales.activities.models import Activity

    rows = []
    for activity in (
        Activity.objects.restrict(user, "view").filter(opportunity=deal).select_related("owner")
    ):
        try:
            url = activity.get_absolute_url()
        except NoReverseMatch:  # the activity pages are not wired up yet
            url = ""
        rows.append((activity, url))
    return rows


class OpportunityDetailView(PipelineNav, LoginRequiredMixin, TemplateView):
    template_name = "sales/opportunity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        deal = scoped_object(user, Opportunity, pk=self.kwargs["pk"])
        history, days = stage_history(deal)
        can_change = can(user, deal, "change")
        context.update(
            deal=deal,
            weighted=weighted(deal.amount, deal.stage.probability),
            history=history,
            stage_days=days,
            activities=_activity_rows(user, deal),
            can_change=can_change,
            can_delete=can(user, deal, "delete"),
            move_form=MoveForm(opportunity=deal) if can_change else None,
            stages=list(deal.pipeline.stages.order_by("position")),
            today=timezone.localdate(),
        )
        return context


class OpportunityCreateView(PipelineNav, ServiceFormView):
    model = Opportunity
    form_class = OpportunityForm
    template_name = "sales/opportunity_form.html"

    def get_form(self, instance):
        form = super().get_form(instance)
        if self.request.method == "GET":
            form.initial.setdefault("owner", self.request.user.pk)
            if self.request.GET.get("stage", "").isdigit():
                form.initial["stage"] = int(self.request.GET["stage"])
        return form

    def save(self, form):
        return opportunities.opportunity_create(user=self.request.user, **form.cleaned_data)


class OpportunityUpdateView(PipelineNav, ServiceFormView):
    model = Opportunity
    form_class = OpportunityForm
    template_name = "sales/opportunity_form.html"

    def save(self, form):
        return opportunities.opportunity_update(opportunity=form.instance, **form.cleaned_data)


class OpportunityDeleteView(ServiceDeleteView):
    model = Opportunity

    def delete(self, instance) -> str:
        pipeline = instance.pipeline
        opportunities.opportunity_delete(opportunity=instance)
        return reverse("sales:board", args=[pipeline.pk])


class OpportunityMoveView(LoginRequiredMixin, View):
    """POST stage (+ loss_reason): the board's drag and drop and stage selects, and the
    deal page's move form. Answers JSON to the board script, otherwise redirects back
    with a message."""

    def post(self, request, pk):
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            deal = scoped_object(request.user, Opportunity, "change", pk=pk)
        except Http404:
            if wants_json:
                return JsonResponse({"error": _("This deal does not exist.")}, status=404)
            raise
        except PermissionDenied:
            if wants_json:
                return JsonResponse({"error": _("You may not move this deal.")}, status=403)
            raise
        form = MoveForm(request.POST, opportunity=deal)
        error = None
        if form.is_valid():
            try:
                with transaction.atomic():
                    opportunities.opportunity_move(
                        opportunity=deal, user=request.user, **form.cleaned_data
                    )
            except ValidationError as exc:
                error = " ".join(exc.messages)
        else:
            error = " ".join(e for errors in form.errors.values() for e in errors)
        if wants_json:
            if error:
                return JsonResponse({"error": error}, status=400)
            deal.refresh_from_db()
            return JsonResponse(
                {
                    "id": deal.pk,
                    "stage": deal.stage_id,
                    "state": deal.state,
                    "message": _("“{deal}” moved to “{stage}”.").format(
                        deal=deal.name, stage=deal.stage.name
                    ),
                }
            )
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                _("“{deal}” moved to “{stage}”.").format(deal=deal.name, stage=deal.stage.name),
            )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = deal.get_absolute_url()
        return redirect(target)
