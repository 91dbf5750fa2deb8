"""The calculator's hot loop rounds in integers (net × n / d, half-up, in whole fen). These
properties prove it equal to the Decimal rule of the contract: amount × blended rate ×
multiplier quantized to 0.01 with ROUND_HALF_UP, for any amounts, tiers and multipliers."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from gridsales.incentives.amounts import round_fen
from gridsales.incentives.calculator import Calculator, Plan, SaleLine, Tier

CENT = Decimal("0.01")


def decimal_reference(net_fen: int, rate: Fraction, multiplier: Decimal) -> int:
    """The contract's rule in Decimal: enough digits that no inexact quotient can land on
    the wrong side of a half fen (the exact values' denominators are far smaller)."""
    with localcontext() as ctx:
        ctx.prec = 120
        rate_decimal = Decimal(rate.numerator) / Decimal(rate.denominator)
        yuan = Decimal(net_fen) / 100 * rate_decimal * multiplier
        return int(yuan.quantize(CENT, rounding=ROUND_HALF_UP) * 100)


rates = st.decimals(min_value=0, max_value=Decimal("0.3"), places=4)
multipliers = st.decimals(min_value=0, max_value=Decimal("3"), places=2)


@st.composite
def plans(draw):
    starts = sorted(draw(st.sets(st.decimals(0, 2, places=2), min_size=1, max_size=5)))
    tiers = tuple(Tier(start, draw(rates)) for start in starts)
    return Plan(
        name="p",
        currency="CNY",
        tier_basis="attainment",
        tier_mode=draw(st.sampled_from(["marginal", "retroactive"])),
        tiers=tiers,
        category_multipliers={"A": draw(multipliers), "B": draw(multipliers)},
    )


@settings(max_examples=300, deadline=None, database=None)
@given(
    plan=plans(),
    amounts=st.lists(st.integers(0, 10**9), min_size=1, max_size=12),
    categories=st.lists(st.sampled_from(["A", "B", "C"]), min_size=12, max_size=12),
    returned=st.lists(st.integers(0, 100), min_size=12, max_size=12),
    target=st.integers(1, 10**10),
)
def test_every_line_rounds_as_the_decimal_rule(plan, amounts, categories, returned, target):
    lines = [
        SaleLine(
            order_no=f"SO-{i}",
            line_no=1,
            order_date=date(2026, 3, 1 + i),
            rep="r",
            category=categories[i],
            amount_fen=amount,
            returned_fen=amount * returned[i] // 100,
            return_date=date(2026, 3, 20) if returned[i] else None,
        )
        for i, amount in enumerate(amounts)
    ]
    rep = Calculator(plan, lines, {("r", "2026-03"): target}).calculate("2026-03").reps["r"]
    total = 0
    for sale, net, fen in rep.order_lines:
        assert net == sale.amount_fen - sale.returned_fen
        multiplier = plan.category_multipliers.get(sale.category, Decimal(1))
        assert fen == decimal_reference(net, rep.blended_rate, multiplier)
        total += fen
    assert rep.tier_commission_fen == total


@settings(max_examples=500, deadline=None, database=None)
@given(
    numerator=st.integers(-(10**15), 10**15),
    denominator=st.integers(1, 10**9),
)
def test_round_fen_is_round_half_up(numerator, denominator):
    exact = Fraction(numerator, denominator)
    with localcontext() as ctx:
        ctx.prec = 80
        reference = (Decimal(numerator) / Decimal(denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    assert round_fen(exact) == int(reference)
