"""Customer pages: list (search, filter, sort, paginate, export), detail, forms, contacts."""

from django.contrib.auth.mixins import LoginRequiredMixin
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
from gridsales.customers import services
from gridsales.customers.filtersets import CustomerFilterSet
from gridsales.customers.forms import ContactForm, CustomerForm
from gridsales.customers.models import Contact, Customer


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
        return super().get_queryset().select_related("owner", "current_grid")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Read-all roles (analyst, finance) see everything and change nothing.
        scope = context["scope"]
        context["can_create"] = scope.write_all or not scope.read_all
        return context


class CustomerExportView(CsvExportView):
    model = Customer
    filterset_class = CustomerFilterSet
    sort_fields = CustomerListView.sort_fields
    default_sort = "code"
    filename = "customers.csv"
    columns = [
        ("code", lambda c: c.code),
        ("name", lambda c: c.name),
        ("type", lambda c: c.type),
        ("industry", lambda c: c.industry),
        ("tier", lambda c: c.tier),
        ("status", lambda c: c.status),
        ("tags", lambda c: ",".join(c.tags)),
        ("address", lambda c: c.address),
        ("lat", lambda c: "" if c.lat is None else c.lat),
        ("lng", lambda c: "" if c.lng is None else c.lng),
        ("owner", lambda c: c.owner.username if c.owner else ""),
        ("grid_code", lambda c: c.current_grid.code if c.current_grid else ""),
    ]

    def get_queryset(self):
        return super().get_queryset().select_related("owner", "current_grid")


class CustomerDetailView(LoginRequiredMixin, TemplateView):
    template_name = "customers/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        customer = scoped_object(user, Customer, pk=self.kwargs["pk"])
        context.update(
            customer=customer,
            contacts=customer.contacts.all(),
            can_change=can(user, customer, "change"),
            can_delete=can(user, customer, "delete"),
        )
        return context


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
