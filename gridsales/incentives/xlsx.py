"""Excel exports: a run's statements (what the user may see) and one statement's lines."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from gridsales.incentives.models import CommissionRun, Statement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _money(value):
    return None if value is None else float(value)  # Excel cells; exact values are in the CSV/API


def _book(title: str, header: list[str], rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_run(user, run: CommissionRun) -> bytes:
    """One row per statement the user may see."""
    statements = (
        Statement.objects.restrict(user, "view")
        .filter(run=run)
        .select_related("rep", "grid")
        .order_by("rep__username")
    )
    header = [
        _("Rep"),
        _("Grid"),
        _("Base"),
        _("Target"),
        _("Attainment"),
        _("Tier commission"),
        _("Bonus"),
        _("Cap adjustment"),
        _("Team pool"),
        _("Clawback"),
        _("Draw"),
        _("Draw recovery"),
        _("Adjustments"),
        _("Total"),
        _("Draw outstanding"),
    ]
    rows = (
        [
            s.rep.username,
            s.grid.code if s.grid else "",
            _money(s.base),
            _money(s.target),
            None if s.attainment is None else float(s.attainment),
            _money(s.tier_commission),
            _money(s.bonus),
            _money(s.cap_adjustment),
            _money(s.pool),
            _money(s.clawback),
            _money(s.draw),
            _money(s.draw_recovery),
            _money(s.adjustments),
            _money(s.total),
            _money(s.draw_balance),
        ]
        for s in statements
    )
    return _book(run.period, header, rows)


def export_statement(statement: Statement) -> bytes:
    """Every line of a statement with its explanation."""
    header = [
        _("Kind"),
        _("Order number"),
        _("Line"),
        _("Base"),
        _("Rate"),
        _("Multiplier"),
        _("Amount"),
        _("Explanation"),
    ]
    rows = (
        [
            line.get_kind_display(),
            line.order_no,
            line.line_no,
            _money(line.base),
            None if line.line_rate is None else float(line.line_rate),
            None if line.line_multiplier is None else float(line.line_multiplier),
            _money(line.amount),
            line.explanation,
        ]
        for line in statement.display_lines()
    )
    return _book(f"{statement.run.period} {statement.rep.username}", header, rows)
