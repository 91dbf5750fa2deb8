"""SALES.csv and TARGETS.csv of `gridsales incentives calculate` (docs/incentives.md):
every problem names the file, the line, the column and the value. Pure: no Django."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from gridsales.incentives.calculator import SaleLine, Text, _
from gridsales.incentives.inputs import MAX_PROBLEMS, PERIOD_RE, InputError

SALES_COLUMNS = (
    "order_no",
    "line_no",
    "order_date",
    "rep",
    "category",
    "amount",
    "status",
    "returned_amount",
    "return_date",
)
TARGET_COLUMNS = ("rep", "period", "target")
MEMBERSHIP_COLUMNS = ("rep", "grid", "share")
REP_COLUMNS = ("rep", "hire_date", "draw_balance")
STATUSES = ("confirmed", "cancelled", "returned")

# ---------------------------------------------------------------------------- CSV


def _rows(text: str, file: str, columns: tuple[str, ...]):
    """(line number, row dict) for each data row; the header must name every column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    if missing:
        raise InputError(
            [
                Text(
                    _("{file}: the header lacks the columns {columns}."),
                    {"file": file, "columns": ", ".join(missing)},
                )
            ]
        )
    reader.fieldnames = header
    for row in reader:
        if row.get(None):
            # An unquoted comma (a thousands separator) shifts every later column.
            raise InputError(
                [
                    Text(
                        _(
                            "{file} line {row}: {count} values for {columns} columns; quote "
                            "values that hold a comma and write amounts without separators."
                        ),
                        {
                            "file": file,
                            "row": reader.line_num,
                            "count": len(header) + len(row[None]),
                            "columns": len(header),
                        },
                    )
                ]
            )
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _problem(file, line, column, value, template) -> Text:
    return Text(template, {"file": file, "row": line, "column": column, "value": value})


def _date(value, file, line, column, problems) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(
            _problem(
                file,
                line,
                column,
                value,
                _("{file} line {row}, column {column}: {value} is not a date (use YYYY-MM-DD)."),
            )
        )
        return None


def _fen(value, file, line, column, problems) -> int | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        problems.append(
            _problem(
                file,
                line,
                column,
                value,
                _("{file} line {row}, column {column}: {value} is not an amount of zero or more."),
            )
        )
        return None
    if number != number.quantize(Decimal("0.01")):
        problems.append(
            _problem(
                file,
                line,
                column,
                value,
                _("{file} line {row}, column {column}: {value} has more than 2 decimals."),
            )
        )
        return None
    return int(number * 100)


def parse_sales(text: str, file: str = "SALES.csv") -> list[SaleLine]:
    """SALES.csv text → SaleLines; duplicate (order_no, line_no) pairs are refused."""
    problems: list[Text] = []
    lines: list[SaleLine] = []
    seen: dict[tuple[str, int], int] = {}
    for n, row in _rows(text, file, SALES_COLUMNS):
        before = len(problems)
        for column in ("order_no", "rep"):
            if not row[column]:
                problems.append(
                    _problem(
                        file,
                        n,
                        column,
                        "",
                        _("{file} line {row}, column {column}: the value is missing."),
                    )
                )
        line_no = None
        if row["line_no"].isdigit() and int(row["line_no"]) > 0:
            line_no = int(row["line_no"])
        else:
            problems.append(
                _problem(
                    file,
                    n,
                    "line_no",
                    row["line_no"],
                    _(
                        "{file} line {row}, column {column}: {value} is not a line number (1, 2, …)."
                    ),
                )
            )
        order_date = _date(row["order_date"], file, n, "order_date", problems)
        amount = _fen(row["amount"], file, n, "amount", problems)
        status = row["status"]
        if status not in STATUSES:
            problems.append(
                _problem(
                    file,
                    n,
                    "status",
                    status,
                    _(
                        "{file} line {row}, column {column}: {value} is not a status "
                        "(confirmed, cancelled or returned)."
                    ),
                )
            )
        returned = 0
        if row["returned_amount"]:
            returned = _fen(row["returned_amount"], file, n, "returned_amount", problems)
        elif status == "returned":
            returned = amount  # a returned line without an amount was returned in full
        return_date = None
        if row["return_date"]:
            return_date = _date(row["return_date"], file, n, "return_date", problems)
        if len(problems) == before and status != "cancelled":
            problems.extend(
                _return_problems(file, n, row, amount, returned, order_date, return_date)
            )
        key = (row["order_no"], line_no)
        if key in seen:
            problems.append(
                Text(
                    _(
                        "{file} line {row}: order {order} line {line} already appears on line {first}."
                    ),
                    {"file": file, "row": n, "order": key[0], "line": line_no, "first": seen[key]},
                )
            )
        seen.setdefault(key, n)
        if len(problems) > MAX_PROBLEMS:
            break
        if len(problems) == before:
            cancelled = status == "cancelled"
            lines.append(
                SaleLine(
                    order_no=row["order_no"],
                    line_no=line_no,
                    order_date=order_date,
                    rep=row["rep"],
                    category=row["category"],
                    amount_fen=amount,
                    cancelled=cancelled,
                    returned_fen=0 if cancelled else returned,
                    return_date=None if cancelled else return_date,
                    grid=row.get("grid") or None,
                )
            )
    if problems:
        raise InputError(problems)
    return lines


def _return_problems(file, n, row, amount, returned, order_date, return_date) -> list[Text]:
    status = row["status"]
    if status == "confirmed" and returned:
        return [
            _problem(
                file,
                n,
                "returned_amount",
                row["returned_amount"],
                _(
                    "{file} line {row}, column {column}: {value} is returned but the status is "
                    "confirmed: set the status to returned or clear the amount."
                ),
            )
        ]
    if returned > amount:
        return [
            _problem(
                file,
                n,
                "returned_amount",
                row["returned_amount"],
                _("{file} line {row}, column {column}: {value} is more than the line's amount."),
            )
        ]
    if returned and return_date is None:
        return [
            _problem(
                file,
                n,
                "return_date",
                "",
                _("{file} line {row}, column {column}: a returned line needs its return date."),
            )
        ]
    if return_date is not None and return_date < order_date:
        return [
            _problem(
                file,
                n,
                "return_date",
                row["return_date"],
                _("{file} line {row}, column {column}: {value} is before the order date."),
            )
        ]
    return []


def parse_targets(text: str, file: str = "TARGETS.csv") -> dict[tuple[str, str], int]:
    """TARGETS.csv text → {(rep, period): target fen}; a target must be above zero."""
    problems: list[Text] = []
    targets: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], int] = {}
    for n, row in _rows(text, file, TARGET_COLUMNS):
        before = len(problems)
        if not row["rep"]:
            problems.append(
                _problem(
                    file,
                    n,
                    "rep",
                    "",
                    _("{file} line {row}, column {column}: the value is missing."),
                )
            )
        m = PERIOD_RE.match(row["period"])
        if not m or not 1 <= int(m.group(2)) <= 12:
            problems.append(
                _problem(
                    file,
                    n,
                    "period",
                    row["period"],
                    _(
                        "{file} line {row}, column {column}: {value} is not a month such as 2026-03."
                    ),
                )
            )
        fen = _fen(row["target"], file, n, "target", problems)
        if fen == 0:
            problems.append(
                _problem(
                    file,
                    n,
                    "target",
                    row["target"],
                    _(
                        "{file} line {row}, column {column}: a target must be above zero; "
                        "leave the rep out instead."
                    ),
                )
            )
        key = (row["rep"], row["period"])
        if len(problems) == before and key in first:
            problems.append(
                Text(
                    _(
                        "{file} line {row}: {rep} already has a target for {period} on line {first}."
                    ),
                    {"file": file, "row": n, "rep": key[0], "period": key[1], "first": first[key]},
                )
            )
        if len(problems) > MAX_PROBLEMS:
            break
        if len(problems) == before:
            targets[key] = fen
            first[key] = n
    if problems:
        raise InputError(problems)
    return targets


def _missing(file, n, column) -> Text:
    return _problem(
        file, n, column, "", _("{file} line {row}, column {column}: the value is missing.")
    )


def parse_memberships(text: str, file: str = "MEMBERSHIPS.csv") -> dict[str, dict[str, Decimal]]:
    """MEMBERSHIPS.csv text → {grid: {rep: share %}}: the grids' reps in the period."""
    problems: list[Text] = []
    grids: dict[str, dict[str, Decimal]] = {}
    first: dict[tuple[str, str], int] = {}
    for n, row in _rows(text, file, MEMBERSHIP_COLUMNS):
        before = len(problems)
        for column in ("rep", "grid"):
            if not row[column]:
                problems.append(_missing(file, n, column))
        share = _fen(row["share"], file, n, "share", problems)
        if share is not None and share > 10000:
            problems.append(
                _problem(
                    file,
                    n,
                    "share",
                    row["share"],
                    _("{file} line {row}, column {column}: {value} is above 100 (a percentage)."),
                )
            )
        key = (row["rep"], row["grid"])
        if len(problems) == before and key in first:
            problems.append(
                Text(
                    _("{file} line {row}: {rep} is already in grid {grid} on line {first}."),
                    {"file": file, "row": n, "rep": key[0], "grid": key[1], "first": first[key]},
                )
            )
        if len(problems) > MAX_PROBLEMS:
            break
        if len(problems) == before:
            first[key] = n
            grids.setdefault(row["grid"], {})[row["rep"]] = Decimal(share) / 100
    if problems:
        raise InputError(problems)
    return grids


def parse_reps(text: str, file: str = "REPS.csv") -> tuple[dict[str, date], dict[str, int]]:
    """REPS.csv text → ({rep: hire date}, {rep: draw balance fen outstanding before})."""
    problems: list[Text] = []
    hires: dict[str, date] = {}
    balances: dict[str, int] = {}
    first: dict[str, int] = {}
    for n, row in _rows(text, file, REP_COLUMNS):
        before = len(problems)
        if not row["rep"]:
            problems.append(_missing(file, n, "rep"))
        hire = None
        if row["hire_date"]:
            hire = _date(row["hire_date"], file, n, "hire_date", problems)
        balance = 0
        if row["draw_balance"]:
            balance = _fen(row["draw_balance"], file, n, "draw_balance", problems)
        if len(problems) == before and row["rep"] in first:
            problems.append(
                Text(
                    _("{file} line {row}: {rep} already appears on line {first}."),
                    {"file": file, "row": n, "rep": row["rep"], "first": first[row["rep"]]},
                )
            )
        if len(problems) > MAX_PROBLEMS:
            break
        if len(problems) == before:
            first[row["rep"]] = n
            if hire is not None:
                hires[row["rep"]] = hire
            if balance:
                balances[row["rep"]] = balance
    if problems:
        raise InputError(problems)
    return hires, balances
