"""Reads about customers that other apps share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from gridsales.customers.models import Customer, CustomerGridAssignment

LOOKUP_CHUNK = 500


def _end_of(day: dt.date) -> dt.datetime:
    """The first instant after `day` in the current time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def grids_on(pairs) -> dict[tuple[int, dt.date], int | None]:
    """The grid each customer was in on each date: {(customer_id, date): grid_id or None}.

    The grid on a date is the one of the assignment in force at the end of that day (a
    customer moved during the day counts in its new grid). For a date before the customer's
    first recorded assignment — old orders of a customer assigned only later — the first
    assignment's grid is used; a customer without any history gives its current grid.
    One query per 500 customers, whatever the number of dates.
    """
    pairs = list(dict.fromkeys(pairs))
    customer_ids = sorted({customer_id for customer_id, _day in pairs})
    history: dict[int, list[tuple[dt.datetime, dt.datetime | None, int | None]]] = defaultdict(list)
    current: dict[int, int | None] = {}
    for start in range(0, len(customer_ids), LOOKUP_CHUNK):
        chunk = customer_ids[start : start + LOOKUP_CHUNK]
        rows = (
            CustomerGridAssignment.objects.filter(customer_id__in=chunk)
            .order_by("customer_id", "valid_from", "pk")
            .values_list("customer_id", "valid_from", "valid_to", "grid_id")
        )
        for customer_id, valid_from, valid_to, grid_id in rows.iterator():
            history[customer_id].append((valid_from, valid_to, grid_id))
        current.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "current_grid_id"))
    found: dict[tuple[int, dt.date], int | None] = {}
    for customer_id, day in pairs:
        stays = history.get(customer_id)
        if not stays:
            found[(customer_id, day)] = current.get(customer_id)
            continue
        moment = _end_of(day)
        grid_id = stays[0][2]  # before the first stay: the first grid
        for valid_from, valid_to, stay_grid in stays:
            if valid_from < moment and (valid_to is None or valid_to >= moment):
                grid_id = stay_grid
                break
            if valid_from < moment:
                grid_id = stay_grid  # the latest stay begun by then (a gap keeps it)
        found[(customer_id, day)] = grid_id
    return found
