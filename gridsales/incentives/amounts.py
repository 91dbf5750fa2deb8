"""Exact money and rate arithmetic of the calculator: whole fen, half-up, as strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction


def round_fen(x: Fraction) -> int:
    """An exact number of fen → whole fen, half-up (ties away from zero, as ROUND_HALF_UP)."""
    n, d = x.numerator, x.denominator
    if n >= 0:
        return (2 * n + d) // (2 * d)
    return -((-2 * n + d) // (2 * d))


def fen_str(fen: int) -> str:
    """Whole fen → "1234.50" (the contract's money string)."""
    if fen < 0:
        yuan, cents = divmod(-fen, 100)
        return f"-{yuan}.{cents:02d}"
    yuan, cents = divmod(fen, 100)
    return f"{yuan}.{cents:02d}"


def fraction_str(x: Fraction, places: int) -> str:
    """An exact number rounded half-up to `places` decimals, as a string."""
    scaled = round_fen(x * 10**places)
    return f"{Decimal(scaled).scaleb(-places):.{places}f}"


def percent_str(rate: Fraction) -> str:
    """A rate as a percentage with up to 4 decimals ("3.6667%"), for sentences."""
    text = fraction_str(rate * 100, 4).rstrip("0").rstrip(".")
    return f"{text}%"


_MONTHS: dict[date, str] = {}


def month_of(day: date) -> str:
    """ "YYYY-MM" of a date (memoised: a month's million lines share ~30 dates)."""
    month = _MONTHS.get(day)
    if month is None:
        month = _MONTHS[day] = f"{day.year:04d}-{day.month:02d}"
    return month
