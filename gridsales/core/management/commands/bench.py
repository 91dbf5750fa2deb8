"""`gridsales bench NAME [options]`: run a benchmark that an app registers.

An app registers benchmarks in its `bench.py` module: a dict `BENCHES` of name → a class
with `help` (str), `add_arguments(parser)` and `run(options, out)` (out: a callable that
prints a line). Benchmarks report ratios against the baseline their issue names, measured
in the same run; results go to docs/benchmarks.md by hand.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridsales.core.discovery import app_registrations


def registered_benches() -> dict[str, object]:
    return app_registrations("bench", "BENCHES")


class Command(BaseCommand):
    help = _("Run a benchmark: gridsales bench NAME [options]; gridsales bench --list.")

    def add_arguments(self, parser):
        self.benches = registered_benches()
        parser.add_argument("--list", action="store_true", help=_("List the benchmarks."))
        sub = parser.add_subparsers(dest="bench", metavar="NAME")
        for name, bench in sorted(self.benches.items()):
            bench_parser = sub.add_parser(name, help=str(bench.help))
            bench.add_arguments(bench_parser)

    def handle(self, *args, **options):
        if options["list"] or not options.get("bench"):
            if not self.benches:
                self.stdout.write(_("No benchmarks are registered."))
            for name, bench in sorted(self.benches.items()):
                self.stdout.write(f"{name:16} {bench.help}")
            return
        bench = self.benches.get(options["bench"])
        if bench is None:
            raise CommandError(_("Unknown benchmark {name}.").format(name=options["bench"]))
        bench.run(options, self.stdout.write)
