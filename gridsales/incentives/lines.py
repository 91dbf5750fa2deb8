"""Statement lines and the sentences that explain them (pure: no Django).

Sentences and warnings are English templates with parameters (`Text`); the Django layer
translates them (gettext_noop-style marking through `_`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from gridsales.incentives.amounts import fen_str, percent_str
from gridsales.incentives.draws import DrawOutcome, DrawRule
from gridsales.incentives.teampool import PoolPart


def _(message: str) -> str:
    """Mark a message for translation; the Django layer translates it."""
    return message


@dataclass(frozen=True)
class Text:
    """A sentence to show: an English template and its parameters."""

    template: str
    params: dict = field(default_factory=dict)

    def render(self, translate=lambda s: s) -> str:
        return translate(self.template).format(**self.params)


# ---------------------------------------------------------------------------- inputs


@dataclass(slots=True)
class Line:
    """One line of a rep's statement, with the sentence that explains it (`explain()`).

    Order lines build their sentence only when asked: a month holds a million of them.
    """

    kind: str
    amount_fen: int
    text: Text | None
    base_fen: int | None = None
    rate: Fraction | None = None
    multiplier: Decimal | None = None
    order_no: str | None = None
    line_no: int | None = None
    ref: object = None
    sale: object = None  # the SaleLine of an order line or a clawback

    def explain(self) -> Text:
        if self.text is not None:
            return self.text
        sale = self.sale
        return order_line_text(
            sale, sale.amount_fen, self.base_fen, self.rate, self.multiplier, self.amount_fen
        )


def order_line_text(ln, gross_fen, base_fen, rate, multiplier, amount_fen) -> Text:
    """The sentence of an order line's commission. `ln` needs order_no, line_no,
    order_date and category; `rate` None means the rep earns nothing (no target)."""
    params = {
        "order": ln.order_no,
        "line": ln.line_no,
        "date": ln.order_date.isoformat(),
        "category": ln.category,
        "base": fen_str(base_fen),
        "rate": "" if rate is None else percent_str(Fraction(rate)),
        "multiplier": str(multiplier),
        "amount": fen_str(amount_fen),
    }
    if rate is None:
        template = _(
            "Order {order} line {line} ({date}, {category}): {base} counts towards the base, "
            "but without a target it earns no commission."
        )
    elif gross_fen != base_fen:
        params["gross"] = fen_str(gross_fen)
        params["returned"] = fen_str(gross_fen - base_fen)
        template = _(
            "Order {order} line {line} ({date}, {category}): {gross} less {returned} returned "
            "in the same month = {base} × blended rate {rate} × multiplier {multiplier} = "
            "{amount}."
        )
    else:
        template = _(
            "Order {order} line {line} ({date}, {category}): {base} × blended rate {rate} × "
            "multiplier {multiplier} = {amount}."
        )
    return Text(template, params)


def pool_line(part: PoolPart, period: str, rate: Decimal) -> Line:
    return Line(
        kind="pool",
        amount_fen=part.amount_fen,
        base_fen=part.pool_fen,
        rate=Fraction(part.share) / Fraction(part.shares),
        text=Text(
            _(
                "Team pool of grid {grid}: the grid sold {revenue} in {period}; {rate} of it "
                "is a pool of {pool}, split by membership share: {share} of the {shares} "
                "share points of the grid's reps = {amount}."
            ),
            {
                "grid": part.grid,  # the application replaces its grid id with the code
                "revenue": fen_str(part.revenue_fen),
                "period": period,
                "rate": percent_str(Fraction(rate)),
                "pool": fen_str(part.pool_fen),
                "share": _number_str(part.share),
                "shares": _number_str(part.shares),
                "amount": fen_str(part.amount_fen),
            },
        ),
    )


def _number_str(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def draw_line(outcome: DrawOutcome, rule: DrawRule | None, hire: date | None) -> Line | None:
    """The statement line of a draw paid or recovered, or None."""
    params = {
        "earned": fen_str(outcome.earned_fen),
        "balance": fen_str(outcome.balance_after_fen),
        "before": fen_str(outcome.balance_before_fen),
    }
    if outcome.draw_fen:
        params |= {
            "month": outcome.month_no,
            "months": rule.months,
            "hired": hire.isoformat(),
            "guarantee": fen_str(rule.amount_fen),
            "amount": fen_str(outcome.draw_fen),
        }
        if rule.recoverable:
            template = _(
                "Draw: month {month} of the {months} guaranteed months after hiring on "
                "{hired}. The total so far, {earned}, is below the guaranteed {guarantee}, "
                "so {amount} tops it up. The draw is recoverable: it is taken back from later "
                "months' earnings (outstanding now: {balance})."
            )
        else:
            template = _(
                "Draw: month {month} of the {months} guaranteed months after hiring on "
                "{hired}. The total so far, {earned}, is below the guaranteed {guarantee}, "
                "so {amount} tops it up. The draw is not recoverable."
            )
        return Line(
            kind="draw",
            amount_fen=outcome.draw_fen,
            base_fen=outcome.earned_fen,
            text=Text(template, params),
        )
    if outcome.recovery_fen:
        params |= {"amount": fen_str(outcome.recovery_fen), "floor": fen_str(outcome.floor_fen)}
        if outcome.floor_fen:
            template = _(
                "Draw recovery: {before} of draws paid earlier is outstanding; {amount} is "
                "recovered from this month's {earned}, which keeps the guaranteed {floor} "
                "(outstanding now: {balance})."
            )
        else:
            template = _(
                "Draw recovery: {before} of draws paid earlier is outstanding; {amount} is "
                "recovered from this month's {earned}, never below zero (outstanding now: "
                "{balance})."
            )
        return Line(
            kind="draw_recovery",
            amount_fen=-outcome.recovery_fen,
            base_fen=outcome.earned_fen,
            text=Text(template, params),
        )
    return None
