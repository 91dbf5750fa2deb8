"""Reads of the grid tree, always scoped by user."""

from django.db.models import Count, F, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce

from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


def grid_list(*, user, action: str = "view"):
    """Grids the user may see, with customer counts over each grid's whole subtree."""
    customers = (
        Customer.objects.filter(current_grid__path__startswith=OuterRef("path"))
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
