from rest_framework import serializers

from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Customer
from gridsales.feedback.choices import FeedbackStatus
from gridsales.feedback.models import Feedback
from gridsales.grids.models import Grid


class FeedbackSerializer(serializers.ModelSerializer):
    grid = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
    customer = ScopedSlugRelatedField(
        slug_field="code", queryset=Customer.objects.all(), required=False, allow_null=True
    )
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "category",
            "text",
            "grid",
            "customer",
            "page",
            "status",
            "response",
            "author",
            "handled_by",
            "handled_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "response",
            "author",
            "handled_by",
            "handled_at",
            "created_at",
            "updated_at",
        ]


class FeedbackTriageSerializer(serializers.Serializer):
    # The service names the allowed steps in its message, so any text is accepted here.
    status = serializers.CharField(help_text=", ".join(FeedbackStatus.values[1:]))
    response = serializers.CharField(required=False, allow_blank=True, default="")
