"""`gridsales import KIND FILE [options]`: import a file with the importer an app registers.

Exit code 0 when the file was imported (or, with --dry-run, is valid), 2 when the input is
bad: the full error list goes to stderr and nothing is written (unless --skip-invalid).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.io.registry import importers
from gridsales.core.io.runner import run_import


class Command(BaseCommand):
    help = _("Import a file: gridsales import KIND FILE [options] (kinds: see --help).")

    def add_arguments(self, parser):
        self.importers = importers()
        sub = parser.add_subparsers(dest="import_kind", metavar="KIND")
        for kind, importer in sorted(self.importers.items()):
            kind_parser = sub.add_parser(kind, help=str(importer.help))
            kind_parser.add_argument("file", metavar="FILE")
            kind_parser.add_argument(
                "--dry-run", action="store_true", help=_("Validate only; write nothing.")
            )
            kind_parser.add_argument(
                "--skip-invalid",
                action="store_true",
                help=_("Import the valid rows and skip the invalid ones."),
            )
            importer.add_arguments(kind_parser)

    def handle(self, *args, **options):
        kind = options.get("import_kind")
        if not kind:
            raise CommandError(
                _("Name what to import: {kinds}.").format(kinds=", ".join(sorted(self.importers))),
                returncode=2,
            )
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read {file}: {error}").format(file=path, error=exc.strerror),
                returncode=2,
            ) from exc
        extra = {
            k: v
            for k, v in options.items()
            if k
            not in {"import_kind", "file", "dry_run", "skip_invalid", "verbosity", "settings"}
            | {"pythonpath", "traceback", "no_color", "force_color", "skip_checks"}
        }
        report = run_import(
            kind,
            user=None,
            data=data,
            file_name=str(path),
            options=extra,
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        if report.encoding:
            self.stdout.write(_("Encoding: {encoding}").format(encoding=report.encoding))
        for warning in report.warnings:
            self.stdout.write(_("Warning: {warning}").format(warning=warning))
        for error in report.errors:
            self.stderr.write(str(error))
        self.stdout.write(report.summary())
        if report.errors and not report.written:
            raise CommandError(
                _("{n} errors; nothing was written.").format(n=len(report.errors)), returncode=2
            )
        if report.errors:
            self.stderr.write(
                _("{n} invalid rows were skipped.").format(n=len(report.invalid_rows))
            )
