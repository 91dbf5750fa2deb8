"""API endpoints of the core app: the audit log."""

from rest_framework import serializers, viewsets

from gridsales.core.models import ObjectChange


class ObjectChangeSerializer(serializers.ModelSerializer):
    content_type = serializers.SerializerMethodField()

    class Meta:
        model = ObjectChange
        fields = [
            "id",
            "time",
            "user_name",
            "request_id",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "before",
            "after",
        ]

    def get_content_type(self, change) -> str:
        return f"{change.content_type.app_label}.{change.content_type.model}"


class ObjectChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """The global audit log (admins only; everyone else gets an empty list / 404)."""

    queryset = ObjectChange.objects.all()
    serializer_class = ObjectChangeSerializer
    filterset_fields = ["action", "request_id", "object_id", "user_name"]
    ordering_fields = ["time"]

    def get_queryset(self):
        return ObjectChange.objects.restrict(self.request.user, "view").select_related(
            "content_type"
        )
