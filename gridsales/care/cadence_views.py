"""Care pages about contact cadences: the due/overdue list with its summaries, cadence
policies and follow-up rules.

Everyone signed in reads the policies and rules (they explain the lists); admins and
directors change them, managers the cadence policies of the grids they manage (403 for
the others).
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.urls import reverse
from django.views.generic import TemplateView

from gridsales.care import services
from gridsales.care.cadence import DUE_WITHIN_DAYS
from gridsales.care.contact_lists import contact_listing
from gridsales.care.filtersets import CadencePolicyFilterSet, FollowUpRuleFilterSet
from gridsales.care.forms import CadencePolicyForm, FollowUpRuleForm
from gridsales.care.models import CadencePolicy, FollowUpRule
from gridsales.care.selectors import summary_by_grid, summary_by_rep, summary_parent
from gridsales.core.scope import scope_for
from gridsales.core.views import PAGE_SIZES, ScopedListView, ServiceDeleteView, ServiceFormView


def page_size(request) -> int:
    try:
        size = int(request.GET.get("page_size", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    return size if size in PAGE_SIZES else PAGE_SIZES[0]


class ContactListView(LoginRequiredMixin, TemplateView):
    """/care/contacts/: customers overdue for a contact (or due within a week), with the
    counts by grid and by rep. Sorted by days overdue, the most overdue first."""

    template_name = "care/contact_list.html"
    table_template = "care/_contact_results.html"

    def get_template_names(self):
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return [self.table_template]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.request, self.request.user
        listing = contact_listing(
            user=user, params=request.GET, sort=request.GET.get("sort", ""), request=request
        )
        parent = summary_parent(user=user, grid=listing.grid)
        size = page_size(request)
        page = Paginator(listing.shown, size).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        with_due = request.GET.copy()
        with_due["state"] = "all"
        with_due.pop("page", None)
        context.update(
            filterset=listing.filterset,
            listing=listing,
            page_obj=page,
            objects=page.object_list,
            sort=listing.sort,
            query=query.urlencode(),
            sort_query=sort_query.urlencode(),
            export_query=request.GET.urlencode(),
            with_due_query=with_due.urlencode(),
            page_sizes=PAGE_SIZES,
            page_size=size,
            due_within=DUE_WITHIN_DAYS,
            is_filtered=any(
                v for k, v in request.GET.items() if k not in {"page", "sort", "page_size"}
            ),
            by_grid=summary_by_grid(listing.rows, user=user, parent=parent),
            by_rep=summary_by_rep(listing.rows),
            parent=parent,
        )
        return context


def _editable(model, user, objects) -> set[int]:
    pks = [o.pk for o in objects]
    return set(
        model.objects.restrict(user, "change").filter(pk__in=pks).values_list("pk", flat=True)
    )


class CadencePolicyListView(ScopedListView):
    model = CadencePolicy
    filterset_class = CadencePolicyFilterSet
    template_name = "care/policy_list.html"
    table_template = "care/_policy_table.html"
    sort_fields = {
        "tier": "tier",
        "grid": "grid__path",
        "industry": "industry",
        "interval": "interval_days",
    }
    default_sort = "tier"

    def get_queryset(self):
        return super().get_queryset().select_related("grid")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = context["scope"]
        context["can_create"] = scope.write_all or bool(scope.write_paths)
        context["editable"] = _editable(CadencePolicy, self.request.user, context["objects"])
        return context


class CadencePolicyFormView(ServiceFormView):
    model = CadencePolicy
    form_class = CadencePolicyForm
    template_name = "care/policy_form.html"

    def get_instance(self):
        scope = scope_for(self.request.user)
        if "pk" not in self.kwargs and not (scope.write_all or scope.write_paths):
            raise PermissionDenied  # only directors, admins and managers set cadences
        return super().get_instance()

    def save(self, form):
        return services.cadence_policy_save(
            policy=form.instance if form.instance.pk else None, **form.cleaned_data
        )

    def success_url(self, instance):
        return reverse("care:policy-list")


class CadencePolicyDeleteView(ServiceDeleteView):
    model = CadencePolicy

    def delete(self, instance) -> str:
        services.cadence_policy_delete(policy=instance)
        return reverse("care:policy-list")


class FollowUpRuleListView(ScopedListView):
    model = FollowUpRule
    filterset_class = FollowUpRuleFilterSet
    template_name = "care/rule_list.html"
    table_template = "care/_rule_table.html"
    sort_fields = {"name": "name", "trigger": "trigger", "delay": "delay_days"}
    default_sort = "trigger"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = context["scope"].write_all
        return context


class FollowUpRuleFormView(ServiceFormView):
    model = FollowUpRule
    form_class = FollowUpRuleForm
    template_name = "care/rule_form.html"

    def get_instance(self):
        if "pk" not in self.kwargs and not scope_for(self.request.user).write_all:
            raise PermissionDenied
        return super().get_instance()

    def save(self, form):
        return services.followup_rule_save(
            rule=form.instance if form.instance.pk else None, **form.cleaned_data
        )

    def success_url(self, instance):
        return reverse("care:rule-list")


class FollowUpRuleDeleteView(ServiceDeleteView):
    model = FollowUpRule

    def delete(self, instance) -> str:
        services.followup_rule_delete(rule=instance)
        return reverse("care:rule-list")
