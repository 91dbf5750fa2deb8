"""Feedback pages: the list (everything one sees, "my feedback"), raise, detail with the
triage form, edit and withdraw while new (docs/feedback.md)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.views import ScopedListView, ServiceDeleteView, can, scoped_object
from gridsales.feedback import services
from gridsales.feedback.filtersets import FeedbackFilterSet
from gridsales.feedback.forms import FeedbackForm, TriageForm
from gridsales.feedback.models import Feedback
from gridsales.feedback.templatetags.feedback import may_raise_feedback


class FeedbackListView(ScopedListView):
    model = Feedback
    filterset_class = FeedbackFilterSet
    template_name = "feedback/feedback_list.html"
    table_template = "feedback/_feedback_table.html"
    sort_fields = {
        "created": "created_at",
        "status": "status",
        "category": "category",
        "grid": "grid__code",
        "author": "author__username",
    }
    default_sort = "-created"

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "customer", "author")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(section="feedback", mine=self.request.GET.get("mine") == "true")
        return context


def _may_raise(user) -> bool:
    return may_raise_feedback(user)


def _safe_next(request, url: str) -> str:
    ok = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if url and ok else ""


class FeedbackFormView(LoginRequiredMixin, TemplateView):
    """Raise feedback (prefilled with ?grid=CODE&customer=CODE&page=URL) or, for its
    author while it is new, edit it."""

    template_name = "feedback/feedback_form.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return scoped_object(self.request.user, Feedback, "change", pk=self.kwargs["pk"])
        if not _may_raise(self.request.user):
            raise PermissionDenied  # read-only roles (analyst, finance) raise nothing
        return None

    def form(self, instance, data=None):
        initial = None
        if instance is None:
            params = self.request.GET
            initial = {
                "grid": params.get("grid", ""),
                "customer": params.get("customer", ""),
                "category": params.get("category", ""),
                "page": _safe_next(self.request, params.get("page", "")),
            }
        kwargs = {"initial": initial} if initial is not None else {}
        return FeedbackForm(data, user=self.request.user, instance=instance, **kwargs)

    def render(self, form, instance, status=200):
        cancel = (instance.get_absolute_url() if instance else "") or form["page"].value()
        context = self.get_context_data(
            form=form,
            object=instance,
            section="feedback",
            cancel_url=cancel or reverse("feedback:list"),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render(self.form(instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.form(instance, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "category": data["category"],
                "text": data["text"],
                "grid": data["grid"],
                "customer": data["customer"],
            }
            try:
                with transaction.atomic():
                    if instance is None:
                        saved = services.feedback_create(
                            author=request.user, page=data.get("page") or "", **fields
                        )
                    else:
                        saved = services.feedback_update(feedback=instance, **fields)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if instance is None:
                    messages.success(
                        request,
                        _("Thank you: your feedback #{number} is recorded.").format(
                            number=saved.pk
                        ),
                    )
                    back = _safe_next(request, data.get("page") or "")
                    return redirect(back or saved.get_absolute_url())
                messages.success(request, _("Saved."))
                return redirect(saved.get_absolute_url())
        return self.render(form, instance, status=400)


class FeedbackDetailView(LoginRequiredMixin, TemplateView):
    template_name = "feedback/feedback_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        feedback = kwargs.get("feedback") or scoped_object(
            user,
            Feedback,
            pk=self.kwargs["pk"],
        )
        may_triage = feedback.is_open and services.feedback_can_triage(user, feedback)
        context.update(
            section="feedback",
            object=feedback,
            can_edit=can(user, feedback, "change"),
            can_triage=may_triage,
            triage_form=kwargs.get("triage_form")
            or (
                TriageForm(initial={"status": "in_progress", "response": feedback.response})
                if may_triage
                else None
            ),
        )
        return context


class FeedbackTriageView(FeedbackDetailView):
    """POST: a manager of the item's grid sets its status and response."""

    def get(self, request, *args, **kwargs):
        return redirect("feedback:detail", pk=kwargs["pk"])

    def post(self, request, pk):
        feedback = scoped_object(request.user, Feedback, pk=pk)
        if not services.feedback_can_triage(request.user, feedback):
            raise PermissionDenied
        form = TriageForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.feedback_triage(
                        feedback=feedback, user=request.user, **form.cleaned_data
                    )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("The feedback is updated; its author sees it."))
                return redirect(feedback.get_absolute_url())
        feedback.refresh_from_db()
        context = self.get_context_data(feedback=feedback, triage_form=form)
        return self.render_to_response(context, status=400)


class FeedbackDeleteView(ServiceDeleteView):
    model = Feedback

    def delete(self, instance) -> str:
        services.feedback_delete(feedback=instance)
        return reverse("feedback:list") + "?mine=true"


class FeedbackRedirectView(LoginRequiredMixin, View):
    """/feedback/mine/: the author's own items."""

    def get(self, request):
        return redirect(reverse("feedback:list") + "?mine=true")
