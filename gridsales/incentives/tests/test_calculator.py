"""The commission rules of issue 7, on a worked example computed by hand (docs/incentives.md)."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from gridsales.incentives.amounts import fen_str, fraction_str, round_fen
from gridsales.incentives.calculator import calculate
from gridsales.incentives.contract import (
    InputError,
    parse_period,
    parse_plan,
    parse_sales,
    parse_targets,
    render,
)

ISSUE_PLAN = {
    "name": "2026 rep plan",
    "currency": "CNY",
    "tier_basis": "attainment",
    "tier_mode": "marginal",
    "tiers": [
        {"from": "0", "rate": "0.01"},
        {"from": "0.8", "rate": "0.03"},
        {"from": "1.0", "rate": "0.05"},
        {"from": "1.2", "rate": "0.08"},
    ],
    "category_multipliers": {"NEW-PRODUCT": "1.5"},
    "bonuses": [
        {"attainment_at_least": "1.0", "amount": "2000.00"},
        {"attainment_at_least": "1.2", "amount": "5000.00"},
    ],
    "cap": "50000.00",
    "clawback_days": 90,
}

HEADER = "order_no,line_no,order_date,rep,category,amount,status,returned_amount,return_date\n"
# alice: March base 60,000 + 30,000 + (45,000 − 10,000 returned in March) = 125,000; the
# cancelled line counts for nothing. Two February lines come back in March within 90 days,
# one November line after 102 days (not clawed back).
SALES = HEADER + (
    "SO-1,1,2026-03-05,alice,STD,60000.00,confirmed,,\n"
    "SO-1,2,2026-03-05,alice,NEW-PRODUCT,30000.00,confirmed,,\n"
    "SO-2,1,2026-03-10,alice,STD,45000.00,returned,10000.00,2026-03-20\n"
    "SO-3,1,2026-03-12,alice,STD,5000.00,cancelled,,\n"
    "SO-F1,1,2026-02-10,alice,STD,50000.00,returned,20000.00,2026-03-05\n"
    "SO-F2,1,2025-11-20,alice,STD,8000.00,returned,,2026-03-02\n"
    "SO-F3,1,2026-02-15,alice,NEW-PRODUCT,10000.00,returned,3333.33,2026-03-01\n"
    # bob: 9,000 of 10,000 in three equal lines; the blended rate 110/9000 does not terminate.
    "SO-B1,1,2026-03-02,bob,STD,3000.00,confirmed,,\n"
    "SO-B2,1,2026-03-03,bob,STD,3000.00,confirmed,,\n"
    "SO-B3,1,2026-03-04,bob,STD,3000.00,confirmed,,\n"
    # carol: 1.00 × 1% × 1.5 = 0.015, a tie that rounds up.
    "SO-C1,1,2026-03-06,carol,STD,10000.01,confirmed,,\n"
    "SO-C1,2,2026-03-06,carol,NEW-PRODUCT,3333.33,confirmed,,\n"
    "SO-C1,3,2026-03-06,carol,NEW-PRODUCT,1.00,confirmed,,\n"
    # erin sold in February only; the whole line comes back in March.
    "SO-E1,1,2026-02-20,erin,STD,10000.00,returned,10000.00,2026-03-10\n"
    # frank has no target.
    "SO-N1,1,2026-03-08,frank,STD,1000.00,confirmed,,\n"
)
TARGETS = (
    "rep,period,target\n"
    "alice,2026-03,100000.00\n"
    "alice,2026-02,100000.00\n"
    "bob,2026-03,10000.00\n"
    "carol,2026-03,30000.00\n"
    "erin,2026-02,10000.00\n"
)


def run(plan: dict | None = None, sales: str = SALES, targets: str = TARGETS, period="2026-03"):
    plan_obj = parse_plan(json.dumps(ISSUE_PLAN | (plan or {})))
    result = calculate(plan_obj, parse_sales(sales), parse_targets(targets), period)
    return render(result)["reps"]


def amounts(rep: dict) -> list[tuple]:
    return [(ln["kind"], ln["order_no"], ln["line_no"], ln["amount"]) for ln in rep["lines"]]


# ---------------------------------------------------------------------------- marginal


def test_marginal_tiers_cut_the_base_at_the_boundaries():
    alice = run()["alice"]
    assert alice["base"] == "125000.00"
    assert alice["attainment"] == "1.2500"
    # 80,000 × 1% + 20,000 × 3% + 20,000 × 5% + 5,000 × 8% = 800 + 600 + 1,000 + 400
    assert [(t["base"], t["rate"], t["commission"]) for t in alice["tiers"]] == [
        ("80000.00", "0.01", "800.00"),
        ("20000.00", "0.03", "600.00"),
        ("20000.00", "0.05", "1000.00"),
        ("5000.00", "0.08", "400.00"),
    ]
    assert alice["blended_rate"] == "0.0224"  # 2,800 / 125,000


def test_each_line_earns_the_blended_rate_times_its_multiplier():
    alice = run()["alice"]
    assert amounts(alice)[:3] == [
        ("order_line", "SO-1", 1, "1344.00"),  # 60,000 × 2.24%
        ("order_line", "SO-1", 2, "1008.00"),  # 30,000 × 2.24% × 1.5
        ("order_line", "SO-2", 1, "784.00"),  # (45,000 − 10,000) × 2.24%
    ]
    assert alice["tier_commission"] == "3136.00"
    assert alice["lines"][1]["multiplier"] == "1.5"
    assert alice["lines"][2]["base"] == "35000.00"


def test_the_return_in_the_same_month_lowers_the_base_and_the_line():
    sentence = run()["alice"]["lines"][2]["sentence"]
    assert sentence == (
        "Order SO-2 line 1 (2026-03-10, STD): 45000.00 less 10000.00 returned in the same "
        "month = 35000.00 × blended rate 2.24% × multiplier 1 = 784.00."
    )


def test_cancelled_lines_count_for_nothing():
    alice = run()["alice"]
    assert "SO-3" not in [ln["order_no"] for ln in alice["lines"]]


def test_only_the_highest_bonus_reached_is_paid():
    alice = run()["alice"]
    assert alice["bonus"] == "5000.00"
    assert [ln["amount"] for ln in alice["lines"] if ln["kind"] == "bonus"] == ["5000.00"]


def test_the_bonus_below_the_top_threshold_is_the_lower_one():
    # bob at 90%: no bonus; with a 9,000 target he is at 100% and gets the 1.0 bonus.
    assert run()["bob"]["bonus"] == "0.00"
    reps = run(targets=TARGETS.replace("bob,2026-03,10000.00", "bob,2026-03,9000.00"))
    assert reps["bob"]["attainment"] == "1.0000"
    assert reps["bob"]["bonus"] == "2000.00"


def test_clawback_takes_back_the_returned_share_of_the_lines_own_period_commission():
    alice = run()["alice"]
    # February: base 60,000 of 100,000, all at 1%. SO-F3: 10,000 × 1% × 1.5 = 150.00, of
    # which 3,333.33 / 10,000 → 49.99995 → 50.00. SO-F1: 50,000 × 1% = 500.00 × 0.4 = 200.00.
    assert amounts(alice)[4:] == [
        ("clawback", "SO-F3", 1, "-50.00"),
        ("clawback", "SO-F1", 1, "-200.00"),
    ]
    assert alice["clawback"] == "-250.00"
    assert alice["lines"][5]["sentence"] == (
        "Clawback: order SO-F1 line 1 (2026-02-10) had 20000.00 of 50000.00 returned on "
        "2026-03-05, 23 days after the order (within 90): −(20000.00 / 50000.00) × its "
        "2026-02 commission 500.00 = -200.00."
    )


def test_returns_after_the_clawback_window_are_not_clawed_back():
    assert "SO-F2" not in [ln["order_no"] for ln in run()["alice"]["lines"]]
    # With a 10-day window, the 14- and 23-day returns are not clawed back either.
    assert run({"clawback_days": 10})["alice"]["clawback"] == "0.00"
    assert run({"clawback_days": 14})["alice"]["clawback"] == "-50.00"


def test_the_total_adds_commission_bonus_cap_and_clawback():
    alice = run()["alice"]
    assert alice["cap_adjustment"] == "0.00"
    assert alice["total"] == "7886.00"  # 3,136 + 5,000 − 250


def test_the_cap_brings_commission_and_bonus_down_to_the_cap():
    alice = run({"cap": "6000.00"})["alice"]
    assert alice["cap_adjustment"] == "-2136.00"  # 6,000 − (3,136 + 5,000)
    assert alice["total"] == "5750.00"  # the clawback comes after the cap
    cap = [ln for ln in alice["lines"] if ln["kind"] == "cap"][0]
    assert cap["sentence"] == (
        "Cap: commission and bonus come to 8136.00, above the cap of 6000.00 for the "
        "period, so -2136.00 brings them down to the cap."
    )


def test_the_clawback_uses_the_commission_before_any_cap():
    # A 100.00 cap on February would have paid less, but the clawback ignores caps.
    assert run({"cap": "100.00"})["alice"]["clawback"] == "-250.00"


def test_line_commissions_are_rounded_each_and_summed():
    bob = run()["bob"]
    # 8,000 × 1% + 1,000 × 3% = 110 on 9,000: each 3,000 line earns 36.666… → 36.67.
    assert bob["blended_rate"] == "0.0122222222"
    assert [ln["amount"] for ln in bob["lines"]] == ["36.67", "36.67", "36.67"]
    assert bob["tier_commission"] == "110.01"


def test_ties_round_half_up_to_the_fen():
    carol = run()["carol"]
    assert carol["attainment"] == "0.4445"  # 13,334.34 / 30,000
    assert [ln["amount"] for ln in carol["lines"]] == ["100.00", "50.00", "0.02"]
    assert carol["tier_commission"] == "150.02"


def test_the_total_may_be_negative():
    erin = run()["erin"]
    # February: 8,000 × 1% + 2,000 × 3% = 140.00, all of it returned in March.
    assert erin["base"] == "0.00"
    assert erin["clawback"] == "-140.00"
    assert erin["total"] == "-140.00"


def test_a_rep_without_target_earns_nothing_under_the_attainment_basis():
    frank = run()["frank"]
    assert frank["target"] is None
    assert frank["attainment"] is None
    assert frank["tier_commission"] == "0.00"
    assert frank["total"] == "0.00"
    assert frank["warnings"] == [
        "frank has no target for 2026-03: under the attainment basis no commission and no "
        "bonus are paid. Add the target and recalculate."
    ]
    assert frank["lines"][0]["amount"] == "0.00"


# ---------------------------------------------------------------------------- retroactive


def test_retroactive_tiers_pay_the_highest_tier_reached_on_the_whole_base():
    alice = run({"tier_mode": "retroactive"})["alice"]
    assert alice["blended_rate"] == "0.08"
    assert amounts(alice)[:3] == [
        ("order_line", "SO-1", 1, "4800.00"),
        ("order_line", "SO-1", 2, "3600.00"),
        ("order_line", "SO-2", 1, "2800.00"),
    ]
    assert alice["tier_commission"] == "11200.00"
    # February under retroactive tiers is still 1%: the clawback does not change.
    assert alice["clawback"] == "-250.00"
    assert alice["total"] == "15950.00"


def test_retroactive_tiers_below_the_next_boundary_stay_in_the_lower_tier():
    bob = run({"tier_mode": "retroactive"})["bob"]
    assert bob["blended_rate"] == "0.03"  # 90% ≥ 80%
    assert bob["tier_commission"] == "270.00"


def test_erin_loses_the_retroactive_rate_of_her_own_period():
    # February at exactly 100% under retroactive tiers: 10,000 × 5% = 500.00.
    assert run({"tier_mode": "retroactive"})["erin"]["total"] == "-500.00"


# ---------------------------------------------------------------------------- amount basis


def test_the_amount_basis_cuts_the_base_at_amounts():
    plan = {
        "tier_basis": "amount",
        "tiers": [{"from": "0", "rate": "0.01"}, {"from": "50000", "rate": "0.02"}],
    }
    reps = run(plan)
    alice = reps["alice"]
    # 50,000 × 1% + 75,000 × 2% = 2,000 on 125,000: blended 1.6%.
    assert alice["blended_rate"] == "0.016"
    assert [ln["amount"] for ln in alice["lines"][:3]] == ["960.00", "720.00", "560.00"]
    assert alice["bonus"] == "5000.00"
    frank = reps["frank"]
    assert frank["tier_commission"] == "10.00"
    assert frank["warnings"] == ["frank has no target for 2026-03: no bonus can be reached."]


# ---------------------------------------------------------------------------- numbers


def test_round_fen_rounds_ties_away_from_zero():
    assert round_fen(Fraction(5, 10)) == 1
    assert round_fen(Fraction(-5, 10)) == -1
    assert round_fen(Fraction(49, 100)) == 0
    assert fen_str(-5) == "-0.05"
    assert fraction_str(Fraction(2, 3), 4) == "0.6667"


# ---------------------------------------------------------------------------- bad input


def problems(fn, text):
    with pytest.raises(InputError) as exc:
        fn(text)
    return exc.value.messages()


def test_bad_sales_rows_name_the_line_column_and_value():
    text = HEADER + (
        "SO-1,1,2026-13-01,alice,STD,100.00,confirmed,,\n"
        "SO-1,x,2026-03-01,alice,STD,1.005,shipped,,\n"
        "SO-2,1,2026-03-01,alice,STD,100.00,returned,150.00,2026-03-02\n"
        "SO-3,1,2026-03-01,alice,STD,100.00,returned,50.00,\n"
        "SO-4,1,2026-03-05,alice,STD,100.00,returned,50.00,2026-03-01\n"
        "SO-5,1,2026-03-05,alice,STD,100.00,confirmed,50.00,2026-03-06\n"
        "SO-2,1,2026-03-01,,STD,100.00,confirmed,,\n"
    )
    assert problems(parse_sales, text) == [
        "SALES.csv line 2, column order_date: 2026-13-01 is not a date (use YYYY-MM-DD).",
        "SALES.csv line 3, column line_no: x is not a line number (1, 2, …).",
        "SALES.csv line 3, column amount: 1.005 has more than 2 decimals.",
        "SALES.csv line 3, column status: shipped is not a status (confirmed, cancelled or "
        "returned).",
        "SALES.csv line 4, column returned_amount: 150.00 is more than the line's amount.",
        "SALES.csv line 5, column return_date: a returned line needs its return date.",
        "SALES.csv line 6, column return_date: 2026-03-01 is before the order date.",
        "SALES.csv line 7, column returned_amount: 50.00 is returned but the status is "
        "confirmed: set the status to returned or clear the amount.",
        "SALES.csv line 8, column rep: the value is missing.",
        "SALES.csv line 8: order SO-2 line 1 already appears on line 4.",
    ]


def test_a_comma_in_an_amount_is_explained():
    assert problems(
        parse_sales, HEADER + "SO-1,1,2026-03-01,alice,STD,60,000.00,confirmed,,\n"
    ) == [
        "SALES.csv line 2: 10 values for 9 columns; quote values that hold a comma and write "
        "amounts without separators."
    ]


def test_missing_columns_are_named():
    assert problems(parse_sales, "order_no,line_no\nA,1\n") == [
        "SALES.csv: the header lacks the columns order_date, rep, category, amount, status, "
        "returned_amount, return_date."
    ]


def test_bad_targets_name_the_line_column_and_value():
    text = "rep,period,target\nalice,2026-3,100\nbob,2026-03,0\nbob,2026-03,-5\ncarol,2026-03,1\ncarol,2026-03,2\n"
    assert problems(parse_targets, text) == [
        "TARGETS.csv line 2, column period: 2026-3 is not a month such as 2026-03.",
        "TARGETS.csv line 3, column target: a target must be above zero; leave the rep out "
        "instead.",
        "TARGETS.csv line 4, column target: -5 is not an amount of zero or more.",
        "TARGETS.csv line 6: carol already has a target for 2026-03 on line 5.",
    ]


def test_bad_plans_name_the_key_and_value():
    plan = ISSUE_PLAN | {
        "tier_mode": "stepped",
        "tiers": [{"from": "0", "rate": "0.01"}, {"from": "0", "rate": "x"}],
        "cap": "10.001",
        "clawback_days": -1,
        "extra": 1,
    }
    assert problems(parse_plan, json.dumps(plan)) == [
        "PLAN.json: unknown keys extra.",
        "PLAN.json: tier_mode must be marginal or retroactive, not stepped.",
        "PLAN.json: tiers[2].rate must be a number, zero or more, not x.",
        "PLAN.json: cap is 10.001, which has more than 2 decimals.",
        "PLAN.json: clawback_days must be a whole number of days, not -1.",
    ]
    assert problems(parse_plan, "{") == [
        "PLAN.json is not valid JSON: Expecting property name enclosed in double quotes "
        "(line 1, column 2)."
    ]


def test_tiers_must_rise():
    plan = ISSUE_PLAN | {
        "tiers": [{"from": "0.5", "rate": "0.01"}, {"from": "0.5", "rate": "0.02"}]
    }
    assert problems(parse_plan, json.dumps(plan)) == [
        "PLAN.json: tier #2 starts at 0.5, not above the tier before it."
    ]


def test_the_period_must_be_a_month():
    with pytest.raises(InputError) as exc:
        parse_period("2026-13")
    assert exc.value.messages() == ["--period must be a month such as 2026-03, not 2026-13."]
