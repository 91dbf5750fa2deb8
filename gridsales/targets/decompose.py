"""Top-down target decomposition along a unit tree: the pure core (no Django).

Money is handled in integer fen (0.01) and split by **largest remainder**, so the parts
of every split add up exactly to the whole; ties go to the item that comes first. Weights
are exact rationals (`Fraction`), never floats.

A sibling group shares its parent's amount:

- locked units get their lock; the unlocked ones share the rest;
- each unlocked unit gets `clip(λ × weight, min, max)` with the one λ that makes the group
  add up to the rest (`min` defaults to 0, `max` to unbounded); without bounds this is
  plain proportional splitting;
- the weight is 1 (method `equal`), the unit's reference (`reference`; an internal unit
  without one uses the sum of its children's) or its manual weight (`weights`); when the
  weights of all unlocked siblings are zero or missing, they split equally.

Impossible locks or bounds raise `SplitError`, whose problems name the units. Every unit's
`Lineage` says how its amount came about ("why is my target this number").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

METHODS = ("equal", "reference", "weights")
CENT = Decimal("0.01")


def _(message: str) -> str:
    """Mark a message for translation; the Django layer translates it (gettext_noop)."""
    return message


THE_TOTAL = _("the total")  # stands for the parent of top-level units in messages


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a split: an English template and its parameters."""

    template: str
    params: dict = field(default_factory=dict)

    def message(self, translate=lambda s: s) -> str:
        # Parameters are data (unit codes, amounts), except the word for the plan's total.
        params = {k: translate(v) if v == THE_TOTAL else v for k, v in self.params.items()}
        return translate(self.template).format(**params)


class SplitError(ValueError):
    """The split is impossible (or its input malformed); `problems` say why and where."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.message() for p in self.problems))

    def messages(self, translate=lambda s: s) -> list[str]:
        return [p.message(translate) for p in self.problems]


# ---------------------------------------------------------------------------- money


def to_fen(amount: Decimal) -> int:
    """Decimal yuan → integer fen; the amount must have at most 2 decimals."""
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has more than 2 decimals")
    return int(fen)


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)


def fen_str(fen: int) -> str:
    """Integer fen → "1234.56" (exactly two decimals, no exponent)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def int_weights(weights: Sequence) -> list[int]:
    """Exact non-negative weights (int, Decimal, Fraction) → integers in the same ratio."""
    fracs = [Fraction(w) for w in weights]
    if any(f < 0 for f in fracs):
        raise ValueError("negative weight")
    lcm = 1
    for f in fracs:
        lcm = lcm * f.denominator // math.gcd(lcm, f.denominator)
    return [int(f * lcm) for f in fracs]


def split_fen(total: int, weights: Sequence[int]) -> tuple[list[int], list[int]]:
    """Split `total` fen in proportion to integer `weights` by largest remainder.

    Returns (parts, bumps): bumps[i] is 1 when part i got one of the leftover fen. All-zero
    weights split equally. Ties go to the earlier index.
    """
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("nothing to split into")
        return [], []
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights = [1] * n
        weight_sum = n
    parts = [0] * n
    rems = [0] * n
    for i, w in enumerate(weights):
        parts[i], rems[i] = divmod(total * w, weight_sum)
    bumps = [0] * n
    left = total - sum(parts)
    if left:
        for i in sorted(range(n), key=lambda i: (-rems[i], i))[:left]:
            parts[i] += 1
            bumps[i] = 1
    return parts, bumps


def largest_remainder(total: Decimal, weights: Sequence) -> list[Decimal]:
    """Split a money amount (≤ 2 decimals) by exact weights; parts sum exactly to total."""
    parts, _bumps = split_fen(to_fen(total), int_weights(weights))
    return [from_fen(p) for p in parts]


# ---------------------------------------------------------------------------- bounds


@dataclass(frozen=True)
class Bounded:
    """The result of a bounded split: fen per unit, which bound bit, who got a leftover fen."""

    parts: list[int]
    bound: list[str | None]
    bumps: list[int]
    lam: Fraction | None


def _clip(x: Fraction, lo: int, hi: int | None) -> Fraction:
    if x < lo:
        return Fraction(lo)
    if hi is not None and x > hi:
        return Fraction(hi)
    return x


def bounded_split(
    rest: int, weights: Sequence[Fraction], lows: Sequence[int], highs: Sequence[int | None]
) -> Bounded:
    """Each unit gets clip(λ·w, lo, hi) with Σ = rest, rounded to the fen by largest remainder.

    The caller has checked feasibility (Σ lo ≤ rest ≤ the most the units can take). f(λ) =
    Σ clip(λ·w, lo, hi) is piecewise linear and non-decreasing with kinks at lo/w and hi/w,
    so λ is found exactly: binary search over the sorted kinks, then solve the linear piece.
    Weights are scaled to integers first so f is evaluated in integer arithmetic.
    """
    n = len(weights)
    ws = int_weights(weights)
    items = list(zip(ws, lows, highs, strict=True))
    kinks = sorted(
        {
            Fraction(b, w)
            for w, lo, hi in items
            if w > 0
            for b in ((lo, hi) if hi is not None else (lo,))
        }
    )

    def f(lam: Fraction) -> Fraction:
        num, den = lam.numerator, lam.denominator
        free, fixed = 0, 0
        for w, lo, hi in items:
            x = num * w
            if x < lo * den:
                fixed += lo
            elif hi is not None and x > hi * den:
                fixed += hi
            else:
                free += x
        return Fraction(free, den) + fixed

    lam: Fraction
    if f(Fraction(0)) >= rest:
        lam = Fraction(0)
    else:
        lo_i, hi_i = 0, len(kinks)  # first kink with f(kink) >= rest
        while lo_i < hi_i:
            mid = (lo_i + hi_i) // 2
            if f(kinks[mid]) >= rest:
                hi_i = mid
            else:
                lo_i = mid + 1
        left = kinks[lo_i - 1] if lo_i > 0 else Fraction(0)
        f_left = f(left)
        if lo_i < len(kinks):
            right = kinks[lo_i]
            lam = left + (rest - f_left) * (right - left) / (f(right) - f_left)
        else:
            # Beyond the last kink only the units without a max still grow.
            slope = sum(w for w, _lo, hi in items if w > 0 and hi is None)
            lam = left + (rest - f_left) / slope
    exact = [_clip(lam * w, lo, hi) for w, lo, hi in items]
    bound: list[str | None] = []
    for w, lo, hi in items:
        raw = lam * w
        bound.append("min" if raw < lo else "max" if hi is not None and raw > hi else None)
    parts = [x.numerator // x.denominator for x in exact]
    rems = [x - p for x, p in zip(exact, parts, strict=True)]
    bumps = [0] * n
    left_over = rest - sum(parts)
    for i in sorted(range(n), key=lambda i: (-rems[i], i))[:left_over]:
        parts[i] += 1
        bumps[i] = 1
    return Bounded(parts, bound, bumps, lam)


# ---------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Unit:
    """A node of the split tree. Money fields are Decimal yuan (≤ 2 decimals)."""

    code: str
    parent: str | None = None
    reference: Decimal | None = None
    weight: Decimal | None = None
    lock: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class Lineage:
    """Why a unit's amount is what it is."""

    parent: str | None
    parent_amount: int  # fen
    method: str  # equal / reference / weights / lock
    basis: Fraction | None  # the unit's weight in its group (reference, weight or 1)
    basis_total: Fraction | None  # the sum of the unlocked siblings' weights
    equal_fallback: bool  # all siblings' weights were zero or missing
    lock: int | None  # fen
    min: int | None
    max: int | None
    bound: str | None  # "min" / "max" when the bound decided the amount
    locked_siblings: int  # fen the locked siblings took before the rest was shared
    rounding_fen: int  # 1 when largest-remainder rounding added a fen

    def as_dict(self) -> dict:
        def money(v):
            return None if v is None else fen_str(v)

        def num(v):
            if v is None:
                return None
            return (
                str(Decimal(v.numerator) / Decimal(v.denominator))
                if v.denominator != 1
                else (str(v.numerator))
            )

        share = None
        if self.basis is not None and self.basis_total:
            share = str(
                (
                    Decimal(self.basis.numerator)
                    / self.basis.denominator
                    / (Decimal(self.basis_total.numerator) / self.basis_total.denominator)
                ).quantize(Decimal("0.000001"))
            )
        return {
            "parent": self.parent,
            "parent_amount": money(self.parent_amount),
            "method": self.method,
            "basis": num(self.basis),
            "basis_total": num(self.basis_total),
            "share": share,
            "equal_fallback": self.equal_fallback,
            "lock": money(self.lock),
            "min": money(self.min),
            "max": money(self.max),
            "bound": self.bound,
            "locked_siblings": money(self.locked_siblings),
            "rounding_fen": self.rounding_fen,
        }


@dataclass(frozen=True)
class Split:
    """The result: amount (fen) and lineage per unit code, in input order."""

    amounts: dict[str, int]
    lineage: dict[str, Lineage]


def _fen_or_none(v: Decimal | None) -> int | None:
    return None if v is None else to_fen(v)


def check_tree(units: Sequence[Unit]) -> dict[str | None, list[Unit]]:
    """Children per parent code (None = top level), validating codes, parents and cycles."""
    problems: list[Problem] = []
    by_code: dict[str, Unit] = {}
    for u in units:
        if u.code in by_code:
            problems.append(Problem(_("Unit {unit} appears twice."), {"unit": u.code}))
        by_code[u.code] = u
    for u in units:
        if u.parent is not None and u.parent not in by_code:
            problems.append(
                Problem(
                    _("Unit {unit} names parent {parent}, which is not a unit."),
                    {"unit": u.code, "parent": u.parent},
                )
            )
    if not problems:
        for u in units:
            seen = {u.code}
            p = u.parent
            while p is not None:
                if p in seen:
                    problems.append(
                        Problem(_("Unit {unit} is its own ancestor (a cycle)."), {"unit": u.code})
                    )
                    break
                seen.add(p)
                p = by_code[p].parent
    if not units:
        problems.append(Problem(_("There are no units to split into.")))
    if problems:
        raise SplitError(problems)
    children: dict[str | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent, []).append(u)
    return children


def effective_references(
    children: dict[str | None, list[Unit]], units: Sequence[Unit]
) -> dict[str, Decimal | None]:
    """A unit's own reference, else the sum of its children's (None when nobody has one)."""
    result: dict[str, Decimal | None] = {}

    def visit(unit: Unit) -> Decimal | None:
        stack = [(unit, False)]
        while stack:
            u, done = stack.pop()
            kids = children.get(u.code, [])
            if u.reference is not None or not kids:
                result[u.code] = u.reference
                continue
            if not done:
                stack.append((u, True))
                stack.extend((k, False) for k in kids if k.code not in result)
                continue
            refs = [result[k.code] for k in kids if result[k.code] is not None]
            result[u.code] = sum(refs, Decimal(0)) if refs else None
        return result[unit.code]

    for u in units:
        if u.code not in result:
            visit(u)
    return result


def _group_problems(parent: str | None, amount: int, group: Sequence[Unit]) -> list[Problem]:
    problems = []
    for u in group:
        if u.min is not None and u.max is not None and u.min > u.max:
            problems.append(
                Problem(
                    _("Unit {unit}: min {min} is above max {max}."),
                    {"unit": u.code, "min": fen_str(to_fen(u.min)), "max": fen_str(to_fen(u.max))},
                )
            )
        if u.lock is not None and (
            (u.min is not None and u.lock < u.min) or (u.max is not None and u.lock > u.max)
        ):
            problems.append(
                Problem(
                    _("Unit {unit}: lock {lock} is outside its min/max bounds."),
                    {"unit": u.code, "lock": fen_str(to_fen(u.lock))},
                )
            )
    return problems


def split_tree(
    *,
    total: Decimal,
    units: Sequence[Unit],
    method: str | Sequence[str] = "equal",
) -> Split:
    """Split `total` down the tree. `method` is one method for every level, or one per
    depth (top level first; the last repeats for deeper levels)."""
    methods = [method] if isinstance(method, str) else list(method)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise SplitError(
            [
                Problem(
                    _("Unknown method {method}: use equal, reference or weights."),
                    {"method": ", ".join(bad) or "—"},
                )
            ]
        )
    children = check_tree(units)
    refs = effective_references(children, units) if "reference" in methods else {}
    amounts: dict[str, int] = {}
    lineage: dict[str, Lineage] = {}
    problems: list[Problem] = []
    total_fen = to_fen(total)
    if total_fen < 0:
        raise SplitError([Problem(_("The total cannot be negative."))])

    queue: list[tuple[str | None, int, int]] = [(None, total_fen, 0)]
    while queue:
        parent, amount, depth = queue.pop()
        group = children.get(parent, [])
        if not group:
            continue
        level_method = methods[min(depth, len(methods) - 1)]
        group_problems = _group_problems(parent, amount, group)
        if group_problems:
            problems += group_problems
            continue
        locked = [u for u in group if u.lock is not None]
        free = [u for u in group if u.lock is None]
        locked_fen = sum(to_fen(u.lock) for u in locked)
        rest = amount - locked_fen
        parent_name = parent if parent is not None else THE_TOTAL
        if rest < 0 or (not free and rest != 0):
            problems.append(
                Problem(
                    _(
                        "Locks of {units} add up to {locks}, but {parent} has {amount} to share:"
                        " locked units must leave a non-negative rest, and when every unit is"
                        " locked they must add up exactly."
                    ),
                    {
                        "units": ", ".join(u.code for u in locked),
                        "locks": fen_str(locked_fen),
                        "parent": parent_name,
                        "amount": fen_str(amount),
                    },
                )
            )
            continue
        for u in locked:
            fen = to_fen(u.lock)
            amounts[u.code] = fen
            lineage[u.code] = Lineage(
                parent,
                amount,
                "lock",
                None,
                None,
                False,
                fen,
                _fen_or_none(u.min),
                _fen_or_none(u.max),
                None,
                locked_fen,
                0,
            )
        if free:
            if level_method == "equal":
                raw = [Fraction(1)] * len(free)
            elif level_method == "reference":
                raw = [Fraction(refs.get(u.code) or 0) for u in free]
            else:
                raw = [Fraction(u.weight or 0) for u in free]
            if any(w < 0 for w in raw):
                problems.append(
                    Problem(
                        _("Units {units} have a negative reference or weight."),
                        {
                            "units": ", ".join(
                                u.code for u, w in zip(free, raw, strict=True) if w < 0
                            )
                        },
                    )
                )
                continue
            fallback = not any(raw)
            weights = [Fraction(1)] * len(free) if fallback else raw
            lows = [_fen_or_none(u.min) or 0 for u in free]
            highs = [_fen_or_none(u.max) for u in free]
            bounded = any(lows) or any(h is not None for h in highs)
            if bounded:
                lo_sum = sum(lows)
                # A unit of weight 0 stays at its minimum whatever λ is.
                can_grow = any(w > 0 and h is None for w, h in zip(weights, highs, strict=True))
                hi_sum = sum(
                    lo if w == 0 else (h or 0)
                    for w, lo, h in zip(weights, lows, highs, strict=True)
                )
                if lo_sum > rest:
                    problems.append(
                        Problem(
                            _(
                                "The minimums of {units} add up to {mins}, more than the {rest}"
                                " left for them under {parent}."
                            ),
                            {
                                "units": ", ".join(u.code for u in free if u.min),
                                "mins": fen_str(lo_sum),
                                "rest": fen_str(rest),
                                "parent": parent_name,
                            },
                        )
                    )
                    continue
                if not can_grow and hi_sum < rest:
                    problems.append(
                        Problem(
                            _(
                                "The maximums of {units} add up to {maxs}, less than the {rest}"
                                " they must share under {parent}."
                            ),
                            {
                                "units": ", ".join(u.code for u in free),
                                "maxs": fen_str(hi_sum),
                                "rest": fen_str(rest),
                                "parent": parent_name,
                            },
                        )
                    )
                    continue
                result = bounded_split(rest, weights, lows, highs)
                parts, bound, bumps = result.parts, result.bound, result.bumps
            else:
                parts, bumps = split_fen(rest, int_weights(weights))
                bound = [None] * len(free)
            basis_total = sum(weights, Fraction(0))
            for u, w, fen, b, bump in zip(free, weights, parts, bound, bumps, strict=True):
                amounts[u.code] = fen
                lineage[u.code] = Lineage(
                    parent,
                    amount,
                    "equal" if fallback else level_method,
                    w,
                    basis_total,
                    fallback and level_method != "equal",
                    None,
                    _fen_or_none(u.min),
                    _fen_or_none(u.max),
                    b,
                    locked_fen,
                    bump,
                )
        for u in group:
            queue.append((u.code, amounts[u.code], depth + 1))
    if problems:
        raise SplitError(problems)
    order = [u.code for u in units]
    return Split({c: amounts[c] for c in order}, {c: lineage[c] for c in order})
