from rest_framework import serializers

from gridsales.core.api import ScopedSlugRelatedField
from gridsales.grids.models import Grid


class GridSerializer(serializers.ModelSerializer):
    parent = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
    bbox = serializers.SerializerMethodField()
    customer_count = serializers.SerializerMethodField()
    children_count = serializers.IntegerField(read_only=True, default=None)

    class Meta:
        model = Grid
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "path",
            "depth",
            "is_leaf",
            "level",
            "kind",
            "status",
            "description",
            "geometry",
            "bbox",
            "segment_rules",
            "customer_count",
            "children_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["path", "depth", "is_leaf", "created_at", "updated_at"]

    def get_customer_count(self, grid) -> int:
        """Customers in the grid's whole subtree (counts computed once per request)."""
        counts = self.context.get("customer_counts")
        return counts.get(grid.path, 0) if counts is not None else 0

    def get_bbox(self, grid) -> list[float] | None:
        if grid.min_lng is None:
            return None
        return [grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat]
