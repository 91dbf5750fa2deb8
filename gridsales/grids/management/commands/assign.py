"""`gridsales assign [--grid CODE] [--dry-run]`: (re)place customers in their grids."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridsales.core.context import acting_as
from gridsales.grids.assignment import AssignSummary, customers_assign
from gridsales.grids.models import Grid


class Command(BaseCommand):
    help = _(
        "Place customers in their grids (polygons, segment rules, pins) and record every move."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--grid", metavar="CODE", help=_("Only the customers in or inside this grid's subtree.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Show what would move; write nothing.")
        )

    def handle(self, *args, **options):
        grid = None
        if options["grid"]:
            grid = Grid.objects.filter(code=options["grid"]).first()
            if grid is None:
                raise CommandError(
                    _("There is no grid with the code “{code}”.").format(code=options["grid"]),
                    returncode=2,
                )
        stream = getattr(self.stdout, "_out", self.stdout)
        console = Console(
            file=stream, no_color=options.get("no_color", False), highlight=False, markup=False
        )
        labels = {
            "load": _("Reading customers and grids"),
            "locate": _("Finding each customer's grid"),
            "write": _("Writing changed assignments"),
        }
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with acting_as(None), Progress(*columns, console=console) as bar:
            tasks = {stage: bar.add_task(label, total=None) for stage, label in labels.items()}

            def progress(stage: str, done: int, total: int) -> None:
                bar.update(tasks[stage], completed=done, total=total)

            summary = customers_assign(grid=grid, dry_run=options["dry_run"], progress=progress)
        console.print(self.table(summary))
        if summary.moves:
            console.print(self.moves(summary))
        if summary.dry_run:
            console.print(_("Dry run: nothing was written."))

    def table(self, summary: AssignSummary) -> Table:
        table = Table(title=_("Assignment summary"))
        table.add_column(_("What"))
        table.add_column(_("Customers"), justify="right")
        for label, n in [
            (_("Customers looked at"), summary.total),
            (_("Moved to another grid"), summary.moved),
            (_("Newly assigned"), summary.newly_assigned),
            (_("Now in no grid"), summary.unassigned),
            (_("Unchanged"), summary.unchanged),
            (_("Pinned, kept"), summary.pinned_kept),
            (_("No location, kept"), summary.no_location),
            (_("Outside every grid (see the unassigned list)"), summary.outside),
        ]:
            table.add_row(label, f"{n:,}")
        return table

    def moves(self, summary: AssignSummary) -> Table:
        table = Table(title=_("Moves (top 20)"))
        table.add_column(_("From"))
        table.add_column(_("To"))
        table.add_column(_("Customers"), justify="right")
        for (a, b), n in summary.moves.most_common(20):
            table.add_row(a or "—", b or "—", f"{n:,}")
        return table
