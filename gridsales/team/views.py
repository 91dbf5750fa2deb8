"""People pages: rep list and rep detail (profile, memberships with history, customers)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.utils import timezone
from django.views.generic import TemplateView

from gridsales.accounts.models import User
from gridsales.core.views import ScopedListView, scoped_object
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer
from gridsales.team.filtersets import RepFilterSet
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
