"""Placing one customer on save (customers.services): decide, pin, record history.

The single-save side of gridsales.grids.assignment: reads only the grids whose bounding
box contains the customer (widening the window for the nearest grid when none does), and
writes one history row through the ORM (the customer's own save is audited as usual).
"""

from __future__ import annotations

import numpy as np
from django.db.models import Q
from django.utils import timezone

from gridsales.core.context import current_user
from gridsales.customers.choices import AssignmentReason
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.grids import segments
from gridsales.grids.assignment import (
    PLACEMENT_FIELDS,
    SEGMENT_FIELDS,
    Decision,
    _load_grids,
    _outside,
    _who,
)
from gridsales.grids.models import Grid
from gridsales.grids.spatial import locate_exact

_NEAREST_WINDOWS = (0.05, 0.5, 5.0)  # degrees around a point to look for the nearest grid


def _near_window(lng: float, lat: float) -> Q:
    """Geo grids whose bbox contains the point (the candidates for a single save)."""
    return Q(min_lng__lte=lng, max_lng__gte=lng, min_lat__lte=lat, max_lat__gte=lat)


def _box(lng: float, lat: float, d: float) -> Q:
    return Q(min_lng__lte=lng + d, max_lng__gte=lng - d, min_lat__lte=lat + d, max_lat__gte=lat - d)


def _customer_values(customer: Customer) -> dict:
    values = {f: getattr(customer, f) for f in SEGMENT_FIELDS}
    values["owner"] = customer.owner.username if customer.owner_id else ""
    return values


def decide_one(customer: Customer) -> Decision | None:
    """Where an unpinned customer belongs, reading only the candidate grids.

    None: no coordinates and no rule matches — nothing to decide, keep the grid.
    """
    seg_grids = _load_grids(geo_filter=Q(pk__in=[]))
    if seg_grids.segments:
        hit = segments.first_match(seg_grids.segments, _customer_values(customer))
        if hit is not None:
            return Decision(hit, AssignmentReason.RULE, f"rules of {seg_grids.codes[hit]}")
    if customer.lat is None or customer.lng is None:
        return None
    lng, lat = np.array([customer.lng]), np.array([customer.lat])
    grids = _load_grids(geo_filter=_near_window(customer.lng, customer.lat))
    if len(grids.geo_ids):
        i = int(locate_exact(grids.polygons, lng, lat)[0])
        if i >= 0:
            gid = int(grids.geo_ids[i])
            return Decision(gid, AssignmentReason.POLYGON, f"inside {grids.codes[gid]}")
    for d in (*_NEAREST_WINDOWS, None):
        window = None if d is None else _box(customer.lng, customer.lat, d)
        grids = _load_grids(geo_filter=window)
        if len(grids.geo_ids) or d is None:
            # A grid whose bbox lies within d may still not be the nearest one when
            # another lies just beyond d diagonally; the widening windows make that rare
            # and the bulk run (all grids) corrects it.
            break
    if not len(grids.geo_ids):
        return Decision(None, AssignmentReason.NONE, "outside every grid")
    return _outside(grids, lng, lat)[0]


def manual(grid: Grid | None) -> Decision:
    user = current_user.get()
    who = user.get_username() if user is not None else "system"
    code = grid.code if grid is not None else "-"
    return Decision(
        grid.pk if grid else None, AssignmentReason.MANUAL, f"pinned to {code} by {who}"
    )


def placement_for_save(
    *, customer: Customer, fields: dict, old_grid_id: int | None, old_pinned: bool, creating: bool
) -> tuple[Decision | None, bool]:
    """The decision a customer create/update implies (None: keep), and the pin flag.

    `fields` are the values being saved (already set on `customer`). A grid chosen by hand
    pins the customer; clearing the grid or unticking the pin lets it be placed again.
    """
    new_grid = fields.get("current_grid")
    new_grid_id = new_grid.pk if new_grid is not None else None
    grid_changed = "current_grid" in fields and new_grid_id != old_grid_id
    if grid_changed and new_grid is not None:
        return manual(new_grid), True
    pinned = old_pinned
    unpinned = False
    wants_pin = fields.get("grid_pinned", pinned)
    if bool(wants_pin) != pinned:
        if wants_pin:
            return manual(customer.current_grid), True
        pinned, unpinned = False, True  # unpinning re-decides
    if pinned:
        return None, True
    if not (creating or grid_changed or unpinned or PLACEMENT_FIELDS & set(fields)):
        return None, False
    decision = decide_one(customer)
    if decision is None and (creating or grid_changed):
        # Created or cleared by hand without a location: in no grid. (Unpinning a customer
        # without a location keeps its grid: there is nothing to decide it by.)
        decision = Decision(None, AssignmentReason.NONE, "no location")
    return decision, False


def history_write(*, customer: Customer, decision: Decision, previous_grid_id, previous_reason):
    """Close the open row and open a new one when the grid or the reason changed."""
    if (
        decision.grid_id == previous_grid_id
        and decision.reason == previous_reason
        and CustomerGridAssignment.objects.filter(customer=customer, valid_to=None).exists()
    ):
        return
    now = timezone.now()
    CustomerGridAssignment.objects.filter(customer=customer, valid_to=None).update(valid_to=now)
    user_id, user_name = _who()
    CustomerGridAssignment.objects.create(
        customer=customer,
        grid_id=decision.grid_id,
        valid_from=now,
        reason=decision.reason,
        detail=decision.detail[:200],
        nearest_grid_id=decision.nearest_id,
        distance_m=decision.distance_m,
        user_id=user_id,
        user_name=user_name,
    )
