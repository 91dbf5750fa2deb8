"""`gridsales planning districts INSTANCE --territories P --tolerance TAU --output OUT.json`
and `gridsales planning apply-due` (scheduled redesigns whose date has come).

Districting without a database (docs/planning.md describes the formats). INSTANCE is
GraphML or GeoJSON; `--current`, `--fixed` and `--centres` name small JSON files. Bad
input exits with code 2 and says what is wrong, in the user's language.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.commands import write_json_result
from gridsales.planning.contract import load_instance, read_centres, read_units, run_districts
from gridsales.planning.errors import DistrictingError


class Command(BaseCommand):
    help = _("Planning tools: gridsales planning districts INSTANCE --output OUT.json.")
    requires_system_checks = []  # no database, no apps' checks: a file-in/file-out tool

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="districts|apply-due")
        sub.add_parser(
            "apply-due",
            help=_(
                "Apply the scheduled grid redesigns whose date has come (the worker does it on the date)."
            ),
        )
        cmd = sub.add_parser(
            "districts",
            help=_("Split basic units (GraphML or GeoJSON) into balanced, compact territories."),
        )
        cmd.add_argument(
            "instance", help=_("The units and their adjacency (GraphML, or GeoJSON polygons).")
        )
        cmd.add_argument(
            "--territories", "-p", type=int, required=True, help=_("Number of territories.")
        )
        cmd.add_argument(
            "--tolerance", type=float, default=0.05, help=_("Balance tolerance per activity.")
        )
        cmd.add_argument("--time-limit", type=float, default=60.0, help=_("Seconds."))
        cmd.add_argument("--seed", type=int, default=1)
        cmd.add_argument(
            "--max-iterations",
            type=int,
            help=_(
                "Stop after this many perturbations (a reproducible run; the time limit still applies)."
            ),
        )
        cmd.add_argument(
            "--allow-disconnected",
            action="store_true",
            help=_("Do not require territories to be contiguous."),
        )
        cmd.add_argument(
            "--id-field", default="id", help=_("GeoJSON: the property that holds the unit id.")
        )
        cmd.add_argument(
            "--activities",
            help=_(
                "Comma-separated activities to balance (GraphML default: n_customers,demand,"
                "workload; GeoJSON default: every numeric property)."
            ),
        )
        cmd.add_argument(
            "--current",
            help=_("Today's plan: a JSON object of unit id → territory, or an earlier output."),
        )
        cmd.add_argument(
            "--disruption-weight",
            type=float,
            default=0.0,
            help=_("Distance added to the largest diameter per unit moved from --current."),
        )
        cmd.add_argument(
            "--fixed",
            help=_("Units that must stay in a territory: a JSON object of unit id → territory."),
        )
        cmd.add_argument(
            "--centres", help=_("Territory centres to keep: a JSON object of territory → unit id.")
        )
        cmd.add_argument("--output", "-o", help=_("Write the result here instead of stdout."))

    def handle(self, *args, **options):
        if options.get("subcommand") == "apply-due":
            from gridsales.planning.apply import apply_due

            for scenario in apply_due():
                self.stdout.write(
                    _("Applied “{name}” from {date}.").format(
                        name=scenario.name, date=scenario.effective_from.isoformat()
                    )
                )
            return
        if options.get("subcommand") != "districts":
            raise CommandError(
                _("Usage: gridsales planning districts INSTANCE --territories P --output OUT.json"),
                returncode=2,
            )
        if options["time_limit"] <= 0:
            raise CommandError(_("The time limit must be positive."), returncode=2)
        path = options["instance"]
        activities = None
        if options["activities"]:
            activities = [a.strip() for a in options["activities"].split(",") if a.strip()]
        p = options["territories"]
        try:
            inst = load_instance(_read(path), id_field=options["id_field"], activities=activities)
        except DistrictingError as exc:
            raise _usage_error(path, exc) from exc
        extra = {}
        for option, reader in (("current", read_units), ("fixed", read_units)):
            if options[option]:
                name = options[option]
                try:
                    extra[option] = reader(_read(name), inst, p, name)
                except DistrictingError as exc:
                    raise _usage_error(None, exc) from exc
        if options["centres"]:
            name = options["centres"]
            try:
                extra["centres"] = read_centres(_read(name), inst, p, name)
            except DistrictingError as exc:
                raise _usage_error(None, exc) from exc
        try:
            result = run_districts(
                inst,
                territories=p,
                tolerance=options["tolerance"],
                time_limit=options["time_limit"],
                seed=options["seed"],
                allow_disconnected=options["allow_disconnected"],
                disruption_weight=options["disruption_weight"],
                max_iterations=options["max_iterations"],
                **extra,
            )
        except DistrictingError as exc:
            raise _usage_error(path, exc) from exc
        write_json_result(self, result, options.get("output"))


def _usage_error(path: str | None, exc: DistrictingError) -> CommandError:
    """Exit code 2 with the core's message in the user's language (after the file name)."""
    message = exc.message(_)
    if path:
        message = _("{path}: {error}").format(path=path, error=message)
    return CommandError(message, returncode=2)


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise CommandError(
            _("Cannot read {path}: {error}").format(path=path, error=exc), returncode=2
        ) from exc
