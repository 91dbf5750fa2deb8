"""Reads of the grid tree, always scoped by user."""

from django.db.models import Count, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce

from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


def grid_list(*, user, action: str = "view"):
    """Grids the user may see, with customer counts over each grid's whole subtree."""
    # Filter customers by the ids of the subtree's grids (not by their grid's path): the
    # database then walks the current_grid index per subtree instead of joining every
    # customer to its grid for every row of the list (4.5 s → well under 0.1 s at 20,000).
    subtree_ids = Grid.objects.filter(path__startswith=OuterRef(OuterRef("path"))).values("pk")
    customers = (
        Customer.objects.filter(current_grid_id__in=subtree_ids)
        .order_by()
        .annotate(c=Func(F("pk"), function="COUNT"))  # COUNT without GROUP BY
        .values("c")
    )
    return (
        Grid.objects.restrict(user, action)
        .select_related("parent")
        .annotate(
            customer_count=Coalesce(Subquery(customers[:1]), 0),
            children_count=Count("children", distinct=True),
        )
    )
