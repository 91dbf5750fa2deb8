"""`gridsales grids check [--parent CODE]` and `gridsales grids hexes --parent CODE --resolution R`.

check: invalid polygons, overlaps between sibling grids and gaps inside each parent, with
areas in m² (slivers under 100 m² ignored); exit code 1 when problems were found.
hexes: cut a parent into H3 hexagon sub-grids (see grids.hex_services); exit code 2 for
bad input (unknown parent, a parent that already has sub-grids without --replace...).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.context import acting_as
from gridsales.grids.hex_services import grid_hexes_create
from gridsales.grids.models import Grid
from gridsales.grids.quality import SLIVER_M2
from gridsales.grids.quality_checks import grid_quality, parents_to_check


def _m2(value: float) -> str:
    return f"{value:,.0f} m²"


class Command(BaseCommand):
    help = _("Grid geometry tools: check (overlaps, gaps) and hexes (H3 sub-grids).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="tool", metavar="TOOL")
        check = sub.add_parser("check", help=str(_("Report invalid polygons, overlaps and gaps.")))
        check.add_argument("--parent", help=_("Check only the children of this grid."))
        check.add_argument(
            "--min-area",
            type=float,
            default=SLIVER_M2,
            help=_("Ignore overlaps and gaps smaller than this (m², default 100)."),
        )
        hexes = sub.add_parser("hexes", help=str(_("Cover a parent grid with H3 hexagons.")))
        hexes.add_argument("--parent", required=True)
        hexes.add_argument("--resolution", type=int, required=True, choices=range(0, 16))
        hexes.add_argument("--replace", action="store_true")
        hexes.add_argument("--dry-run", action="store_true")
        hexes.add_argument("--level", choices=["grid", "subgrid"])

    def _parent(self, code):
        grid = Grid.objects.filter(code=code).first()
        if grid is None:
            raise CommandError(_("No grid with the code “{code}”.").format(code=code), returncode=2)
        return grid

    def handle(self, *args, **options):
        tool = options.get("tool")
        if tool == "check":
            return self.check_tool(options)
        if tool == "hexes":
            return self.hexes_tool(options)
        raise CommandError(_("Name a tool: check or hexes."), returncode=2)

    def check_tool(self, options):
        parents = [self._parent(options["parent"])] if options.get("parent") else parents_to_check()
        problems = 0
        for parent in parents:
            report = grid_quality(parent, min_area_m2=options["min_area"])
            if report is None:
                continue
            self.stdout.write(
                _("{code}: {n} sub-grids").format(code=parent.code, n=report.children)
            )
            for item in report.invalid:
                problems += 1
                self.stdout.write(
                    "  "
                    + _("invalid polygon {code}: {reason}").format(
                        code=item.code, reason=item.reason
                    )
                )
            for item in report.overlaps:
                problems += 1
                self.stdout.write(
                    "  "
                    + _("overlap {a} × {b}: {area}").format(
                        a=item.a, b=item.b, area=_m2(item.area_m2)
                    )
                )
            for item in report.gaps:
                problems += 1
                self.stdout.write("  " + _("gap: {area}").format(area=_m2(item.area_m2)))
        self.stdout.write(_("{n} problems found.").format(n=problems))
        if problems:
            raise CommandError(_("The grid geometry has problems."), returncode=1)

    def hexes_tool(self, options):
        parent = self._parent(options["parent"])
        try:
            with acting_as(None):
                result = grid_hexes_create(
                    parent=parent,
                    resolution=options["resolution"],
                    replace=options["replace"],
                    dry_run=options["dry_run"],
                    level=options.get("level"),
                )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        self.stdout.write(
            _(
                "{cells} hexagons ({dropped} slivers dropped): {created} created, {updated} updated, {retired} retired, {deleted} deleted."
            ).format(
                cells=result.cells,
                dropped=result.dropped,
                created=len(result.created),
                updated=len(result.updated),
                retired=len(result.retired),
                deleted=len(result.deleted),
            )
        )
        if options["dry_run"]:
            self.stdout.write(_("Dry run, nothing written."))
            return
        try:
            from gridsales.grids.assignment import customers_assign
        except ImportError:
            return
        customers_assign(grid=parent)
