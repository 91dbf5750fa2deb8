"""Cut a parent grid into H3 hexagon sub-grids (`gridsales grids hexes`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridsales.grids.choices import GridKind, GridLevel, GridStatus
from gridsales.grids.hexes import TooManyCells, hexagons
from gridsales.grids.models import Grid
from gridsales.grids.services import grid_create, grid_delete, grid_update

CODE_MAX = 40


@dataclass
class HexResult:
    cells: int = 0
    dropped: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


def hex_code(parent_code: str, resolution: int, number: int, width: int) -> str:
    return f"{parent_code}-H{resolution}-{number:0{width}d}"


def _child_level(parent: Grid) -> str:
    if parent.level in (GridLevel.COMPANY, GridLevel.REGION, GridLevel.AREA):
        return GridLevel.GRID
    return GridLevel.SUBGRID


@transaction.atomic
def grid_hexes_create(
    *,
    parent: Grid,
    resolution: int,
    replace: bool = False,
    dry_run: bool = False,
    level: str | None = None,
) -> HexResult:
    """Create H3 hexagons covering `parent`'s boundary as its leaf children, coded
    `<PARENT>-H<R>-<nnnn>` north to south, west to east, named "<parent> 六边形 nnnn".

    A parent with children is refused unless `replace`: then old children that nothing
    refers to are deleted, the others retired, and children whose code comes again are
    updated in place (so a re-run at the same resolution is idempotent)."""
    if parent.kind != GridKind.GEO or not parent.geometry:
        raise ValidationError(
            _("Grid “{code}” has no boundary to cut into hexagons.").format(code=parent.code)
        )
    children = list(Grid.objects.filter(parent=parent).order_by("code"))
    if children and not replace:
        raise ValidationError(
            _(
                "Grid “{code}” already has {n} sub-grids. Use --replace to retire or delete them and create hexagons instead."
            ).format(code=parent.code, n=len(children))
        )
    try:
        cells, dropped = hexagons(parent.geometry, resolution)
    except TooManyCells as exc:
        raise ValidationError(
            _(
                "Resolution {r} would make about {n} hexagons; choose a coarser (smaller) resolution."
            ).format(r=resolution, n=exc.args[0])
        ) from exc
    width = max(4, len(str(len(cells))))
    if len(hex_code(parent.code, resolution, 0, width)) > CODE_MAX:
        raise ValidationError(
            _("The parent code “{code}” is too long to build hexagon codes from.").format(
                code=parent.code
            )
        )
    result = HexResult(cells=len(cells), dropped=dropped)
    by_code = {c.code: c for c in children}
    level = level or _child_level(parent)
    wanted = []
    for number, cell in enumerate(cells, start=1):
        code = hex_code(parent.code, resolution, number, width)
        name = _("{parent} hexagon {n}").format(parent=parent.name, n=f"{number:0{width}d}")
        wanted.append((code, name, cell))
    if dry_run:
        result.created = [c for c, _n, _h in wanted if c not in by_code]
        result.updated = [c for c, _n, _h in wanted if c in by_code]
        return result
    new_codes = {code for code, _n, _h in wanted}
    for child in children:
        if child.code in new_codes:
            continue
        if child.children.exists() or child.customers.exists() or child.memberships.exists():
            if child.status != GridStatus.RETIRED:
                grid_update(grid=child, status=GridStatus.RETIRED)
            result.retired.append(child.code)
        else:
            grid_delete(grid=child)
            result.deleted.append(child.code)
    for code, name, cell in wanted:
        fields = {
            "name": name[:100],
            "level": level,
            "kind": GridKind.GEO,
            "geometry": cell.geometry,
            "description": f"H3 {cell.cell}",
        }
        if code in by_code:
            grid_update(grid=by_code[code], status=GridStatus.ACTIVE, **fields)
            result.updated.append(code)
        else:
            grid_create(code=code, parent=parent, **fields)
            result.created.append(code)
    return result
