"""Basic units of a scenario: H3 cells of the parent grid's area, or its child grids.

Every unit carries its activities (customers, workload hours, demand: planning.headcount),
its centre, its boundary and today's grid (the child grid holding its centre; −1 for
none). Adjacency: H3 cells are neighbours when they touch (grid_disk 1), child grids when
they share a border (planning.geojson); edge length = the centres' distance in km.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import h3
import numpy as np
import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import mapping, shape

from gridsales.customers.models import Customer
from gridsales.grids.choices import GridKind, GridStatus
from gridsales.grids.hexes import TooManyCells, hexagons
from gridsales.grids.models import Grid
from gridsales.grids.spatial import locate_exact
from gridsales.planning.choices import ACTIVITIES, UnitSource
from gridsales.planning.districting import Instance
from gridsales.planning.geojson import _shared_borders, haversine_km
from gridsales.planning.headcount import customer_loads

MAX_UNITS = 3000


@dataclass
class Units:
    units: list[dict]
    edges: list[list]
    current: list[int]
    current_grids: list[dict]


def children_of(parent: Grid) -> list[Grid]:
    """The active child grids a scenario redraws; they must be geographic leaf grids."""
    children = list(parent.children.filter(status=GridStatus.ACTIVE).order_by("code"))
    for child in children:
        if not child.is_leaf:
            raise ValidationError(
                _(
                    "Grid “{code}” has sub-grids: a scenario redraws the leaf grids directly under the grid; plan one level lower."
                ).format(code=child.code)
            )
        if child.kind != GridKind.GEO:
            raise ValidationError(
                _("Grid “{code}” is a segment grid: only geographic grids can be redrawn.").format(
                    code=child.code
                )
            )
    return children


def _geom(grid: Grid):
    return shape(grid.geometry) if grid.geometry else None


def build_units(*, parent: Grid, source: str, resolution: int) -> Units:
    """The units of `parent` with their activities, adjacency and today's grid."""
    children = children_of(parent)
    current_grids = [{"id": c.pk, "code": c.code, "name": c.name} for c in children]
    customers = Customer.objects.filter(current_grid__path__startswith=parent.path)
    loads = customer_loads(customers)
    if source == UnitSource.CHILDREN:
        units, edges, current = _child_units(children, loads)
    else:
        units, edges, current = _h3_units(parent, children, resolution, loads)
    return Units(units, edges, current, current_grids)


def _empty_unit(uid: str, name: str, geom) -> dict:
    point = geom.representative_point() if geom is not None else None
    return {
        "id": uid,
        "name": name,
        "lng": point.x if point is not None else None,
        "lat": point.y if point is not None else None,
        "geometry": mapping(geom) if geom is not None else None,
        "customers": 0,
        "workload": 0.0,
        "demand": 0.0,
    }


def _add(unit: dict, load) -> None:
    unit["customers"] += 1
    unit["workload"] += load.hours
    unit["demand"] += float(load.demand)


def _child_units(children: list[Grid], loads):
    if len(children) < 2:
        raise ValidationError(
            _("The grid has {n} child grid(s): units from child grids need at least two.").format(
                n=len(children)
            )
        )
    units = []
    for child in children:
        geom = _geom(child)
        if geom is None:
            raise ValidationError(
                _("Grid “{code}” has no boundary: draw or import one first.").format(
                    code=child.code
                )
            )
        units.append(_empty_unit(child.code, child.name, geom))
    index = {c.pk: i for i, c in enumerate(children)}
    for load in loads:
        i = index.get(load.grid_id)
        if i is not None:
            _add(units[i], load)
    geoms = np.array([shape(u["geometry"]) for u in units], dtype=object)
    xy = np.array([[u["lng"], u["lat"]] for u in units])
    edges = [[i, j, round(d, 4)] for i, j, d in _shared_borders(geoms, xy)]
    return units, edges, list(range(len(children)))


def _h3_units(parent: Grid, children: list[Grid], resolution: int, loads):
    if not parent.geometry:
        raise ValidationError(
            _(
                "Grid “{code}” has no boundary: H3 units need one (or use its child grids as units)."
            ).format(code=parent.code)
        )
    try:
        cells, _dropped = hexagons(parent.geometry, resolution, max_cells=MAX_UNITS)
    except TooManyCells as exc:
        raise ValidationError(
            {
                "resolution": _(
                    "Resolution {resolution} makes about {n} cells; at most {max} fit a scenario: choose a lower resolution."
                ).format(resolution=resolution, n=exc.args[0], max=MAX_UNITS)
            }
        ) from exc
    if not cells:
        raise ValidationError({"resolution": _("No H3 cell covers the grid's area.")})
    units = [_empty_unit(c.cell, c.cell, shape(c.geometry)) for c in cells]
    for u, c in zip(units, cells, strict=True):
        u["lng"], u["lat"] = c.lng, c.lat
    index = {c.cell: i for i, c in enumerate(cells)}
    lng = np.array([u["lng"] for u in units])
    lat = np.array([u["lat"] for u in units])
    for load in loads:
        i = unit_of_point(index, lng, lat, resolution, load.lng, load.lat)
        if i is not None:
            _add(units[i], load)
    edges = []
    for i, c in enumerate(cells):
        for other in h3.grid_disk(c.cell, 1):
            j = index.get(other)
            if j is not None and i < j:
                d = float(haversine_km(lng[i], lat[i], lng[j], lat[j]))
                edges.append([i, j, round(d, 4)])
    current = [-1] * len(units)
    polygons = [_geom(c) for c in children]
    usable = [i for i, g in enumerate(polygons) if g is not None]
    if usable:
        # Where the clipped cell lies (its centre may be outside the area, at the edge).
        inside = [shape(u["geometry"]).representative_point() for u in units]
        found = locate_exact(
            [polygons[i] for i in usable],
            np.array([pt.x for pt in inside]),
            np.array([pt.y for pt in inside]),
        )
        current = [usable[k] if k >= 0 else -1 for k in found.tolist()]
    return units, edges, current


def unit_of_point(index: dict, lng, lat, resolution: int, x, y) -> int | None:
    """The unit (H3 cell) a point falls in; the nearest unit's centre when its cell was
    dropped as a sliver; None without coordinates."""
    if x is None or y is None:
        return None
    i = index.get(h3.latlng_to_cell(y, x, resolution))
    if i is None:
        i = int(np.argmin(haversine_km(lng, lat, x, y)))
    return i


def instance_for(units: list[dict], edges: list, balance: list[str]) -> Instance:
    """The optimiser's instance: the balanced activities only."""
    names = [a for a in ACTIVITIES if a in balance]
    return Instance(
        ids=[u["id"] for u in units],
        xy=np.array([[u["lng"] or 0.0, u["lat"] or 0.0] for u in units], dtype=float),
        activities=np.array([[float(u[a]) for a in names] for u in units], dtype=float).reshape(
            len(units), len(names)
        ),
        activity_names=names,
        edges=[(int(i), int(j), float(d)) for i, j, d in edges],
    )


def fill_unassigned(current: list[int], edges: list) -> list[int]:
    """Today's plan with every unit outside the child grids given a neighbour's grid
    (breadth first), so the current plan can be reported like any other."""
    plan = list(current)
    if all(t < 0 for t in plan):
        return plan
    neighbours: list[list[int]] = [[] for _ in plan]
    for i, j, _d in edges:
        neighbours[int(i)].append(int(j))
        neighbours[int(j)].append(int(i))
    queue = deque(i for i, t in enumerate(plan) if t >= 0)
    while queue:
        i = queue.popleft()
        for j in neighbours[i]:
            if plan[j] < 0:
                plan[j] = plan[i]
                queue.append(j)
    first = next(t for t in plan if t >= 0)
    return [t if t >= 0 else first for t in plan]


def union_geometry(units: list[dict], members: list[int]) -> dict | None:
    """A territory's boundary: the union of its units' polygons."""
    geoms = [shape(units[i]["geometry"]) for i in members if units[i]["geometry"]]
    if not geoms:
        return None
    merged = shapely.union_all(geoms)
    if not merged.is_valid:
        merged = shapely.make_valid(merged)
    polys = [
        g for g in getattr(merged, "geoms", [merged]) if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    return mapping(shapely.union_all(polys))
