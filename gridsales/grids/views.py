"""Grid pages: list and detail (children, members, customer count, boundary map)."""

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView

from gridsales.care.cadence import overdue_count
from gridsales.core.views import ScopedListView, can, scoped_object
from gridsales.customers.models import Customer
from gridsales.grids.filtersets import GridFilterSet
from gridsales.grids.map_views import geometry_for_browser
from gridsales.grids.models import Grid
from gridsales.grids.selectors import grid_list, with_customer_counts
from gridsales.team.models import Membership


class GridListView(ScopedListView):
    model = Grid
    filterset_class = GridFilterSet
    template_name = "grids/grid_list.html"
    table_template = "grids/_grid_table.html"
    # "customers" is sorted in Python (see filtered): the count is not a database column.
    sort_fields = {"code": "code", "name": "name", "path": "path", "customers": "path"}
    default_sort = "path"

    def get_queryset(self):
        return grid_list(user=self.request.user)

    def filtered(self):
        grids = super().filtered()
        if self.sort.lstrip("-") != "customers":
            return grids
        return sorted(
            with_customer_counts(grids),
            key=lambda g: (g.customer_count, g.path),
            reverse=self.sort.startswith("-"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["objects"] = with_customer_counts(context["objects"])
        return context


class GridDetailView(LoginRequiredMixin, TemplateView):
    template_name = "grids/grid_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        grid = scoped_object(user, Grid, pk=self.kwargs["pk"])
        visible = Grid.objects.restrict(user, "view")
        children = with_customer_counts(grid_list(user=user).filter(parent=grid).order_by("code"))
        memberships = (
            Membership.objects.restrict(user, "view")
            .filter(grid=grid)
            .select_related("user")
            .order_by("-valid_to", "role", "user__username")
        )
        ancestors = visible.filter(pk__in=grid.ancestor_ids).order_by("depth")
        customers = Customer.objects.restrict(user, "view").filter(
            current_grid__path__startswith=grid.path
        )
        context.update(
            grid=grid,
            ancestors=ancestors,
            children=children,
            memberships=memberships,
            customer_count=customers.count(),
            # Two queries (the policies, the customers with their last contact): see
            # docs/care.md for the timing on the demo's 20,000 customers.
            overdue_contacts=overdue_count(customers),
            has_geometry=bool(grid.geometry),
            # In the tile source's coordinates (GCJ-02 when GRIDSALES_MAP_TILES_CRS=gcj02).
            map_geometry=geometry_for_browser(grid.geometry),
            map_tiles=settings.MAP_TILES,
            map_attribution=settings.MAP_ATTRIBUTION,
            can_change=can(user, grid, "change"),
        )
        return context
