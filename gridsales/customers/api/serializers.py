from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment
from gridsales.grids.models import Grid


class CustomerSerializer(serializers.ModelSerializer):
    owner = ScopedSlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )
    current_grid = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False, max_length=30
    )
    contacts_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "type",
            "industry",
            "tier",
            "tags",
            "address",
            "lat",
            "lng",
            "source_crs",
            "status",
            "needs",
            "owner",
            "current_grid",
            "grid_pinned",
            "assignment_reason",
            "contacts_count",
            "created_at",
            "updated_at",
        ]
        # The assignment sets the reason; a grid given by hand pins the customer.
        read_only_fields = ["assignment_reason", "created_at", "updated_at"]


class ContactSerializer(serializers.ModelSerializer):
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "title",
            "phone",
            "email",
            "wechat_id",
            "is_primary",
            "note",
        ]


class CustomerGridAssignmentSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    nearest_grid = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = CustomerGridAssignment
        fields = [
            "id",
            "customer",
            "grid",
            "valid_from",
            "valid_to",
            "reason",
            "detail",
            "nearest_grid",
            "distance_m",
            "user_name",
        ]


class CustomerPinSerializer(serializers.Serializer):
    """POST .../pin/: pin to `grid` (a code; default: the current grid)."""

    grid = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
