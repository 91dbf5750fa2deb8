"""The draw (guarantee) for new reps (docs/incentives.md, "Draw"). Pure: no Django.

In the first `months` months from the hire date (the hire month is month 1) a rep whose
total is below `amount` gets a draw topping it up to `amount`. A recoverable draw becomes
an outstanding balance, recovered from later months' positive totals: never below zero,
and inside the guarantee months never below the guaranteed amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DrawRule:
    """The plan's `draw`: the guaranteed amount, for how many months, recoverable or not."""

    amount: Decimal
    months: int
    recoverable: bool = False

    @property
    def amount_fen(self) -> int:
        return int(self.amount * 100)


@dataclass(frozen=True)
class DrawOutcome:
    month_no: int | None  # 1 for the hire month; None without a hire date
    in_window: bool
    earned_fen: int  # the total before the draw or its recovery
    balance_before_fen: int
    draw_fen: int  # paid in this month (≥ 0)
    recovery_fen: int  # recovered in this month (≥ 0; a statement line shows it negative)
    balance_after_fen: int
    floor_fen: int  # what a recovery leaves at least: the guarantee in its months, else 0


def month_number(hire: date, period: str) -> int:
    """The month `period` (YYYY-MM) counted from the hire month (= 1)."""
    return int(period[:4]) * 12 + int(period[5:7]) - (hire.year * 12 + hire.month) + 1


def apply_draw(
    rule: DrawRule | None, earned_fen: int, hire: date | None, period: str, balance_fen: int
) -> DrawOutcome:
    """The draw paid or recovered in `period` for a rep whose total so far is `earned_fen`
    and whose outstanding balance before the month is `balance_fen`."""
    month_no = month_number(hire, period) if hire is not None else None
    in_window = bool(rule and month_no is not None and 1 <= month_no <= rule.months)
    draw = recovery = 0
    floor = rule.amount_fen if in_window else 0
    if in_window and earned_fen < rule.amount_fen:
        draw = rule.amount_fen - earned_fen
    elif balance_fen > 0 and earned_fen > floor:
        recovery = min(balance_fen, earned_fen - floor)
    added = draw if rule is not None and rule.recoverable else 0
    return DrawOutcome(
        month_no=month_no,
        in_window=in_window,
        earned_fen=earned_fen,
        balance_before_fen=balance_fen,
        draw_fen=draw,
        recovery_fen=recovery,
        balance_after_fen=balance_fen + added - recovery,
        floor_fen=floor,
    )
