from gridsales.core.api import ScopedModelViewSet
from gridsales.grids import services
from gridsales.grids.api.serializers import GridSerializer
from gridsales.grids.filtersets import GridFilterSet
from gridsales.grids.models import Grid
from gridsales.grids.selectors import grid_list, subtree_customer_counts, with_customer_counts


class GridViewSet(ScopedModelViewSet):
    """The grid tree. `?grid=CODE` returns that grid's subtree."""

    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    ordering_fields = ["code", "name", "path", "depth"]
    ordering = ["path"]

    def get_queryset(self):
        return grid_list(user=self.request.user)

    def filter_queryset(self, queryset):
        """`?ordering=[-]customer_count[,…]` sorts in Python: the count is not a column.

        OrderingFilter drops the unknown key and orders by the rest; a stable sort by the
        count then keeps that order among equal counts.
        """
        queryset = super().filter_queryset(queryset)
        keys = [k.strip() for k in self.request.query_params.get("ordering", "").split(",")]
        if self.action != "list" or not keys or keys[0].lstrip("-") != "customer_count":
            return queryset
        grids = with_customer_counts(queryset)
        grids.sort(key=lambda g: g.customer_count, reverse=keys[0].startswith("-"))
        return grids

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request is not None and self.request.method == "GET":
            context["customer_counts"] = subtree_customer_counts()
        return context

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            return services.grid_create(**data)
        parent_set = "parent" in data
        parent = data.pop("parent", None)
        return services.grid_update(
            grid=serializer.instance, parent=parent, parent_set=parent_set, **data
        )

    def perform_remove(self, instance):
        services.grid_delete(grid=instance)
