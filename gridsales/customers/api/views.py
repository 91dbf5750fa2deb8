from django.db.models import Count

from gridsales.core.api import ScopedModelViewSet
from gridsales.core.scope import scope_for
from gridsales.customers import services
from gridsales.customers.api.serializers import ContactSerializer, CustomerSerializer
from gridsales.customers.filtersets import ContactFilterSet, CustomerFilterSet
from gridsales.customers.models import Contact, Customer


class CustomerViewSet(ScopedModelViewSet):
    """Customers in the caller's scope. `?grid=CODE` includes the grid's subtree."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    ordering_fields = ["code", "name", "tier", "status", "industry", "created_at", "updated_at"]
    ordering = ["code"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("owner", "current_grid")
            .annotate(contacts_count=Count("contacts"))
        )

    def perform_write(self, serializer):
        if serializer.instance is None:
            data = dict(serializer.validated_data)
            if "owner" not in data and not scope_for(self.request.user).read_all:
                # A rep or manager who leaves the owner out means "mine".
                data["owner"] = self.request.user
            return services.customer_create(**data)
        return services.customer_update(customer=serializer.instance, **serializer.validated_data)


class ContactViewSet(ScopedModelViewSet):
    """Contacts of customers in the caller's scope."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    ordering_fields = ["name", "customer__code"]
    ordering = ["customer__code", "-is_primary", "name"]

    def get_queryset(self):
        return super().get_queryset().select_related("customer")

    def perform_write(self, serializer):
        return services.contact_save(contact=serializer.instance, **serializer.validated_data)
