"""`gridsales planning districts INSTANCE --territories P --tolerance TAU --output OUT.json`.

Districting without a database (docs/planning.md describes the format). Bad input exits
with code 2 and says what is wrong.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.commands import write_json_result
from gridsales.planning.contract import load_graphml, run_districts
from gridsales.planning.districting import DistrictingError


class Command(BaseCommand):
    help = _("Planning tools: gridsales planning districts INSTANCE.graphml --output OUT.json.")
    requires_system_checks = []  # no database, no apps' checks: a file-in/file-out tool

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="districts")
        cmd = sub.add_parser(
            "districts", help=_("Split basic units (GraphML) into balanced, compact territories.")
        )
        cmd.add_argument("instance", help=_("The units and their adjacency (GraphML)."))
        cmd.add_argument(
            "--territories", "-p", type=int, required=True, help=_("Number of territories.")
        )
        cmd.add_argument(
            "--tolerance", type=float, default=0.05, help=_("Balance tolerance per activity.")
        )
        cmd.add_argument("--time-limit", type=float, default=60.0, help=_("Seconds."))
        cmd.add_argument("--seed", type=int, default=1)
        cmd.add_argument(
            "--allow-disconnected",
            action="store_true",
            help=_("Do not require territories to be contiguous."),
        )
        cmd.add_argument("--output", "-o", help=_("Write the result here instead of stdout."))

    def handle(self, *args, **options):
        if options.get("subcommand") != "districts":
            raise CommandError(
                _("Usage: gridsales planning districts INSTANCE --territories P --output OUT.json"),
                returncode=2,
            )
        path = options["instance"]
        try:
            with open(path, "rb") as fh:
                text = fh.read()
        except OSError as exc:
            raise CommandError(
                _("Cannot read {path}: {error}").format(path=path, error=exc), returncode=2
            ) from exc
        if options["time_limit"] <= 0:
            raise CommandError(_("The time limit must be positive."), returncode=2)
        try:
            result = run_districts(
                load_graphml(text),
                territories=options["territories"],
                tolerance=options["tolerance"],
                time_limit=options["time_limit"],
                seed=options["seed"],
                allow_disconnected=options["allow_disconnected"],
            )
        except DistrictingError as exc:
            raise CommandError(
                _("{path}: {error}").format(path=path, error=exc), returncode=2
            ) from exc
        write_json_result(self, result, options.get("output"))
