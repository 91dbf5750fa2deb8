"""The due/overdue contact list as the page, its exports and the API build it: the user's
customers filtered by ContactStatusFilterSet, their cadence computed once, then the
state filter and the sort applied in Python (neither is a column)."""

from __future__ import annotations

import datetime as dt
import types
from dataclasses import dataclass

from gridsales.care.filtersets import ContactStatusFilterSet
from gridsales.care.selectors import ContactRow, contact_rows, rows_in_state, sort_rows
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


@dataclass
class ContactListing:
    filterset: ContactStatusFilterSet
    rows: list[ContactRow]  # every customer matching the filters, whatever its state
    shown: list[ContactRow]  # those in the chosen state, sorted
    state: str
    sort: str
    grid: Grid | None  # the ?grid= chosen, when the user sees it


def contact_listing(
    *,
    user,
    params,
    default_state: str = "overdue",
    sort: str = "",
    on: dt.date | None = None,
    request=None,
) -> ContactListing:
    """Filter, compute and sort the list for `user` from the query `params`; user None
    (the command line) sees every customer."""
    if request is None and user is not None:
        request = types.SimpleNamespace(user=user)
    customers = Customer.objects.all() if user is None else Customer.objects.restrict(user, "view")
    filterset = ContactStatusFilterSet(params or None, queryset=customers, request=request)
    customers = filterset.qs if filterset.is_bound else filterset.queryset
    cleaned = filterset.form.cleaned_data if filterset.is_bound and filterset.is_valid() else {}
    state = cleaned.get("state") or default_state
    grid = None
    if cleaned.get("grid"):
        grids = Grid.objects.all() if user is None else Grid.objects.restrict(user, "view")
        grid = grids.filter(code=cleaned["grid"]).first()
    rows = contact_rows(customers, on=on)
    shown, sort = sort_rows(rows_in_state(rows, state), sort)
    return ContactListing(filterset, rows, shown, state, sort, grid)
