"""Customer pages: list (search, filter, sort, paginate, export), detail, forms, contacts."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from gridsales.core.views import (
    CsvExportView,
    ScopedListView,
    ServiceDeleteView,
    ServiceFormView,
    can,
    scoped_object,
)
from gridsales.customers import customer360, customer360_timeline, services
from gridsales.customers.filtersets import CustomerFilterSet
from gridsales.customers.forms import ContactForm, CustomerForm
from gridsales.customers.io import EXPORT_COLUMNS
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment


class CustomerListView(ScopedListView):
    model = Customer
    filterset_class = CustomerFilterSet
    template_name = "customers/customer_list.html"
    table_template = "customers/_customer_table.html"
    sort_fields = {
        "code": "code",
        "name": "name",
        "tier": "tier",
        "status": "status",
        "industry": "industry",
        "grid": "current_grid__code",
        "owner": "owner__username",
        "updated": "updated_at",
    }
    default_sort = "code"

    def get_queryset(self):
        # Customers in no grid show the nearest grid and distance of their open assignment.
        open_row = CustomerGridAssignment.objects.filter(
            customer=OuterRef("pk"), valid_to__isnull=True
        )
        return (
            super()
            .get_queryset()
            .select_related("owner", "current_grid")
            .annotate(
                nearest_code=Subquery(open_row.values("nearest_grid__code")[:1]),
                nearest_m=Subquery(open_row.values("distance_m")[:1]),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read-all roles (analyst, finance) see everything and change nothing.
        scope = context["scope"]
        context["can_create"] = scope.write_all or not scope.read_all
        context["can_import"] = scope.write_all or (scope.is_manager and bool(scope.write_paths))
        return context


class CustomerExportView(CsvExportView):
    model = Customer
    filterset_class = CustomerFilterSet
    sort_fields = CustomerListView.sort_fields
    default_sort = "code"
    filename = "customers.csv"
    columns = EXPORT_COLUMNS  # shared with `gridsales export customers` and the API

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "current_grid")


class CustomerDetailView(LoginRequiredMixin, TemplateView):
    """The customer 360 page: profile, key figures, timeline, tabs and quick actions.

    htmx requests get only the timeline: the chips swap the whole timeline, "load more"
    (with a `before` cursor) appends the next page. Without JavaScript the same links load
    the full page at that timeline state.
    """

    template_name = "customers/customer_detail.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        customer = customer360.customer_for(user, self.kwargs["pk"])
        page = customer360_timeline.timeline(
            customer, user, chip=request.GET.get("kind", ""), before=request.GET.get("before")
        )
        context = {"customer": customer, "timeline": page, "chips": customer360_timeline.CHIPS}
        if request.htmx and not request.htmx.boosted:
            partial = "_360_timeline_page" if request.GET.get("before") else "_360_timeline"
            return self.response_class(
                request, f"customers/{partial}.html", context, using=self.template_engine
            )
        assignments = customer.grid_assignments.select_related("grid", "nearest_grid").order_by(
            "-valid_from", "-pk"
        )[:50]
        can_change = can(user, customer, "change")
        context.update(
            contacts=customer.contacts.all(),
            assignments=assignments,
            current_assignment=next((a for a in assignments if a.valid_to is None), None),
            can_change=can_change,
            can_delete=can(user, customer, "delete"),
            figures=customer360.key_figures(customer, user),
            tabs=customer360.tabs(customer, user),
            actions=customer360.quick_actions(customer, user, can_change=can_change),
        )
        return self.render_to_response(self.get_context_data(**context))


class CustomerCreateView(ServiceFormView):
    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def get_form(self, instance):
        form = super().get_form(instance)
        if self.request.method == "GET":
            form.initial.setdefault("owner", self.request.user.pk)
        return form

    def save(self, form):
        return services.customer_create(**form.cleaned_data)


class CustomerUpdateView(ServiceFormView):
    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"

    def save(self, form):
        return services.customer_update(customer=form.instance, **form.cleaned_data)


class CustomerDeleteView(ServiceDeleteView):
    model = Customer

    def delete(self, instance) -> str:
        services.customer_delete(customer=instance)
        return reverse("customers:list")


class ContactCreateView(ServiceFormView):
    model = Contact
    form_class = ContactForm
    template_name = "customers/contact_form.html"
    title = _("New contact")

    def get_instance(self):
        self.customer = scoped_object(
            self.request.user, Customer, "change", pk=self.kwargs["customer_pk"]
        )
        return None

    def get_context_data(self, **kwargs):
        return super().get_context_data(customer=self.customer, **kwargs)

    def save(self, form):
        return services.contact_save(customer=self.customer, **form.cleaned_data)


class ContactUpdateView(ServiceFormView):
    model = Contact
    form_class = ContactForm
    template_name = "customers/contact_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = context["object"].customer
        return context

    def save(self, form):
        return services.contact_save(contact=form.instance, **form.cleaned_data)


class ContactDeleteView(ServiceDeleteView):
    model = Contact

    def delete(self, instance) -> str:
        services.contact_delete(contact=instance)
        return instance.customer.get_absolute_url()
