"""Survey pages for signed-in users: templates (admins and directors change them), the
survey list and detail, sending a link, recording a visit's answers, withdrawing a link,
and the results per grid and period. The customer's own page is public_views."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.care import services
from gridsales.care.choices import SurveyChannel, SurveyStatus
from gridsales.care.filtersets import SurveyFilterSet, SurveyTemplateFilterSet
from gridsales.care.forms import (
    QuestionFormSet,
    ResultsForm,
    SurveyRecordForm,
    SurveyStartForm,
    SurveyTemplateForm,
    questions_from,
)
from gridsales.care.models import Survey, SurveyTemplate
from gridsales.care.selectors import parse_period, survey_list, survey_results
from gridsales.core.scope import scope_for
from gridsales.core.views import (
    ScopedListView,
    ServiceDeleteView,
    can,
    save_in_scope,
    scoped_object,
)
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


def _may_write(user) -> bool:
    """Read-only roles (analyst, finance) send and record nothing."""
    scope = scope_for(user)
    return scope.write_all or not scope.read_all


# Templates -------------------------------------------------------------------------------


class SurveyTemplateListView(ScopedListView):
    model = SurveyTemplate
    filterset_class = SurveyTemplateFilterSet
    template_name = "care/template_list.html"
    table_template = "care/_template_table.html"
    sort_fields = {"code": "code", "name": "name"}
    default_sort = "code"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = context["scope"].write_all
        return context


class SurveyTemplateDetailView(LoginRequiredMixin, TemplateView):
    template_name = "care/template_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        template = scoped_object(user, SurveyTemplate, pk=self.kwargs["pk"])
        context.update(
            template=template,
            questions=template.questions.order_by("position"),
            sent=Survey.objects.restrict(user, "view").filter(template=template).count(),
            can_change=can(user, template, "change"),
            can_delete=can(user, template, "delete"),
        )
        return context


class SurveyTemplateFormView(LoginRequiredMixin, TemplateView):
    """A template and its questions: one form and a formset, saved by one service call."""

    template_name = "care/template_form.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return scoped_object(self.request.user, SurveyTemplate, "change", pk=self.kwargs["pk"])
        if not scope_for(self.request.user).write_all:
            raise PermissionDenied
        return None

    def forms(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        form = SurveyTemplateForm(data=data, instance=instance, user=self.request.user)
        initial = None
        if instance is not None and data is None:
            initial = list(
                instance.questions.order_by("position").values("kind", "text", "required")
            )
        formset = QuestionFormSet(data=data, initial=initial, prefix="questions")
        return form, formset

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        form, formset = self.forms(instance)
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, object=instance)
        )

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form, formset = self.forms(instance)
        if form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    saved = services.survey_template_save(
                        template=instance, questions=questions_from(formset), **form.cleaned_data
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("care:template-detail", pk=saved.pk)
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, object=instance), status=400
        )


class SurveyTemplateDeleteView(ServiceDeleteView):
    model = SurveyTemplate

    def delete(self, instance) -> str:
        services.survey_template_delete(template=instance)
        return reverse("care:template-list")


# Surveys ---------------------------------------------------------------------------------


class SurveyListView(ScopedListView):
    model = Survey
    filterset_class = SurveyFilterSet
    template_name = "care/survey_list.html"
    table_template = "care/_survey_table.html"
    sort_fields = {
        "sent": "sent_at",
        "answered": "answered_at",
        "customer": "customer__code",
        "template": "template__code",
        "grid": "grid__code",
        "csat": "csat",
        "nps": "nps",
    }
    default_sort = "-sent"

    def get_queryset(self):
        return survey_list(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_send"] = _may_write(self.request.user)
        context["now"] = timezone.now()
        return context


class SurveyDetailView(LoginRequiredMixin, TemplateView):
    template_name = "care/survey_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        survey = scoped_object(user, Survey, pk=self.kwargs["pk"])
        waiting = survey.status == SurveyStatus.SENT
        expired = waiting and survey.expires_at is not None and survey.expires_at <= timezone.now()
        can_revoke = waiting and can(user, survey, "change")
        # The token is the key to the customer's page: only those who may withdraw it see it.
        link = None
        if can_revoke and not expired and survey.token:
            link = self.request.build_absolute_uri(reverse("survey-public", args=[survey.token]))
        context.update(
            survey=survey,
            answers=survey.answers.select_related("question").order_by("question__position"),
            expired=expired,
            link=link,
            can_revoke=can_revoke,
        )
        return context


class SurveyStartView(LoginRequiredMixin, TemplateView):
    """Shared by sending and recording: the customer comes from ?customer=<id> (the
    customer page, the contact list) or is typed by code."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _may_write(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def customer(self):
        pk = self.request.GET.get("customer", "")
        if not pk.isdigit():
            return None
        return Customer.objects.restrict(self.request.user, "view").filter(pk=pk).first()

    def initial(self, customer):
        template = SurveyTemplate.objects.filter(
            pk=self.request.GET.get("template") or 0, is_active=True
        ).first()
        return {
            "customer": customer.code if customer else "",
            "template": template.pk if template else None,
        }

    def render_form(self, form, status=200):
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def saved(self, form, make):
        """Run `make()` (a service) in a transaction; roll back when the result is outside
        what the user may add. Returns the survey, or None with errors on the form."""
        return save_in_scope(self.request.user, form, make, "add")


class SurveySendView(SurveyStartView):
    template_name = "care/survey_send.html"

    def get(self, request, *args, **kwargs):
        customer = self.customer()
        form = SurveyStartForm(user=request.user, customer=customer, initial=self.initial(customer))
        return self.render_form(form)

    def post(self, request, *args, **kwargs):
        customer = self.customer()
        form = SurveyStartForm(data=request.POST, user=request.user, customer=customer)
        if form.is_valid():
            data = form.cleaned_data
            survey = self.saved(
                form,
                lambda: services.survey_send(
                    template=data["template"],
                    customer=data["customer"],
                    contact=data.get("contact"),
                    user=request.user,
                ),
            )
            if survey is not None:
                messages.success(request, _("The survey link is ready: copy it and send it."))
                return redirect(survey.get_absolute_url())
        return self.render_form(form, status=400)


class SurveyRecordView(SurveyStartView):
    """Answers taken during a visit. Step one picks the template (GET ?template=); the
    questions then appear, the same as on the customer's link."""

    template_name = "care/survey_record.html"

    def template(self, data):
        pk = data.get("template") or ""
        if not str(pk).isdigit():
            return None
        return SurveyTemplate.objects.filter(pk=pk, is_active=True).first()

    def make_form(self, data=None):
        customer = self.customer()
        template = self.template(data if data is not None else self.request.GET)
        questions = template.questions.order_by("position") if template else ()
        form = SurveyRecordForm(
            data=data,
            user=self.request.user,
            customer=customer,
            questions=questions,
            initial=self.initial(customer),
        )
        return form, template

    def get(self, request, *args, **kwargs):
        form, template = self.make_form()
        return self.render_to_response(self.get_context_data(form=form, chosen=template))

    def post(self, request, *args, **kwargs):
        form, template = self.make_form(request.POST)
        if form.is_valid() and template is not None:
            data = form.cleaned_data
            survey = self.saved(
                form,
                lambda: services.survey_record(
                    template=data["template"],
                    customer=data["customer"],
                    contact=data.get("contact"),
                    activity=data.get("activity"),
                    answers=form.answer_values(),
                    user=request.user,
                ),
            )
            if survey is not None:
                messages.success(request, _("The answers are recorded."))
                return redirect(survey.get_absolute_url())
        return self.render_to_response(
            self.get_context_data(form=form, chosen=template), status=400
        )


class SurveyRevokeView(LoginRequiredMixin, View):
    """POST: withdraw the link (the sender and the managers of the customer's grid)."""

    def post(self, request, pk):
        survey = scoped_object(request.user, Survey, "change", pk=pk)
        try:
            services.survey_revoke(survey=survey)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The survey link is withdrawn: it no longer opens."))
        return redirect(survey.get_absolute_url())


class SurveyResultsView(LoginRequiredMixin, TemplateView):
    """Results of a grid (with its sub-grids) and a period: responses, mean CSAT, NPS, a line
    per sub-grid and the comments. Default: the current month, all the user's surveys."""

    template_name = "care/survey_results.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        form = ResultsForm(self.request.GET or None)
        grid, start, end = None, today.replace(day=1), today
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            if data["grid"]:
                grid = Grid.objects.restrict(user, "view").filter(code=data["grid"]).first()
                if grid is None:
                    form.add_error(
                        "grid",
                        _("No grid with the code “{value}” among yours.").format(
                            value=data["grid"]
                        ),
                    )
            if data["period"]:
                try:
                    start, end = parse_period(data["period"])
                except ValidationError as exc:
                    form.add_error("period", exc)
            elif data["date_from"] or data["date_to"]:
                start = data["date_from"] or dt.date(today.year, 1, 1)
                end = data["date_to"] or today
        if form.is_bound and form.errors:
            context.update(form=form, results=None)
            return context
        context.update(
            form=form,
            results=survey_results(user=user, grid=grid, start=start, end=end),
            channels=SurveyChannel,
        )
        return context
