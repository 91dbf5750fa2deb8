"""`gridsales incentives calculate --plan PLAN.json --sales SALES.csv --targets TARGETS.csv
--period 2026-03 [--memberships MEMBERSHIPS.csv] [--reps REPS.csv] [--output OUT.json]`.

Runs the commission calculation without a database (docs/incentives.md describes the
formats and the rules). Bad input exits with code 2 and names the file, line, column and
value at fault.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridsales.core.commands import write_json_result
from gridsales.incentives.calculator import calculate
from gridsales.incentives.contract import (
    InputError,
    parse_memberships,
    parse_period,
    parse_plan,
    parse_reps,
    parse_sales,
    parse_targets,
    render,
)

USAGE = gettext_noop(
    "Usage: gridsales incentives calculate --plan PLAN.json --sales SALES.csv "
    "--targets TARGETS.csv --period 2026-03 [--memberships MEMBERSHIPS.csv] "
    "[--reps REPS.csv] [--output OUT.json]"
)


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(
            _("Cannot read {path}: {error}").format(path=path, error=exc), returncode=2
        ) from exc


class Command(BaseCommand):
    help = _("Incentive tools: gridsales incentives calculate --plan … --sales … --targets ….")
    requires_system_checks = []  # no database, no apps' checks: a file-in/file-out tool

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="calculate")
        calc = sub.add_parser(
            "calculate", help=_("Calculate every rep's commission for one month.")
        )
        calc.add_argument("--plan", required=True, help=_("The plan (JSON)."))
        calc.add_argument("--sales", required=True, help=_("The order lines (CSV)."))
        calc.add_argument("--targets", required=True, help=_("The targets per rep (CSV)."))
        calc.add_argument("--period", required=True, help=_("The month, such as 2026-03."))
        calc.add_argument(
            "--memberships",
            help=_("The grids' reps and their shares, for the team pool (CSV: rep,grid,share)."),
        )
        calc.add_argument(
            "--reps",
            help=_("Hire dates and draw balances, for the draw (CSV: rep,hire_date,draw_balance)."),
        )
        calc.add_argument("--output", "-o", help=_("Write the result here instead of stdout."))

    def handle(self, *args, **options):
        if options.get("subcommand") != "calculate":
            raise CommandError(_(USAGE), returncode=2)
        keys = ("plan", "sales", "targets", "memberships", "reps")
        texts = {key: _read(options[key]) for key in keys if options.get(key)}
        extra = {}
        try:
            period = parse_period(options["period"])
            plan = parse_plan(texts["plan"], file=options["plan"])
            sales = parse_sales(texts["sales"], file=options["sales"])
            targets = parse_targets(texts["targets"], file=options["targets"])
            if "memberships" in texts:
                extra["memberships"] = parse_memberships(
                    texts["memberships"], file=options["memberships"]
                )
            if "reps" in texts:
                extra["hires"], extra["draw_balances"] = parse_reps(
                    texts["reps"], file=options["reps"]
                )
        except InputError as exc:
            raise CommandError("\n".join(exc.messages(_)), returncode=2) from exc
        result = calculate(plan, sales, targets, period, **extra)
        write_json_result(self, render(result, _), options.get("output"))
