"""The grid team pool (docs/incentives.md, "Team pool"): a share of a grid's revenue, split
among the grid's reps by their membership share. Pure: no Django.

The pool of grid G in month P = rate × G's revenue in P (the lines attributed to G on the
line, counted as a rep's base is), rounded half-up to the fen. Each rep's part is the pool
× their share ÷ the sum of the shares, handed out in whole fen by the largest-remainder
rule, so the parts add up to the pool exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from gridsales.incentives.amounts import round_fen


@dataclass(frozen=True)
class PoolPart:
    """One rep's part of one grid's pool."""

    grid: object
    revenue_fen: int  # the grid's revenue in the month
    pool_fen: int  # the grid's whole pool
    share: Decimal  # the rep's membership share (percent)
    shares: Decimal  # the sum of the shares of the grid's reps
    amount_fen: int  # the rep's part


def split_largest_remainder(total_fen: int, weights: dict, order: Callable) -> dict:
    """`total_fen` split in proportion to `weights` (all > 0), in whole fen adding up to
    `total_fen` exactly: every part is its exact value rounded down, then the fen left
    over go one each to the largest remainders (ties: the first by `order`).

    Whenever rounding every part half-up already adds up, this gives the same parts."""
    whole = sum(Fraction(w) for w in weights.values())
    parts: dict = {}
    remainders = []
    for key, weight in weights.items():
        exact = total_fen * Fraction(weight) / whole
        floor = exact.numerator // exact.denominator
        parts[key] = floor
        remainders.append((exact - floor, key))
    left = total_fen - sum(parts.values())
    remainders.sort(key=lambda r: (-r[0], order(r[1])))
    for _rest, key in remainders[:left]:
        parts[key] += 1
    return parts


def pool_parts(
    rate: Decimal,
    revenue_fen: int,
    members: dict,
    grid: object,
    order: Callable = lambda rep: rep,
) -> dict:
    """rep → PoolPart for one grid: `members` maps the grid's reps to their share (%)."""
    members = {rep: Decimal(share) for rep, share in members.items() if share > 0}
    pool_fen = round_fen(Fraction(rate) * revenue_fen)
    if not members or pool_fen <= 0:
        return {}
    shares = sum(members.values(), Decimal(0))
    split = split_largest_remainder(pool_fen, members, order)
    return {
        rep: PoolPart(grid, revenue_fen, pool_fen, members[rep], shares, split[rep])
        for rep in members
    }
