"""`gridsales routes solve INSTANCE --format solomon|tsplib|json --time-limit 20 --output OUT.json`.

Routes without a database (docs/routes.md). Bad input exits with code 2 and says what is
wrong and where; a solution that breaks a rule (no feasible one found in time) is still
written, with exit code 1.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.commands import write_json_result
from gridsales.routes.contract import PARSERS, load, run_solve
from gridsales.routes.messages import translated, translated_template
from gridsales.routes.problem import ProblemError


class Command(BaseCommand):
    help = _("Visit routes: gridsales routes solve INSTANCE --format FORMAT --output OUT.json.")
    requires_system_checks = []  # no database, no apps' checks: a file-in/file-out tool

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="solve")
        cmd = sub.add_parser(
            "solve",
            help=_("Plan routes for an instance file (Solomon, TSPLIB or our JSON)."),
        )
        cmd.add_argument("instance", help=_("The instance file."))
        cmd.add_argument(
            "--format",
            choices=sorted(PARSERS),
            default="json",
            help=_("The instance format: solomon, tsplib or json."),
        )
        cmd.add_argument("--time-limit", type=float, default=20.0, help=_("Seconds of search."))
        cmd.add_argument("--seed", type=int, default=1, help=_("Random seed."))
        cmd.add_argument("--output", "-o", help=_("Write the result here instead of stdout."))

    def handle(self, *args, **options):
        if options.get("subcommand") != "solve":
            raise CommandError(
                _("Usage: gridsales routes solve INSTANCE --format FORMAT --output OUT.json"),
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
            problem = load(text, options["format"])
        except ProblemError as exc:
            raise CommandError(
                _("{path}: {error}").format(path=path, error=translated(exc)), returncode=2
            ) from exc
        result = run_solve(
            problem,
            time_limit=options["time_limit"],
            seed=options["seed"],
            translate=translated_template,
        )
        write_json_result(self, result, options.get("output"))
        if not result["feasible"]:
            raise CommandError(
                _("No route plan found that keeps every rule: {problems}").format(
                    problems="; ".join(result["violations"][:5])
                ),
                returncode=1,
            )
