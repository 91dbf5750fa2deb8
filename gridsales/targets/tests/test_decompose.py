"""The split core, to the fen: amounts below are worked out by hand."""

import random
from decimal import Decimal as D
from fractions import Fraction

import pytest

from gridsales.targets.decompose import (
    SplitError,
    Unit,
    bounded_split,
    fen_str,
    largest_remainder,
    split_fen,
    split_tree,
)


def amounts(split):
    return {code: fen_str(fen) for code, fen in split.amounts.items()}


# ---------------------------------------------------------------- largest remainder


def test_a_fen_that_cannot_be_shared_goes_to_the_first_of_equal_parts():
    assert split_fen(100, [1, 1, 1]) == ([34, 33, 33], [1, 0, 0])
    assert largest_remainder(D("0.05"), [1] * 6) == [D("0.01")] * 5 + [D("0.00")]


def test_the_largest_remainder_wins_the_leftover_fen():
    # 10.00 × 1/3 = 3.333…, × 2/3 = 6.666…: the second has the larger remainder.
    assert largest_remainder(D("10.00"), [1, 2]) == [D("3.33"), D("6.67")]
    # 1.00 by 0.5 / 0.25 / 0.25: exact, no rounding.
    assert largest_remainder(D("1.00"), [D("0.5"), D("0.25"), D("0.25")]) == [
        D("0.50"),
        D("0.25"),
        D("0.25"),
    ]


def test_all_zero_weights_split_equally():
    assert split_fen(10, [0, 0, 0])[0] == [4, 3, 3]


def test_parts_always_add_up_and_are_never_negative():
    rng = random.Random(4)
    for _ in range(500):
        n = rng.randint(1, 12)
        total = rng.randint(0, 10**9)
        weights = [rng.choice([0, rng.randint(1, 10**6)]) for _ in range(n)]
        parts, _bumps = split_fen(total, weights)
        assert sum(parts) == total and min(parts) >= 0
        if any(weights):
            w = sum(weights)
            for p, wi in zip(parts, weights, strict=True):
                assert abs(Fraction(p) - Fraction(total * wi, w)) < 1


def test_money_with_more_than_two_decimals_is_refused():
    with pytest.raises(ValueError):
        largest_remainder(D("1.001"), [1])


# ---------------------------------------------------------------- bounds


def test_a_max_passes_the_excess_to_the_others_by_weight():
    # 100.00 over weights 1:1:2, A capped at 10.00: the rest 90.00 goes 1:2 → 30 / 60.
    b = bounded_split(10000, [Fraction(1), Fraction(1), Fraction(2)], [0, 0, 0], [1000, None, None])
    assert b.parts == [1000, 3000, 6000]
    assert b.bound == ["max", None, None]
    assert b.lam == 3000


def test_a_min_lifts_a_small_unit_and_the_others_pay_for_it():
    # weights 1:9 over 100.00 would give 10 / 90; A's min 30.00 leaves 70 for B.
    b = bounded_split(10000, [Fraction(1), Fraction(9)], [3000, 0], [None, None])
    assert b.parts == [3000, 7000]
    assert b.bound == ["min", None]


def test_a_unit_of_weight_zero_with_a_min_gets_exactly_its_min():
    b = bounded_split(10000, [Fraction(0), Fraction(1)], [1234, 0], [None, None])
    assert b.parts == [1234, 8766]


def test_bounded_rounding_never_crosses_a_bound():
    rng = random.Random(7)
    for _ in range(300):
        n = rng.randint(2, 8)
        weights = [Fraction(rng.randint(0, 50)) for _ in range(n)]
        if not any(weights):
            weights[0] = Fraction(1)
        lows = [rng.choice([0, 0, rng.randint(0, 500)]) for _ in range(n)]
        highs = [rng.choice([None, lo + rng.randint(0, 3000)]) for lo in lows]
        if all(h is not None for w, h in zip(weights, highs, strict=True) if w > 0):
            highs[next(i for i, w in enumerate(weights) if w > 0)] = None
        rest = sum(lows) + rng.randint(0, 20000)
        b = bounded_split(rest, weights, lows, highs)
        assert sum(b.parts) == rest
        for p, lo, hi in zip(b.parts, lows, highs, strict=True):
            assert p >= lo and (hi is None or p <= hi)


# ---------------------------------------------------------------- the tree


TREE = [
    Unit("R1", None, reference=None),
    Unit("R2", None, reference=D("100")),
    Unit("G1", "R1", reference=D("100")),
    Unit("G2", "R1", reference=D("200")),
]


def test_an_internal_unit_without_reference_uses_its_childrens_sum():
    # R1's reference is 100 + 200 = 300, R2's 100: 1000.00 splits 750 / 250, then 1:2.
    split = split_tree(total=D("1000.00"), units=TREE, method="reference")
    assert amounts(split) == {"R1": "750.00", "R2": "250.00", "G1": "250.00", "G2": "500.00"}
    assert split.lineage["R1"].basis == 300
    assert split.lineage["G2"].parent_amount == 75000


def test_zero_or_missing_references_split_equally():
    units = [Unit("A"), Unit("B", reference=D("0")), Unit("C")]
    split = split_tree(total=D("100.00"), units=units, method="reference")
    assert amounts(split) == {"A": "33.34", "B": "33.33", "C": "33.33"}
    assert split.lineage["A"].equal_fallback and split.lineage["A"].rounding_fen == 1
    assert split.lineage["A"].method == "equal"


def test_weights_method_uses_manual_weights():
    units = [Unit("A", weight=D("1")), Unit("B", weight=D("3"))]
    assert amounts(split_tree(total=D("10.00"), units=units, method="weights")) == {
        "A": "2.50",
        "B": "7.50",
    }


def test_a_lock_fixes_a_unit_and_its_siblings_share_the_rest():
    units = [Unit("A", lock=D("400.00")), Unit("B"), Unit("C")]
    split = split_tree(total=D("1000.00"), units=units, method="equal")
    assert amounts(split) == {"A": "400.00", "B": "300.00", "C": "300.00"}
    assert split.lineage["A"].method == "lock"
    assert split.lineage["B"].locked_siblings == 40000


def test_locks_and_bounds_together():
    # 1000.00; A locked 100; B, C, D share 900 by references 1:1:8 with D capped at 500
    # and B held to at least 250: λ solves 250 + λ + 500 = 900 → λ = 150 = C (B's own
    # 150 is under its min, D's 8 × 150 over its max).
    units = [
        Unit("A", reference=D("5"), lock=D("100.00")),
        Unit("B", reference=D("1"), min=D("250.00")),
        Unit("C", reference=D("1")),
        Unit("D", reference=D("8"), max=D("500.00")),
    ]
    split = split_tree(total=D("1000.00"), units=units, method="reference")
    assert amounts(split) == {"A": "100.00", "B": "250.00", "C": "150.00", "D": "500.00"}
    assert [split.lineage[c].bound for c in "BCD"] == ["min", None, "max"]


def test_methods_can_differ_per_level():
    units = [
        Unit("R1", weight=D("3")),
        Unit("R2", weight=D("1")),
        Unit("G1", "R1"),
        Unit("G2", "R1"),
    ]
    split = split_tree(total=D("100.00"), units=units, method=["weights", "equal"])
    assert amounts(split) == {"R1": "75.00", "R2": "25.00", "G1": "37.50", "G2": "37.50"}


def test_locks_above_the_parent_are_an_error_naming_the_units():
    units = [Unit("R1"), Unit("G1", "R1", lock=D("80.00")), Unit("G2", "R1", lock=D("30.00"))]
    with pytest.raises(SplitError) as exc:
        split_tree(total=D("100.00"), units=units)
    (message,) = exc.value.messages()
    assert "G1, G2" in message and "110.00" in message and "R1" in message


def test_all_locked_siblings_must_add_up_exactly():
    units = [Unit("A", lock=D("10.00")), Unit("B", lock=D("20.00"))]
    with pytest.raises(SplitError, match="A, B"):
        split_tree(total=D("100.00"), units=units)


def test_minimums_above_the_rest_are_an_error():
    units = [Unit("A", min=D("60.00")), Unit("B", min=D("50.00"))]
    with pytest.raises(SplitError, match=r"A, B add up to 110\.00"):
        split_tree(total=D("100.00"), units=units)


def test_maximums_below_the_rest_are_an_error():
    units = [Unit("A", max=D("10.00")), Unit("B", max=D("20.00"))]
    with pytest.raises(SplitError, match=r"A, B add up to 30\.00"):
        split_tree(total=D("100.00"), units=units)


def test_min_above_max_and_lock_outside_bounds_are_errors():
    units = [Unit("A", min=D("5.00"), max=D("1.00")), Unit("B", lock=D("9.00"), max=D("1.00"))]
    with pytest.raises(SplitError) as exc:
        split_tree(total=D("100.00"), units=units)
    text = " ".join(exc.value.messages())
    assert "Unit A: min 5.00 is above max 1.00" in text and "Unit B: lock 9.00" in text


def test_unknown_parents_duplicates_and_cycles_are_errors():
    with pytest.raises(SplitError, match="names parent X"):
        split_tree(total=D("1.00"), units=[Unit("A", "X")])
    with pytest.raises(SplitError, match="appears twice"):
        split_tree(total=D("1.00"), units=[Unit("A"), Unit("A")])
    with pytest.raises(SplitError, match="cycle"):
        split_tree(total=D("1.00"), units=[Unit("A", "B"), Unit("B", "A")])


def test_every_group_of_children_adds_up_to_its_parent():
    rng = random.Random(11)
    units = []
    for r in range(5):
        units.append(Unit(f"R{r}", None, reference=D(rng.randint(0, 99))))
        for g in range(7):
            units.append(
                Unit(
                    f"R{r}G{g}",
                    f"R{r}",
                    reference=D(rng.randint(0, 999)),
                    max=D("500000.00") if g == 0 else None,
                )
            )
    split = split_tree(total=D("9876543.21"), units=units, method="reference")
    assert sum(split.amounts[f"R{r}"] for r in range(5)) == 987654321
    for r in range(5):
        assert sum(split.amounts[f"R{r}G{g}"] for g in range(7)) == split.amounts[f"R{r}"]
        assert split.amounts[f"R{r}G0"] <= 50000000
