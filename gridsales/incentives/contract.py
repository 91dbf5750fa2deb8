"""The file-in/file-out calculation (`gridsales incentives calculate`): parse, calculate, render.

Pure core: no Django, no database. docs/incentives.md describes the formats. Every problem
with the input names the file, the line, the column and the value, and all are reported at
once (up to MAX_PROBLEMS).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from gridsales.incentives.amounts import fen_str, fraction_str
from gridsales.incentives.calculator import (
    TIER_BASES,
    TIER_MODES,
    Bonus,
    DrawRule,
    Plan,
    Result,
    Text,
    Tier,
    _,
)
from gridsales.incentives.csvfiles import (  # noqa: F401
    parse_memberships,
    parse_reps,
    parse_sales,
    parse_targets,
)
from gridsales.incentives.inputs import MAX_PROBLEMS, PERIOD_RE, InputError  # noqa: F401

PLAN_KEYS = {
    "name",
    "currency",
    "tier_basis",
    "tier_mode",
    "tiers",
    "category_multipliers",
    "bonuses",
    "cap",
    "clawback_days",
    "team_pool",
    "draw",
}


def parse_period(value: str) -> str:
    """ "2026-03" → "2026-03"; anything else is an InputError."""
    m = PERIOD_RE.match(value or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise InputError(
            [Text(_("--period must be a month such as 2026-03, not {value}."), {"value": value})]
        )
    return value


# ---------------------------------------------------------------------------- plan


def _number(value, where: str, file: str, problems: list[Text], *, money=False) -> Decimal | None:
    bad = isinstance(value, bool) or not isinstance(value, str | int | Decimal)
    number = None
    if not bad:
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            bad = True
    if bad or not number.is_finite() or number < 0:
        problems.append(
            Text(
                _("{file}: {where} must be a number, zero or more, not {value}."),
                {"file": file, "where": where, "value": value},
            )
        )
        return None
    if money and number != number.quantize(Decimal("0.01")):
        problems.append(
            Text(
                _("{file}: {where} is {value}, which has more than 2 decimals."),
                {"file": file, "where": where, "value": value},
            )
        )
        return None
    return number


def parse_plan(text: str, file: str = "PLAN.json") -> Plan:
    """PLAN.json text → Plan (numbers read as Decimal, never float)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Text(
                    _("{file} is not valid JSON: {error} (line {line}, column {column})."),
                    {"file": file, "error": exc.msg, "line": exc.lineno, "column": exc.colno},
                )
            ]
        ) from exc
    if not isinstance(data, dict):
        raise InputError([Text(_("{file} must hold a JSON object."), {"file": file})])
    problems: list[Text] = []
    unknown = sorted(set(data) - PLAN_KEYS)
    if unknown:
        problems.append(
            Text(_("{file}: unknown keys {keys}."), {"file": file, "keys": ", ".join(unknown)})
        )
    name = data.get("name", "")
    currency = data.get("currency", "CNY")
    if not isinstance(name, str):
        problems.append(Text(_("{file}: name must be text."), {"file": file}))
    if not isinstance(currency, str) or not currency:
        problems.append(Text(_("{file}: currency must be a code such as CNY."), {"file": file}))
    basis = data.get("tier_basis", "attainment")
    if basis not in TIER_BASES:
        problems.append(
            Text(
                _("{file}: tier_basis must be attainment or amount, not {value}."),
                {"file": file, "value": basis},
            )
        )
    mode = data.get("tier_mode", "marginal")
    if mode not in TIER_MODES:
        problems.append(
            Text(
                _("{file}: tier_mode must be marginal or retroactive, not {value}."),
                {"file": file, "value": mode},
            )
        )
    tiers: list[Tier] = []
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        problems.append(Text(_("{file}: tiers must be a non-empty list."), {"file": file}))
        raw_tiers = []
    for i, raw in enumerate(raw_tiers, start=1):
        if not isinstance(raw, dict) or set(raw) != {"from", "rate"}:
            problems.append(
                Text(
                    _('{file}: tier #{n} must be an object with "from" and "rate".'),
                    {"file": file, "n": i},
                )
            )
            continue
        start = _number(raw["from"], f"tiers[{i}].from", file, problems)
        rate = _number(raw["rate"], f"tiers[{i}].rate", file, problems)
        if start is None or rate is None:
            continue
        if tiers and start <= tiers[-1].start:
            problems.append(
                Text(
                    _("{file}: tier #{n} starts at {value}, not above the tier before it."),
                    {"file": file, "n": i, "value": raw["from"]},
                )
            )
            continue
        tiers.append(Tier(start, rate))
    multipliers: dict[str, Decimal] = {}
    raw_mult = data.get("category_multipliers") or {}
    if not isinstance(raw_mult, dict):
        problems.append(Text(_("{file}: category_multipliers must be an object."), {"file": file}))
        raw_mult = {}
    for category, value in raw_mult.items():
        number = _number(value, f"category_multipliers.{category}", file, problems)
        if number is not None:
            multipliers[category] = number
    bonuses: list[Bonus] = []
    raw_bonuses = data.get("bonuses") or []
    if not isinstance(raw_bonuses, list):
        problems.append(Text(_("{file}: bonuses must be a list."), {"file": file}))
        raw_bonuses = []
    for i, raw in enumerate(raw_bonuses, start=1):
        if not isinstance(raw, dict) or set(raw) != {"attainment_at_least", "amount"}:
            problems.append(
                Text(
                    _(
                        '{file}: bonus #{n} must be an object with "attainment_at_least" and "amount".'
                    ),
                    {"file": file, "n": i},
                )
            )
            continue
        threshold = _number(
            raw["attainment_at_least"], f"bonuses[{i}].attainment_at_least", file, problems
        )
        amount = _number(raw["amount"], f"bonuses[{i}].amount", file, problems, money=True)
        if threshold is not None and amount is not None:
            bonuses.append(Bonus(threshold, amount))
    cap = data.get("cap")
    if cap is not None:
        cap = _number(cap, "cap", file, problems, money=True)
    days = data.get("clawback_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        problems.append(
            Text(
                _("{file}: clawback_days must be a whole number of days, not {value}."),
                {"file": file, "value": days},
            )
        )
    pool_rate = _team_pool(data.get("team_pool"), file, problems)
    draw = _draw(data.get("draw"), file, problems)
    if problems:
        raise InputError(problems)
    return Plan(
        name=name,
        currency=currency,
        tier_basis=basis,
        tier_mode=mode,
        tiers=tuple(tiers),
        category_multipliers=multipliers,
        bonuses=tuple(bonuses),
        cap=cap,
        clawback_days=days,
        team_pool_rate=pool_rate,
        draw=draw,
    )


def _team_pool(raw, file: str, problems: list[Text]) -> Decimal | None:
    """`"team_pool": {"rate": "0.005"}` → the rate (None: no pool)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"rate"}:
        problems.append(
            Text(_('{file}: team_pool must be an object with "rate" only.'), {"file": file})
        )
        return None
    rate = _number(raw["rate"], "team_pool.rate", file, problems)
    if rate is not None and rate > 1:
        problems.append(
            Text(
                _("{file}: team_pool.rate is {value}; a share of revenue is at most 1."),
                {"file": file, "value": raw["rate"]},
            )
        )
        return None
    return rate


def _draw(raw, file: str, problems: list[Text]) -> DrawRule | None:
    """`"draw": {"amount": "3000.00", "months": 3, "recoverable": true}` → DrawRule."""
    if raw is None:
        return None
    if (
        not isinstance(raw, dict)
        or not {"amount", "months"} <= set(raw)
        or not set(raw) <= {"amount", "months", "recoverable"}
    ):
        problems.append(
            Text(
                _('{file}: draw must be an object with "amount", "months" and "recoverable".'),
                {"file": file},
            )
        )
        return None
    amount = _number(raw["amount"], "draw.amount", file, problems, money=True)
    months = raw["months"]
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        problems.append(
            Text(
                _("{file}: draw.months must be a whole number of months from 1, not {value}."),
                {"file": file, "value": months},
            )
        )
        return None
    recoverable = raw.get("recoverable", False)
    if not isinstance(recoverable, bool):
        problems.append(
            Text(
                _("{file}: draw.recoverable must be true or false, not {value}."),
                {"file": file, "value": recoverable},
            )
        )
        return None
    if amount is None:
        return None
    return DrawRule(amount=amount, months=months, recoverable=recoverable)


# ---------------------------------------------------------------------------- output


def rate_str(rate: Fraction | None) -> str | None:
    """A rate to 10 decimals, trailing zeros dropped ("0.0366666667", "0.05")."""
    if rate is None:
        return None
    text = fraction_str(rate, 10)
    return text.rstrip("0").rstrip(".") if "." in text else text


def render(result: Result, translate=lambda s: s) -> dict:
    """The contract's output dict: money as strings with 2 decimals, attainment with 4."""
    reps = {}
    for rep, r in result.reps.items():
        reps[rep] = {
            "base": fen_str(r.base_fen),
            "target": None if r.target_fen is None else fen_str(r.target_fen),
            "attainment": None if r.attainment is None else fraction_str(r.attainment, 4),
            "blended_rate": rate_str(r.blended_rate),
            "tier_commission": fen_str(r.tier_commission_fen),
            "bonus": fen_str(r.bonus_fen),
            "cap_adjustment": fen_str(r.cap_adjustment_fen),
            "pool": fen_str(r.pool_fen),
            "clawback": fen_str(r.clawback_fen),
            "draw": fen_str(r.draw_fen),
            "draw_recovery": fen_str(r.draw_recovery_fen),
            "draw_balance": fen_str(r.draw_balance_fen),
            "total": fen_str(r.total_fen),
            "warnings": [w.render(translate) for w in r.warnings],
            "tiers": [
                {
                    "from": str(s.start),
                    "to": None if s.end is None else str(s.end),
                    "base": fraction_str(s.base / 100, 2),
                    "rate": str(s.rate),
                    "commission": fraction_str(s.commission / 100, 2),
                }
                for s in r.slices
            ],
            "lines": [
                {
                    "kind": ln.kind,
                    "order_no": ln.order_no,
                    "line_no": ln.line_no,
                    "base": None if ln.base_fen is None else fen_str(ln.base_fen),
                    "rate": rate_str(ln.rate),
                    "multiplier": None if ln.multiplier is None else str(ln.multiplier),
                    "amount": fen_str(ln.amount_fen),
                    "sentence": ln.explain().render(translate),
                }
                for ln in r.lines
            ],
        }
    return {"period": result.period, "currency": result.currency, "reps": reps}
