"""`gridsales targets split SPEC.json [--output OUT.json] [--lineage]`.

Runs the target split without a database (docs/targets.md describes the format). Bad input
and impossible locks or bounds exit with code 2 and say which units are at fault.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.commands import write_json_result
from gridsales.targets.contract import load_json, run_spec
from gridsales.targets.decompose import SplitError


class Command(BaseCommand):
    help = _("Target tools: gridsales targets split SPEC.json [--output OUT.json].")
    requires_system_checks = []  # no database, no apps' checks: a file-in/file-out tool

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", metavar="split")
        split = sub.add_parser(
            "split", help=_("Split a target spec (JSON) into units and periods.")
        )
        split.add_argument("spec", help=_("The spec file (JSON); - reads standard input."))
        split.add_argument("--output", "-o", help=_("Write the result here instead of stdout."))
        split.add_argument(
            "--lineage", action="store_true", help=_("Add each unit's lineage to the output.")
        )

    def handle(self, *args, **options):
        if options.get("subcommand") != "split":
            raise CommandError(
                _("Usage: gridsales targets split SPEC.json [--output OUT.json]"), returncode=2
            )
        path = options["spec"]
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8-sig") as fh:
                    text = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(
                _("Cannot read {path}: {error}").format(path=path, error=exc), returncode=2
            ) from exc
        try:
            result = run_spec(load_json(text), lineage=options["lineage"])
        except SplitError as exc:
            raise CommandError("\n".join(exc.messages(_)), returncode=2) from exc
        write_json_result(self, result, options.get("output"))
