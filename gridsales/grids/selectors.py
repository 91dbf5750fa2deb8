"""Reads of the grid tree, always scoped by user."""

from collections import Counter

from django.db.models import Count

from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


def grid_list(*, user, action: str = "view"):
    """Grids the user may see (with their number of sub-grids)."""
    return (
        Grid.objects.restrict(user, action)
        .select_related("parent")
        .annotate(children_count=Count("children", distinct=True))
    )


def subtree_customer_counts() -> Counter:
    """{grid path: customers in that grid's whole subtree}, for every grid with customers.

    One grouped query over the customers' grids, rolled up to each ancestor in Python
    (a path holds at most 10 ids). Correlated subtree subqueries took 19 s for /grids/
    with 3,000 hexagon grids on SQLite; this takes milliseconds. Every customer of a grid
    a user can see is visible to that user, so the counts need no per-user scoping.
    """
    counts: Counter = Counter()
    rows = (
        Customer.objects.filter(current_grid__isnull=False)
        .order_by()
        .values_list("current_grid__path")
        .annotate(n=Count("pk"))
    )
    for path, n in rows:
        prefix = "/"
        for part in path.strip("/").split("/"):
            prefix += part + "/"
            counts[prefix] += n
    return counts


def with_customer_counts(grids, counts: Counter | None = None) -> list[Grid]:
    """The grids as a list, each with `customer_count` (its subtree's customers)."""
    counts = subtree_customer_counts() if counts is None else counts
    grids = list(grids)
    for grid in grids:
        grid.customer_count = counts.get(grid.path, 0)
    return grids
