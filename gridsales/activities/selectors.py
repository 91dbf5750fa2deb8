"""Reads about activities: scoped lists and where a check-in position lies.

The Today page's reads are in gridsales.activities.today.
"""

from __future__ import annotations

import numpy as np
from django.db.models import Count, Q
from shapely.geometry import shape

from gridsales.activities.models import Activity
from gridsales.grids.choices import GridKind, GridStatus
from gridsales.grids.models import Grid
from gridsales.grids.spatial import locate_exact
from gridsales.team.models import Membership


def activity_list(*, user, action: str = "view"):
    """The activities `user` may `action`, with what lists and exports show."""
    return Activity.objects.restrict(user, action).select_related(
        "customer", "contact", "owner", "grid"
    )


def user_leaf_grids(user):
    """The active leaf grids in the subtrees of `user`'s memberships in force today."""
    paths = list(
        Membership.objects.active()
        .filter(user=user)
        .order_by()
        .values_list("grid__path", flat=True)
    )
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return Grid.objects.filter(q, is_leaf=True, status=GridStatus.ACTIVE)


def position_in_user_grids(*, user, lat: float, lng: float) -> bool | None:
    """Does the position lie in one of `user`'s leaf grids (user_leaf_grids)?

    True inside one (border included), False outside all of them, None when it cannot
    be told: the user has no grid (HQ roles), or one of their grids has no boundary to
    test (segment grids, or geo grids not drawn yet). Reads the geometry only of the
    grids whose bounding box contains the point.
    """
    leaves = user_leaf_grids(user)
    counts = leaves.aggregate(
        total=Count("pk"),
        unchecked=Count("pk", filter=Q(kind=GridKind.SEGMENT) | Q(geometry__isnull=True)),
    )
    if not counts["total"]:
        return None
    candidates = leaves.filter(
        kind=GridKind.GEO,
        geometry__isnull=False,
        min_lng__lte=lng,
        max_lng__gte=lng,
        min_lat__lte=lat,
        max_lat__gte=lat,
    ).values_list("geometry", flat=True)
    polygons = [shape(g) for g in candidates]
    if polygons and locate_exact(polygons, np.array([lng]), np.array([lat]))[0] >= 0:
        return True
    return None if counts["unchecked"] else False
