"""`gridsales export KIND [--format F] [--output FILE]`: everything, as an administrator."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.io.registry import exporters


class Command(BaseCommand):
    help = _("Export data: gridsales export KIND [--format F] [--output FILE].")

    def add_arguments(self, parser):
        self.exporters = exporters()
        parser.add_argument("kind", metavar="KIND", help=", ".join(sorted(self.exporters)))
        parser.add_argument("--format", dest="fmt", help=_("File format (default: the first)."))
        parser.add_argument("--output", "-o", help=_("Output file (default: standard output)."))

    def handle(self, *args, **options):
        exporter = self.exporters.get(options["kind"])
        if exporter is None:
            raise CommandError(
                _("Unknown kind “{kind}”; use one of: {kinds}.").format(
                    kind=options["kind"], kinds=", ".join(sorted(self.exporters))
                ),
                returncode=2,
            )
        fmt = options["fmt"] or exporter.formats[0]
        if fmt not in exporter.formats:
            raise CommandError(
                _("Unknown format “{fmt}”; use one of: {formats}.").format(
                    fmt=fmt, formats=", ".join(exporter.formats)
                ),
                returncode=2,
            )
        if options["output"]:
            with open(options["output"], "wb") as stream:
                exporter.write(user=None, fmt=fmt, stream=stream)
            self.stderr.write(_("Written to {file}.").format(file=options["output"]))
        else:
            stream = getattr(self.stdout, "_out", sys.stdout)
            stream = getattr(stream, "buffer", None) or stream
            exporter.write(user=None, fmt=fmt, stream=stream)
            stream.flush()
