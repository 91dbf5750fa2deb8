"""`gridsales recognition award --period 2026-03`: run the award rules for a period that
has ended (and the quarter or year it closes). Running it again gives nothing new."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from gridsales.recognition.services import awards_by_rules


class Command(BaseCommand):
    help = "Recognition: run the award rules for a period (award --period 2026-03)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        award = sub.add_parser("award", help="Give the rule-based awards of a period.")
        award.add_argument("--period", required=True, help="2026-03, 2026-Q1 or 2026")

    def handle(self, *args, action, period, **options):
        try:
            report = awards_by_rules(period=period.strip().upper())
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for row in report:
            given = ", ".join(row["given"]) or "-"
            self.stdout.write(f"{row['type']} {row['period']}: {given}")
        total = sum(len(row["given"]) for row in report)
        self.stdout.write(f"{total} new award(s).")
