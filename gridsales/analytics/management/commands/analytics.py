"""`gridsales analytics rebuild`: recompute every rollup from the order lines."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from gridsales.analytics.services import rollup_rebuild


class Command(BaseCommand):
    help = _("Analytics maintenance: “rebuild” recomputes the rollups from the order lines.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild"])

    def handle(self, *args, **options):
        started = time.perf_counter()
        counts = rollup_rebuild()
        seconds = time.perf_counter() - started
        for table, rows in counts.items():
            self.stdout.write(f"{table}: {rows} rows")
        self.stdout.write(f"rebuilt in {seconds:.1f} s")
