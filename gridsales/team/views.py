"""People pages: rep list and rep detail (profile, memberships with history, customers)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from gridsales.accounts.models import User
from gridsales.core.scope import scope_for
from gridsales.core.views import ScopedListView, ServiceFormView, can, scoped_object
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer
from gridsales.team import services
from gridsales.team.filtersets import RepFilterSet
from gridsales.team.forms import (
    MembershipEndForm,
    MembershipForm,
    PersonForm,
    grids_for_memberships,
)
from gridsales.team.models import Membership


class RepListView(ScopedListView):
    model = User
    filterset_class = RepFilterSet
    template_name = "team/rep_list.html"
    table_template = "team/_rep_table.html"
    sort_fields = {
        "username": "username",
        "name": "display_name",
        "role": "role",
        "employee_no": "rep_profile__employee_no",
        "customers": "customer_count",
    }
    default_sort = "username"

    def get_queryset(self):
        today = timezone.localdate()
        active = Q(memberships__valid_from__lte=today) & (
            Q(memberships__valid_to__isnull=True) | Q(memberships__valid_to__gte=today)
        )
        ids = User.objects.restrict(self.request.user, "view").values("pk")
        return (
            User.objects.filter(pk__in=ids)
            .select_related("rep_profile")
            .annotate(
                customer_count=Count("customers", distinct=True),
                grid_count=Count("memberships", filter=active, distinct=True),
            )
        )


class RepDetailView(LoginRequiredMixin, TemplateView):
    template_name = "team/rep_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        person = scoped_object(user, User, pk=self.kwargs["pk"])
        memberships = (
            Membership.objects.restrict(user, "view")
            .filter(user=person)
            .select_related("grid")
            .order_by("-valid_from")
        )
        customers = Customer.objects.restrict(user, "view").filter(owner=person)
        context.update(
            can_change=can(user, person, "change"),
            can_add_membership=grids_for_memberships(user).exists(),
            changeable_memberships={
                m.pk for m in Membership.objects.restrict(user, "change").filter(user=person)
            },
            person=person,
            profile=getattr(person, "rep_profile", None),
            memberships=memberships,
            today=timezone.localdate(),
            customer_count=customers.count(),
            customers_by_status=[
                {
                    "status": row["status"],
                    "status_label": CustomerStatus(row["status"]).label,
                    "n": row["n"],
                }
                for row in customers.order_by("status").values("status").annotate(n=Count("pk"))
            ],
        )
        return context


class PersonCreateView(ServiceFormView):
    """HQ (admins, directors) add people; everyone else gets 403."""

    model = User
    form_class = PersonForm
    template_name = "team/person_form.html"

    def get_instance(self):
        if not scope_for(self.request.user).write_all:
            raise PermissionDenied
        return None

    def save(self, form):
        data = dict(form.cleaned_data)
        services.ensure_may_manage_account(actor=self.request.user, account=None, role=data["role"])
        return services.rep_create(**data)


class PersonUpdateView(ServiceFormView):
    model = User
    form_class = PersonForm
    template_name = "team/person_form.html"

    def get_instance(self):
        person = super().get_instance()
        services.ensure_may_manage_account(actor=self.request.user, account=person, role=None)
        return person

    def save(self, form):
        data = dict(form.cleaned_data)
        services.ensure_may_manage_account(
            actor=self.request.user, account=form.instance, role=data["role"]
        )
        return services.rep_update(user=form.instance, **data)


class MembershipCreateView(ServiceFormView):
    """Put someone on a grid: HQ anywhere, managers in the grids they manage."""

    model = Membership
    form_class = MembershipForm
    template_name = "team/membership_form.html"

    def get_instance(self):
        if not grids_for_memberships(self.request.user).exists():
            raise PermissionDenied
        return None

    def get_form(self, instance):
        form = super().get_form(instance)
        for key in ("user", "grid"):
            if self.request.method == "GET" and self.request.GET.get(key, "").isdigit():
                form.initial[key] = int(self.request.GET[key])
        return form

    def save(self, form):
        return services.membership_create(**form.cleaned_data)


class MembershipEndView(ServiceFormView):
    """End a membership (it stays as history)."""

    model = Membership
    form_class = MembershipEndForm
    template_name = "team/membership_end.html"

    def get_form(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        return MembershipEndForm(data=data)

    def save(self, form):
        return services.membership_end(
            membership=self.object, valid_to=form.cleaned_data["valid_to"]
        )
