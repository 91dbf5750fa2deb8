"""Money: Decimal with 2 places (the fen), rounded half up. No floats in money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MONEY = {"max_digits": 16, "decimal_places": 2}
FEN = Decimal("0.01")


def to_fen(value) -> Decimal:
    """`value` (Decimal, int or numeric string) rounded half up to the fen."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
