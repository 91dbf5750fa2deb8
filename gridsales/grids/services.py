"""Writes to the grid tree. Paths, depth and leaf flags are kept here, nowhere else."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from gridsales.grids.choices import MAX_DEPTH, GridKind, GridLevel, GridStatus
from gridsales.grids.geometry import GeometryError, normalise
from gridsales.grids.models import Grid

_EDITABLE = ("code", "name", "level", "kind", "status", "description", "geometry", "segment_rules")


def _apply_geometry(grid: Grid) -> None:
    if grid.geometry in (None, {}):
        grid.geometry = None
        grid.min_lng = grid.min_lat = grid.max_lng = grid.max_lat = None
        return
    try:
        grid.geometry, bbox = normalise(grid.geometry)
    except GeometryError as exc:
        raise ValidationError(
            {
                "geometry": _("The boundary is not a valid GeoJSON polygon: {error}").format(
                    error=exc
                )
            }
        ) from exc
    grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat = bbox


def _apply_segment_rules(grid: Grid) -> None:
    """Validate segment rules (gridsales.grids.segments) with messages that say what to fix."""
    from gridsales.customers.choices import CustomerStatus, CustomerType, Tier
    from gridsales.grids.segments import validate_rules

    if grid.kind != GridKind.SEGMENT and not grid.segment_rules:
        return
    choices = {
        "tier": set(Tier.values),
        "type": set(CustomerType.values),
        "status": set(CustomerStatus.values),
    }
    errors = validate_rules(grid.segment_rules, choices)
    if errors:
        raise ValidationError({"segment_rules": errors})


def _check_parent(grid: Grid, parent: Grid | None) -> None:
    if parent is None:
        return
    if grid.pk is not None and parent.path.startswith(grid.path):
        raise ValidationError(
            {"parent": _("The parent cannot be the grid itself or one of its descendants.")}
        )
    if parent.depth + 1 >= MAX_DEPTH:
        raise ValidationError(
            {
                "parent": _(
                    "The grid tree has at most {n} levels; no grid can be added under “{code}”."
                ).format(n=MAX_DEPTH, code=parent.code)
            }
        )


def _reload_tree_fields(grid: Grid | None) -> None:
    """Re-read path, depth and is_leaf from the database.

    They change through queryset updates (moves, leaf flags), behind the backs of grid
    objects a caller still holds; saving or building on a stale copy would corrupt the tree.
    """
    if grid is not None and grid.pk is not None:
        grid.path, grid.depth, grid.is_leaf = (
            Grid.objects.filter(pk=grid.pk).values_list("path", "depth", "is_leaf").get()
        )


def _path_for(parent: Grid | None, pk: int) -> str:
    """The materialised path of grid `pk` under `parent`.

    Ids are zero-padded so that ordering by path lists siblings in creation order
    ("/00000002/" before "/00000010/"), which plain numbers would not.
    """
    return f"{parent.path if parent else '/'}{pk:08d}/"


def _refresh_leaf(grid_id: int | None) -> None:
    if grid_id is None:
        return
    has_children = Grid.objects.filter(parent_id=grid_id).exists()
    Grid.objects.filter(pk=grid_id).update(is_leaf=not has_children)


@transaction.atomic
def grid_create(
    *,
    code: str,
    name: str,
    parent: Grid | None = None,
    level: str = GridLevel.GRID,
    kind: str = GridKind.GEO,
    status: str = GridStatus.ACTIVE,
    description: str = "",
    geometry: dict | None = None,
    segment_rules: list | None = None,
) -> Grid:
    """Create a grid under `parent` (None = a root) and set its path and depth."""
    _reload_tree_fields(parent)
    grid = Grid(
        code=code,
        name=name,
        parent=parent,
        level=level,
        kind=kind,
        status=status,
        description=description,
        geometry=geometry,
        segment_rules=segment_rules or [],
        path="/",
        depth=0 if parent is None else parent.depth + 1,
    )
    _check_parent(grid, parent)
    _apply_geometry(grid)
    _apply_segment_rules(grid)
    grid.full_clean()
    grid.save()
    # The path holds the grid's own pk, known only after the insert.
    grid.path = _path_for(parent, grid.pk)
    Grid.objects.filter(pk=grid.pk).update(path=grid.path)
    if parent is not None:
        Grid.objects.filter(pk=parent.pk).update(is_leaf=False)
        parent.is_leaf = False
    return grid


@transaction.atomic
def grid_update(
    *, grid: Grid, parent: Grid | None = None, parent_set: bool = False, **fields
) -> Grid:
    """Update fields; when `parent_set`, move the grid (and its subtree) under `parent`."""
    unknown = set(fields) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    _reload_tree_fields(grid)
    _reload_tree_fields(parent)
    for name, value in fields.items():
        setattr(grid, name, value)
    if "geometry" in fields:
        _apply_geometry(grid)
    if "segment_rules" in fields or "kind" in fields:
        _apply_segment_rules(grid)
    old_parent_id = grid.parent_id
    moving = parent_set and (parent.pk if parent else None) != old_parent_id
    if moving:
        _check_parent(grid, parent)
        deepest = Grid.objects.subtree(grid).order_by("-depth").values_list("depth", flat=True)[0]
        new_depth = 0 if parent is None else parent.depth + 1
        if deepest - grid.depth + new_depth >= MAX_DEPTH:
            raise ValidationError(
                {
                    "parent": _(
                        "After the move the grid tree would be deeper than {n} levels."
                    ).format(n=MAX_DEPTH)
                }
            )
        grid.parent = parent
    grid.full_clean()
    grid.save()
    if moving:
        old_path = grid.path
        new_path = _path_for(parent, grid.pk)
        shift = (0 if parent is None else parent.depth + 1) - grid.depth
        Grid.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + shift,
        )
        grid.refresh_from_db()
        _refresh_leaf(old_parent_id)
        _refresh_leaf(grid.parent_id)
    return grid


@transaction.atomic
def grid_delete(*, grid: Grid) -> None:
    """Delete a grid that nothing refers to; otherwise ask to retire it instead."""
    if (
        grid.children.exists()
        or grid.customers.exists()
        or grid.memberships.exists()
        or grid.customer_assignments.exists()
    ):
        raise ValidationError(
            _(
                "Grid “{code}” still has sub-grids, customers or memberships and cannot be deleted; retire it instead."
            ).format(code=grid.code)
        )
    if (
        grid.orders.exists()
        or grid.opportunities.exists()
        or grid.activities.exists()
        or grid.surveys.exists()
    ):
        raise ValidationError(
            _(
                "Grid “{code}” has orders, deals, activities or surveys recorded in it and cannot be deleted; retire it instead."
            ).format(code=grid.code)
        )
    parent_id = grid.parent_id
    grid.delete()
    _refresh_leaf(parent_id)
