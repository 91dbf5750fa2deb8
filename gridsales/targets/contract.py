"""The file-in/file-out split (`gridsales targets split SPEC.json`): parse, split, render.

Pure core: no Django, no database. The format is documented in docs/targets.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from gridsales.targets.decompose import (
    METHODS,
    Problem,
    SplitError,
    Unit,
    _,
    fen_str,
    split_tree,
)
from gridsales.targets.periods import WEEK_BASES, PeriodPlan

UNIT_KEYS = {"code", "parent", "reference", "weight", "lock", "min", "max"}
SPEC_KEYS = {
    "total",
    "currency",
    "year",
    "fiscal_year_start_month",
    "method",
    "seasonality",
    "week_basis",
    "units",
}


@dataclass(frozen=True)
class Spec:
    total: Decimal
    currency: str
    year: int
    start_month: int
    method: str | list[str]
    seasonality: object
    week_basis: str
    units: list[Unit]


def load_json(text: str) -> dict:
    """JSON text → dict with numbers as Decimal (never floats)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise SplitError(
            [
                Problem(
                    _("The spec is not valid JSON: {error} (line {line}, column {column})."),
                    {"error": exc.msg, "line": exc.lineno, "column": exc.colno},
                )
            ]
        ) from exc
    if not isinstance(data, dict):
        raise SplitError([Problem(_("The spec must be a JSON object."))])
    return data


def _decimal(value, where: str, problems: list[Problem], *, money: bool) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        problems.append(
            Problem(_("{where}: {value} is not a number."), {"where": where, "value": value})
        )
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(
            Problem(_("{where}: {value} is not a number."), {"where": where, "value": value})
        )
        return None
    if not number.is_finite() or number < 0:
        problems.append(
            Problem(_("{where}: {value} must be zero or more."), {"where": where, "value": value})
        )
        return None
    if money and number != number.quantize(Decimal("0.01")):
        problems.append(
            Problem(
                _("{where}: {value} has more than 2 decimals."), {"where": where, "value": value}
            )
        )
        return None
    return number


def parse_spec(data: dict) -> Spec:
    """Validate a spec dict; every problem is reported at once, naming the field or unit."""
    problems: list[Problem] = []
    unknown = sorted(set(data) - SPEC_KEYS)
    if unknown:
        problems.append(Problem(_("Unknown spec keys: {keys}."), {"keys": ", ".join(unknown)}))
    total = _decimal(data.get("total"), "total", problems, money=True)
    if total is None and "total" not in data:
        problems.append(Problem(_("The spec needs a total.")))
    currency = data.get("currency", "CNY")
    if not isinstance(currency, str) or not currency:
        problems.append(Problem(_("currency must be a code such as CNY.")))
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9998:
        problems.append(
            Problem(_("year must be a year such as 2026, not {value}."), {"value": year})
        )
    start = data.get("fiscal_year_start_month", 1)
    if isinstance(start, bool) or not isinstance(start, int) or not 1 <= start <= 12:
        problems.append(
            Problem(_("fiscal_year_start_month must be 1 to 12, not {value}."), {"value": start})
        )
    method = data.get("method", "equal")
    methods = [method] if isinstance(method, str) else method
    if not isinstance(methods, list) or not methods or any(m not in METHODS for m in methods):
        problems.append(
            Problem(
                _(
                    "method must be equal, reference or weights (or a list of them per level), not {value}."
                ),
                {"value": method},
            )
        )
    seasonality = data.get("seasonality", "flat")
    if seasonality != "flat":
        if not isinstance(seasonality, list) or len(seasonality) != 12:
            problems.append(Problem(_('seasonality must be "flat" or a list of 12 numbers.')))
        else:
            for i, v in enumerate(seasonality):
                _decimal(v, f"seasonality[{i + 1}]", problems, money=False)
    week_basis = data.get("week_basis", "working_days")
    if week_basis not in WEEK_BASES:
        problems.append(
            Problem(
                _("week_basis must be working_days or calendar_days, not {value}."),
                {"value": week_basis},
            )
        )
    raw_units = data.get("units")
    units: list[Unit] = []
    if not isinstance(raw_units, list) or not raw_units:
        problems.append(Problem(_("units must be a non-empty list.")))
        raw_units = []
    for i, raw in enumerate(raw_units, start=1):
        if not isinstance(raw, dict):
            problems.append(Problem(_("Unit #{n} is not an object."), {"n": i}))
            continue
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            problems.append(Problem(_("Unit #{n} has no code."), {"n": i}))
            continue
        extra = sorted(set(raw) - UNIT_KEYS)
        if extra:
            problems.append(
                Problem(
                    _("Unit {unit}: unknown keys {keys}."), {"unit": code, "keys": ", ".join(extra)}
                )
            )
        parent = raw.get("parent")
        if parent is not None and not isinstance(parent, str):
            problems.append(
                Problem(_("Unit {unit}: parent must be a unit code or null."), {"unit": code})
            )
            parent = None
        fields = {}
        for key in ("reference", "weight", "lock", "min", "max"):
            fields[key] = _decimal(
                raw.get(key), f"{code}.{key}", problems, money=key in ("lock", "min", "max")
            )
        units.append(Unit(code=code, parent=parent, **fields))
    if problems:
        raise SplitError(problems)
    return Spec(total, currency, year, start, method, seasonality, week_basis, units)


def run_spec(data: dict, *, lineage: bool = False) -> dict:
    """Split a parsed spec dict into the contract's output dict (amounts as strings)."""
    spec = parse_spec(data)
    split = split_tree(total=spec.total, units=spec.units, method=spec.method)
    plan = PeriodPlan(
        year=spec.year,
        start_month=spec.start_month,
        seasonality=spec.seasonality,
        week_basis=spec.week_basis,
    )
    out_units: dict[str, dict] = {}
    for code, fen in split.amounts.items():
        periods = plan.split(fen)
        row = {
            "year": fen_str(fen),
            "quarters": {k: fen_str(v) for k, v in periods.quarters.items()},
            "months": {k: fen_str(v) for k, v in periods.months.items()},
            "weeks": {k: fen_str(v) for k, v in periods.weeks.items()},
        }
        if lineage:
            row["lineage"] = split.lineage[code].as_dict()
        out_units[code] = row
    result: dict = {"currency": spec.currency, "units": out_units}
    if plan.calendar_note:
        result["calendar_note"] = plan.calendar_note
    return result
