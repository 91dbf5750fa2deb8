"""Commission rules of issue 7, as a pure core: no Django, no database.

Money is held as integer fen and every intermediate as an exact Fraction, so the only
rounding is the one the rules name: each line's commission (and each clawback, and each
grid's team pool) rounded half-up to 0.01. docs/incentives.md explains the rules for
finance. The team pool's split is in teampool.py, the draw in draws.py, the statement
lines and their sentences in lines.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from gridsales.incentives.amounts import fen_str, month_of, percent_str, round_fen
from gridsales.incentives.draws import DrawRule, apply_draw
from gridsales.incentives.lines import (  # noqa: F401 (Text, _, order_line_text: re-exported)
    Line,
    Text,
    _,
    draw_line,
    order_line_text,
    pool_line,
)
from gridsales.incentives.teampool import pool_parts

TIER_BASES = ("attainment", "amount")
TIER_MODES = ("marginal", "retroactive")
KINDS = ("order_line", "bonus", "cap", "pool", "clawback", "draw", "draw_recovery")


@dataclass(frozen=True)
class Tier:
    start: Decimal  # a fraction of the target (attainment basis) or an amount
    rate: Decimal


@dataclass(frozen=True)
class Bonus:
    threshold: Decimal  # attainment, as a fraction of the target
    amount: Decimal


@dataclass(frozen=True)
class Plan:
    """A commission plan: the contract's PLAN.json, validated."""

    name: str
    currency: str
    tier_basis: str
    tier_mode: str
    tiers: tuple[Tier, ...]
    category_multipliers: dict[str, Decimal]
    bonuses: tuple[Bonus, ...] = ()
    cap: Decimal | None = None
    clawback_days: int = 0
    team_pool_rate: Decimal | None = None  # the share of a grid's revenue pooled
    draw: DrawRule | None = None


@dataclass(slots=True)
class SaleLine:
    """One order line credited to a rep (a row of SALES.csv or an OrderLine fact).

    `amount_fen` and `returned_fen` are whole fen; `ref` is the caller's handle (the
    OrderLine id) carried to the statement line.
    """

    order_no: str
    line_no: int
    order_date: date
    rep: str
    category: str
    amount_fen: int
    cancelled: bool = False
    returned_fen: int = 0
    return_date: date | None = None
    ref: object = None
    grid: object = None  # the grid the line is attributed to (its team pool)


# ---------------------------------------------------------------------------- outputs


@dataclass(frozen=True)
class Slice:
    """The part of the base that falls in one tier and what it earns (before rounding)."""

    start: Decimal
    end: Decimal | None
    base: Fraction  # fen
    rate: Decimal
    commission: Fraction  # fen


@dataclass
class RepResult:
    rep: str
    base_fen: int = 0
    target_fen: int | None = None
    attainment: Fraction | None = None
    blended_rate: Fraction = Fraction(0)
    slices: list[Slice] = field(default_factory=list)
    tier_commission_fen: int = 0
    bonus_fen: int = 0
    cap_adjustment_fen: int = 0
    pool_fen: int = 0
    clawback_fen: int = 0
    draw_fen: int = 0
    draw_recovery_fen: int = 0  # ≤ 0, as it lowers the total
    draw_balance_fen: int = 0  # outstanding after this month
    # Order lines as (sale line, net fen, commission fen), sharing `line_rate` and their
    # category's multiplier (`multipliers`): a month holds a million of them, too many
    # for an object each. `other_lines`: bonus, cap and clawbacks. `lines` joins both.
    order_lines: list[tuple[SaleLine, int, int]] = field(default_factory=list)
    line_rate: Fraction | None = None
    multipliers: dict[str, Decimal] = field(default_factory=dict)
    other_lines: list[Line] = field(default_factory=list)
    warnings: list[Text] = field(default_factory=list)

    @property
    def lines(self) -> list[Line]:
        """Every line in statement order: the order lines, then bonus, cap, clawbacks."""
        rate, mults = self.line_rate, self.multipliers
        own = [
            Line(
                "order_line",
                fen,
                None,
                net,
                rate,
                mults[ln.category],
                ln.order_no,
                ln.line_no,
                ln.ref,
                ln,
            )
            for ln, net, fen in self.order_lines
        ]
        return own + self.other_lines

    @property
    def total_fen(self) -> int:
        return self.earned_fen + self.draw_fen + self.draw_recovery_fen

    @property
    def earned_fen(self) -> int:
        """The total before the draw and its recovery."""
        return (
            self.tier_commission_fen
            + self.bonus_fen
            + self.cap_adjustment_fen
            + self.pool_fen
            + self.clawback_fen
        )


@dataclass
class Result:
    period: str
    currency: str
    reps: dict[str, RepResult]


# ---------------------------------------------------------------------------- rules


@dataclass
class _Rates:
    """A rep's tier outcome for one period: what each of its lines earns per fen."""

    base_fen: int
    target_fen: int | None
    slices: list[Slice]
    blended: Fraction
    earns: bool  # False: no target under the attainment basis


def _tier_outcome(plan: Plan, base_fen: int, target_fen: int | None) -> _Rates:
    if plan.tier_basis == "attainment":
        if not target_fen:
            return _Rates(base_fen, target_fen, [], Fraction(0), earns=False)
        unit = Fraction(target_fen)
    else:
        unit = Fraction(100)  # tier starts are amounts in yuan
    bounds = [Fraction(t.start) * unit for t in plan.tiers]
    base = Fraction(base_fen)
    slices: list[Slice] = []
    if plan.tier_mode == "marginal":
        for i, tier in enumerate(plan.tiers):
            lo = bounds[i]
            hi = bounds[i + 1] if i + 1 < len(bounds) else None
            part = max(Fraction(0), (base if hi is None else min(base, hi)) - lo)
            end = plan.tiers[i + 1].start if hi is not None else None
            if part > 0:
                slices.append(Slice(tier.start, end, part, tier.rate, part * Fraction(tier.rate)))
    else:
        reached = [i for i, lo in enumerate(bounds) if base >= lo]
        if reached and base > 0:
            i = reached[-1]
            tier = plan.tiers[i]
            end = plan.tiers[i + 1].start if i + 1 < len(plan.tiers) else None
            slices.append(Slice(tier.start, end, base, tier.rate, base * Fraction(tier.rate)))
    raw = sum((s.commission for s in slices), Fraction(0))
    blended = raw / base if base > 0 else Fraction(0)
    return _Rates(base_fen, target_fen, slices, blended, earns=True)


def _counted_return(line: SaleLine, period: str) -> int:
    """The returned amount that lowers the base of the line's own period."""
    if line.returned_fen and line.return_date and month_of(line.return_date) == period:
        return line.returned_fen
    return 0


ONE = Decimal("1")


def _multiplier(plan: Plan, category: str) -> Decimal:
    return plan.category_multipliers.get(category, ONE)


class Calculator:
    """Applies one plan to a set of lines and targets (rep → period → target fen)."""

    def __init__(
        self,
        plan: Plan,
        lines: Iterable[SaleLine],
        targets: dict[tuple[str, str], int],
        *,
        line_order=None,
        memberships: dict | None = None,
        grid_revenue: dict | None = None,
        hires: dict | None = None,
        draw_balances: dict | None = None,
        rep_order=None,
        grouped: dict | None = None,
    ):
        """`lines`: the sale lines (SaleLine), or `grouped`: the non-cancelled lines
        already grouped by (rep, month of the order date), as the database reads them.

        `line_order`: the sort key of a rep's lines on the statement; by default date,
        order number, line number (the database passes its ids: cheaper, same order).

        For the team pool: `memberships` grid → {rep: share %} (the grids' reps in the
        period) and, when the lines given are not all the period's lines, `grid_revenue`
        (grid, period) → fen. For the draw: `hires` rep → hire date and `draw_balances`
        rep → fen outstanding before the period. `rep_order`: the sort key of reps where
        a tie must be broken (pool remainders); by default the rep itself."""
        self.plan = plan
        self.line_order = line_order or (lambda ln: (ln.order_date, ln.order_no, ln.line_no))
        self.targets = targets
        self.memberships = memberships or {}
        self.hires = hires or {}
        self.draw_balances = draw_balances or {}
        self.rep_order = rep_order or (lambda rep: rep)
        self.grid_revenue = grid_revenue
        self.by_rep_period: dict[tuple[str, str], list[SaleLine]] = grouped or group_lines(lines)
        if self.grid_revenue is None and plan.team_pool_rate is not None:
            self.grid_revenue = grid_revenue_of(self.by_rep_period)
        self._rates: dict[tuple[str, str], _Rates] = {}
        self._pools: dict[tuple[object, str], dict] = {}

    def rates(self, rep: str, period: str) -> _Rates:
        key = (rep, period)
        if key not in self._rates:
            base = 0
            for ln in self.by_rep_period.get(key, ()):
                base += ln.amount_fen
                if ln.returned_fen and ln.return_date and month_of(ln.return_date) == period:
                    base -= ln.returned_fen
            self._rates[key] = _tier_outcome(self.plan, base, self.targets.get(key))
        return self._rates[key]

    def calculate(self, period: str, only: set | None = None) -> Result:
        """Every rep's result for `period` (only those in `only` when given)."""
        plan = self.plan
        clawbacks: dict[str, list[SaleLine]] = defaultdict(list)
        for (rep, month), lines in self.by_rep_period.items():
            if month >= period:
                continue
            for line in lines:
                if line.returned_fen and line.return_date and month_of(line.return_date) == period:
                    clawbacks[rep].append(line)
        reps = {rep for rep, p in self.by_rep_period if p == period}
        reps |= {rep for rep, p in self.targets if p == period}
        reps |= set(clawbacks)
        self._pool_by_rep: dict = defaultdict(list)
        if plan.team_pool_rate is not None:
            for grid in sorted(self.memberships, key=str):
                for rep, part in self.pool(grid, period).items():
                    self._pool_by_rep[rep].append(part)
            reps |= set(self._pool_by_rep)
        reps |= {rep for rep, fen in self.draw_balances.items() if fen > 0}
        if plan.draw is not None:
            reps |= {
                rep
                for rep, hire in self.hires.items()
                if hire is not None and apply_draw(plan.draw, 0, hire, period, 0).in_window
            }
        if only is not None:
            reps &= only
        result = Result(period=period, currency=plan.currency, reps={})
        for rep in sorted(reps, key=self.rep_order):
            result.reps[rep] = self._rep(rep, period, clawbacks.get(rep, []))
        return result

    def pool(self, grid, period: str) -> dict:
        """rep → PoolPart of `grid`'s team pool in `period` (empty without a pool)."""
        key = (grid, period)
        if key not in self._pools:
            self._pools[key] = pool_parts(
                self.plan.team_pool_rate,
                (self.grid_revenue or {}).get(key, 0),
                self.memberships.get(grid, {}),
                grid,
                self.rep_order,
            )
        return self._pools[key]

    def _rep(self, rep: str, period: str, clawed: list[SaleLine]) -> RepResult:
        plan = self.plan
        rates = self.rates(rep, period)
        out = RepResult(
            rep=rep,
            base_fen=rates.base_fen,
            target_fen=rates.target_fen,
            blended_rate=rates.blended,
            slices=rates.slices,
        )
        if rates.target_fen:
            out.attainment = Fraction(rates.base_fen, rates.target_fen)
        if not rates.earns:
            out.warnings.append(
                Text(
                    _(
                        "{rep} has no target for {period}: under the attainment basis no "
                        "commission and no bonus are paid. Add the target and recalculate."
                    ),
                    {"rep": rep, "period": period},
                )
            )
        elif out.attainment is None and plan.bonuses:
            out.warnings.append(
                Text(
                    _("{rep} has no target for {period}: no bonus can be reached."),
                    {"rep": rep, "period": period},
                )
            )
        # Per category, the line rate blended × multiplier as an integer fraction n/d: a
        # line's commission is then net × n / d rounded half-up, in integers.
        factors: dict[str, tuple[int, int, Decimal]] = {}
        own = sorted(self.by_rep_period.get((rep, period), ()), key=self.line_order)
        out.line_rate = rates.blended if rates.earns else None
        commission = 0
        append = out.order_lines.append
        for ln in own:
            factor = factors.get(ln.category)
            if factor is None:
                mult = _multiplier(plan, ln.category)
                f = rates.blended * Fraction(mult)
                factor = factors[ln.category] = (2 * f.numerator, 2 * f.denominator, mult)
            net = ln.amount_fen
            if ln.returned_fen and ln.return_date and month_of(ln.return_date) == period:
                net -= ln.returned_fen
            n2, d2, _mult = factor
            fen = (net * n2 + d2 // 2) // d2  # net ≥ 0: half-up
            commission += fen
            append((ln, net, fen))
        out.tier_commission_fen = commission
        out.multipliers = {category: f[2] for category, f in factors.items()}
        self._bonus(out)
        self._cap(out)
        for part in self._pool_by_rep.get(rep, ()):
            out.pool_fen += part.amount_fen
            out.other_lines.append(pool_line(part, period, plan.team_pool_rate))
        for ln in sorted(clawed, key=lambda ln: (ln.return_date, ln.order_no, ln.line_no)):
            line = self._clawback(ln, period)
            if line is not None:
                out.clawback_fen += line.amount_fen
                out.other_lines.append(line)
        outcome = apply_draw(
            plan.draw, out.earned_fen, self.hires.get(rep), period, self.draw_balances.get(rep, 0)
        )
        out.draw_fen = outcome.draw_fen
        out.draw_recovery_fen = -outcome.recovery_fen
        out.draw_balance_fen = outcome.balance_after_fen
        line = draw_line(outcome, plan.draw, self.hires.get(rep))
        if line is not None:
            out.other_lines.append(line)
        return out

    def _bonus(self, out: RepResult) -> None:
        if out.attainment is None:
            return
        reached = [b for b in self.plan.bonuses if out.attainment >= Fraction(b.threshold)]
        if not reached:
            return
        best = max(reached, key=lambda b: (b.threshold, b.amount))
        fen = int(best.amount * 100)
        out.bonus_fen = fen
        out.other_lines.append(
            Line(
                kind="bonus",
                amount_fen=fen,
                base_fen=out.base_fen,
                text=Text(
                    _(
                        "Bonus: attainment {attainment} reached the {threshold} threshold, "
                        "so {amount} is paid (only the highest bonus reached counts)."
                    ),
                    {
                        "attainment": percent_str(out.attainment),
                        "threshold": percent_str(Fraction(best.threshold)),
                        "amount": fen_str(fen),
                    },
                ),
            )
        )

    def _cap(self, out: RepResult) -> None:
        if self.plan.cap is None:
            return
        cap_fen = int(self.plan.cap * 100)
        earned = out.tier_commission_fen + out.bonus_fen
        if earned <= cap_fen:
            return
        out.cap_adjustment_fen = cap_fen - earned
        out.other_lines.append(
            Line(
                kind="cap",
                amount_fen=out.cap_adjustment_fen,
                base_fen=earned,
                text=Text(
                    _(
                        "Cap: commission and bonus come to {earned}, above the cap of {cap} "
                        "for the period, so {amount} brings them down to the cap."
                    ),
                    {
                        "earned": fen_str(earned),
                        "cap": fen_str(cap_fen),
                        "amount": fen_str(out.cap_adjustment_fen),
                    },
                ),
            )
        )

    def _clawback(self, ln: SaleLine, period: str) -> Line | None:
        days = (ln.return_date - ln.order_date).days
        if days > self.plan.clawback_days or ln.amount_fen <= 0:
            return None
        own_period = month_of(ln.order_date)
        rates = self.rates(ln.rep, own_period)
        mult = _multiplier(self.plan, ln.category)
        own_net = ln.amount_fen - _counted_return(ln, own_period)
        own_fen = round_fen(own_net * rates.blended * Fraction(mult))
        fen = -round_fen(Fraction(ln.returned_fen, ln.amount_fen) * own_fen)
        return Line(
            kind="clawback",
            amount_fen=fen,
            base_fen=own_fen,
            rate=Fraction(ln.returned_fen, ln.amount_fen),
            order_no=ln.order_no,
            line_no=ln.line_no,
            ref=ln.ref,
            sale=ln,
            text=Text(
                _(
                    "Clawback: order {order} line {line} ({date}) had {returned} of {gross} "
                    "returned on {return_date}, {days} days after the order (within "
                    "{limit}): −({returned} / {gross}) × its {own_period} commission "
                    "{own} = {amount}."
                ),
                {
                    "order": ln.order_no,
                    "line": ln.line_no,
                    "date": ln.order_date.isoformat(),
                    "returned": fen_str(ln.returned_fen),
                    "gross": fen_str(ln.amount_fen),
                    "return_date": ln.return_date.isoformat(),
                    "days": days,
                    "limit": self.plan.clawback_days,
                    "own_period": own_period,
                    "own": fen_str(own_fen),
                    "amount": fen_str(fen),
                },
            ),
        )


def group_lines(lines: Iterable[SaleLine]) -> dict[tuple[object, str], list[SaleLine]]:
    """(rep, month of the order date) → the rep's non-cancelled lines of that month."""
    grouped: dict[tuple[object, str], list[SaleLine]] = defaultdict(list)
    for line in lines:
        if not line.cancelled:
            grouped[(line.rep, month_of(line.order_date))].append(line)
    return grouped


def grid_revenue_of(grouped: dict[tuple[object, str], list]) -> dict[tuple[object, str], int]:
    """(grid, month) → the revenue of the lines attributed to the grid (`grouped`: the
    non-cancelled lines by (rep, month)), each counted as in its rep's base (less a
    return in the same month)."""
    revenue: dict[tuple[object, str], int] = defaultdict(int)
    for (_rep, month), lines in grouped.items():
        for ln in lines:
            if ln.grid is not None:
                revenue[(ln.grid, month)] += ln.amount_fen - _counted_return(ln, month)
    return dict(revenue)


def calculate(
    plan: Plan,
    lines: Iterable[SaleLine],
    targets: dict[tuple[str, str], int],
    period: str,
    **extra,
) -> Result:
    """Every rep's commission for `period` (YYYY-MM) under `plan`.

    `targets` maps (rep, period) → target in fen, for the period and for the earlier
    periods whose lines may be clawed back. `extra`: the Calculator's keyword arguments
    (memberships for the team pool, hires and draw balances for the draw).
    """
    return Calculator(plan, lines, targets, **extra).calculate(period)
