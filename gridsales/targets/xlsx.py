"""Excel (and CSV) in and out for targets: plan export/import, actuals import.

Imports validate every row first and report errors as (row, column, value, reason); the
caller writes nothing when there is any error.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from gridsales.accounts.models import User
from gridsales.grids.models import Grid
from gridsales.targets.choices import Metric
from gridsales.targets.models import PeriodKind, TargetPlan, TargetPlanVersion
from gridsales.targets.selectors import matrix, month_keys


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: object
    reason: str

    def __str__(self) -> str:
        return _("Row {row}, column {column}, value “{value}”: {reason}").format(
            row=self.row, column=self.column, value=self.value, reason=self.reason
        )


def export_plan(user, version: TargetPlanVersion) -> bytes:
    """The cells the user may see: a Months sheet (with year and quarters), a Weeks sheet
    and a Lineage sheet. The Months sheet is also the import format."""
    plan = version.plan
    wb = Workbook()
    ws = wb.active
    ws.title = "Months"
    months, rows = matrix(user, version, PeriodKind.MONTH)
    ws.append(["grid", "grid_name", "rep", "year", *months])
    for r in rows:
        ws.append(
            [r.grid_code, r.grid_name, r.username, r.year, *[amount for _k, amount, _id in r.cells]]
        )
    for kind, title in ((PeriodKind.QUARTER, "Quarters"), (PeriodKind.WEEK, "Weeks")):
        sheet = wb.create_sheet(title)
        keys, rows = matrix(user, version, kind)
        sheet.append(["grid", "rep", *keys])
        for r in rows:
            sheet.append([r.grid_code, r.username, *[amount for _k, amount, _id in r.cells]])
    sheet = wb.create_sheet("Lineage")
    sheet.append(
        [
            "grid",
            "rep",
            "method",
            "parent",
            "parent_amount",
            "basis",
            "share",
            "lock",
            "bound",
            "rounding_fen",
        ]
    )
    for r in rows:
        lin = r.lineage or {}
        sheet.append(
            [
                r.grid_code,
                r.username,
                lin.get("method"),
                lin.get("parent"),
                lin.get("parent_amount"),
                lin.get("basis"),
                lin.get("share") or lin.get("share_pct"),
                lin.get("lock"),
                lin.get("bound"),
                lin.get("rounding_fen"),
            ]
        )
    info = wb.create_sheet("Plan")
    for label, value in (
        ("code", plan.code),
        ("name", plan.name),
        ("year", plan.year),
        ("fiscal_year_start_month", plan.fiscal_year_start_month),
        ("version", version.number),
        ("currency", plan.currency),
        ("calendar_note", version.calendar_note),
    ):
        info.append([label, value])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _money(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("not a number")) from None
    if not number.is_finite() or number < 0:
        raise ValueError(_("must be zero or more"))
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("more than 2 decimals"))
    return number


def parse_plan(plan: TargetPlan, content: bytes, user) -> tuple[list[dict], list[RowError]]:
    """Read a Months sheet (grid, grid_name, rep, year, one column per month) into unit rows
    {grid, user, year, months[12]}; a unit's months must add up to its year."""
    errors: list[RowError] = []
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        return [], [RowError(1, "-", "", _("The file is not an Excel workbook (.xlsx)."))]
    ws = wb["Months"] if "Months" in wb.sheetnames else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    expected = ["grid", "grid_name", "rep", "year", *month_keys(plan)]
    header = [str(c).strip() if c is not None else "" for c in (rows[0] if rows else [])]
    if header[: len(expected)] != expected:
        return [], [
            RowError(
                1,
                "-",
                ", ".join(header),
                _("The header must be: {columns}.").format(columns=", ".join(expected)),
            )
        ]
    grids = {g.code: g for g in Grid.objects.restrict(user, "view")}
    users = {u.username: u for u in User.objects.restrict(user, "view")}
    result, seen = [], set()
    for n, row in enumerate(rows[1:], start=2):
        if not row or all(c in (None, "") for c in row):
            continue
        row = list(row) + [None] * (len(expected) - len(row))
        code, rep = str(row[0] or "").strip(), str(row[2] or "").strip()
        grid = grids.get(code)
        if grid is None:
            errors.append(RowError(n, "grid", code, _("no such grid (or not visible to you)")))
        rep_user = None
        if rep:
            rep_user = users.get(rep)
            if rep_user is None:
                errors.append(RowError(n, "rep", rep, _("no such user")))
        if (code, rep) in seen:
            errors.append(RowError(n, "grid", code, _("this unit appears twice")))
        seen.add((code, rep))
        amounts = []
        for column, value in zip(expected[3:], row[3 : len(expected)], strict=True):
            try:
                amount = _money(value)
            except ValueError as exc:
                errors.append(RowError(n, column, value, str(exc)))
                amount = None
            amounts.append(amount)
        year, months = amounts[0], amounts[1:]
        if year is None and all(m is not None for m in months):
            year = sum(months, Decimal(0))
        if year is None:
            errors.append(RowError(n, "year", row[3], _("a year amount is needed")))
            continue
        if any(m is None for m in months):
            errors.append(RowError(n, "-", "", _("every month needs an amount")))
            continue
        if sum(months, Decimal(0)) != year:
            errors.append(
                RowError(
                    n,
                    "year",
                    year,
                    _("the months add up to {sum}, not the year").format(
                        sum=sum(months, Decimal(0))
                    ),
                )
            )
            continue
        result.append({"grid": grid, "user": rep_user, "year": year, "months": months})
    return result, errors


ACTUAL_COLUMNS = ("grid", "rep", "date", "amount")


def _read_table(name: str, content: bytes) -> list[list]:
    if name.lower().endswith(".xlsx"):
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("The file is neither UTF-8 nor GBK text."))
    return [list(r) for r in csv.reader(io.StringIO(text))]


def parse_actuals(name: str, content: bytes, user) -> tuple[list[dict], list[RowError]]:
    """CSV (UTF-8/GBK) or XLSX with columns grid, rep (optional), date (YYYY-MM-DD or
    YYYY-MM for a month), amount, metric (optional, default revenue)."""
    try:
        table = _read_table(name, content)
    except Exception as exc:  # a broken file: one error, nothing written
        return [], [RowError(1, "-", name, str(exc) or _("The file cannot be read."))]
    if not table:
        return [], [RowError(1, "-", "", _("The file is empty."))]
    header = [str(c or "").strip().lower() for c in table[0]]
    missing = [c for c in ("grid", "date", "amount") if c not in header]
    if missing:
        return [], [RowError(1, ", ".join(missing), ", ".join(header), _("missing column(s)"))]
    idx = {c: header.index(c) for c in header}
    grids = {g.code: g for g in Grid.objects.restrict(user, "view")}
    users = {u.username: u for u in User.objects.restrict(user, "view")}
    rows, errors = [], []
    for n, raw in enumerate(table[1:], start=2):
        if not raw or all(c in (None, "") for c in raw):
            continue
        raw = list(raw) + [None] * (len(header) - len(raw))

        def cell(column, raw=raw):
            return raw[idx[column]] if column in idx else None

        code = str(cell("grid") or "").strip()
        grid = grids.get(code)
        if grid is None:
            errors.append(RowError(n, "grid", code, _("no such grid (or not visible to you)")))
        rep = str(cell("rep") or "").strip()
        rep_user = users.get(rep) if rep else None
        if rep and rep_user is None:
            errors.append(RowError(n, "rep", rep, _("no such user")))
        value = cell("date")
        day = None
        if isinstance(value, datetime.datetime):
            day = value.date()
        elif isinstance(value, datetime.date):
            day = value
        else:
            text = str(value or "").strip()
            try:
                day = (
                    datetime.date.fromisoformat(text + "-01")
                    if len(text) == 7
                    else datetime.date.fromisoformat(text)
                )
            except ValueError:
                errors.append(
                    RowError(n, "date", text, _("use YYYY-MM-DD, or YYYY-MM for a month"))
                )
        try:
            amount = _money(cell("amount"))
            if amount is None:
                raise ValueError(_("an amount is needed"))
        except ValueError as exc:
            errors.append(RowError(n, "amount", cell("amount"), str(exc)))
            amount = None
        metric = str(cell("metric") or Metric.REVENUE).strip()
        if metric not in Metric.values:
            errors.append(RowError(n, "metric", metric, _("unknown metric")))
        if grid is not None and day is not None and amount is not None:
            rows.append(
                {"grid": grid, "user": rep_user, "date": day, "amount": amount, "metric": metric}
            )
    return rows, errors
