from gridsales.core.api import ScopedModelViewSet
from gridsales.grids import services
from gridsales.grids.api.serializers import GridSerializer
from gridsales.grids.filtersets import GridFilterSet
from gridsales.grids.models import Grid
from gridsales.grids.selectors import grid_list


class GridViewSet(ScopedModelViewSet):
    """The grid tree. `?grid=CODE` returns that grid's subtree."""

    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = GridFilterSet
    ordering_fields = ["code", "name", "path", "depth", "customer_count"]
    ordering = ["path"]

    def get_queryset(self):
        return grid_list(user=self.request.user)

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
