"""Ranking rows by a value, with the tie rule of the leaderboards and award rules.

Pure core (no Django). The tie rule is standard competition ranking ("1224"): equal
values share a rank and the next value's rank counts everyone before it (two reps tied
first are both 1, the next is 3). Within a tie rows keep a stable order by their name.
Rows without a value (an attainment without a target, a win rate without closed deals)
are not ranked: they come last with rank None.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

# KPIs where less is better: the fastest cycle, the fewest overdue contacts rank first.
LOWER_IS_BETTER = frozenset({"avg_cycle_days", "median_cycle_days", "overdue_contacts"})


def as_number(value) -> Decimal | None:
    """A KPI value as the engine gives it (a string, an int or None) → Decimal or None."""
    if value is None or value == "":
        return None
    return Decimal(str(value))


def rank_rows(rows: list[dict], metric: str, name: Callable[[dict], str]) -> list[dict]:
    """`rows` (dicts with `metric`) sorted best first, each with "rank" and "number"."""
    lower = metric in LOWER_IS_BETTER
    valued, empty = [], []
    for row in rows:
        number = as_number(row.get(metric))
        (empty if number is None else valued).append({**row, "number": number})
    valued.sort(key=lambda r: (r["number"] if lower else -r["number"], name(r)))
    previous, rank = None, 0
    for position, row in enumerate(valued, start=1):
        if row["number"] != previous:
            rank, previous = position, row["number"]
        row["rank"] = rank
    empty.sort(key=name)
    for row in empty:
        row["rank"] = None
    return valued + empty


def top(rows: list[dict], n: int, metric: str) -> list[dict]:
    """The ranked rows within the first `n` ranks (ties at the boundary all in), leaving
    out values that earn nothing: zero or less where more is better."""
    lower = metric in LOWER_IS_BETTER
    return [
        r for r in rows if r["rank"] is not None and r["rank"] <= n and (lower or r["number"] > 0)
    ]
