from django.db import transaction
from django.db.models import Count
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.scope import scope_for
from gridsales.customers import services
from gridsales.customers.api.serializers import (
    ContactSerializer,
    CustomerGridAssignmentSerializer,
    CustomerPinSerializer,
    CustomerSerializer,
)
from gridsales.customers.filtersets import ContactFilterSet, CustomerFilterSet
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment


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

    def _repin(self, request, **fields):
        customer = self.get_object()
        ensure_allowed(request.user, customer, "change")
        with transaction.atomic():
            customer = services.customer_update(customer=customer, **fields)
            ensure_allowed(request.user, customer, "change")
        customer = self.get_queryset().get(pk=customer.pk)
        return Response(self.get_serializer(customer).data)

    @action(detail=True, methods=["post"], serializer_class=CustomerPinSerializer)
    def pin(self, request, pk=None):
        """Pin the customer to `grid` (default: its current grid): reassignment keeps it."""
        params = CustomerPinSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        fields = {"grid_pinned": True}
        if params.validated_data.get("grid") is not None:
            fields["current_grid"] = params.validated_data["grid"]
        self.serializer_class = CustomerSerializer
        return self._repin(request, **fields)

    @action(detail=True, methods=["post"], serializer_class=CustomerPinSerializer)
    def unpin(self, request, pk=None):
        """Unpin the customer and place it by its location and the segment rules again."""
        self.serializer_class = CustomerSerializer
        return self._repin(request, grid_pinned=False)


class CustomerGridAssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Customers' grid assignment history (`?customer=ID`), as visible as the customers."""

    queryset = CustomerGridAssignment.objects.all()
    serializer_class = CustomerGridAssignmentSerializer
    filterset_fields = ["customer", "reason"]
    ordering_fields = ["valid_from"]
    ordering = ["customer", "-valid_from", "-pk"]

    def get_queryset(self):
        return CustomerGridAssignment.objects.restrict(self.request.user, "view").select_related(
            "customer", "grid", "nearest_grid"
        )


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
