from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Contact, Customer
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
            "owner",
            "current_grid",
            "assignment_reason",
            "contacts_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


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
