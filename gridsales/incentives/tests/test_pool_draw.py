"""The grid team pool and the draw for new reps (docs/incentives.md), computed by hand."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gridsales.incentives.calculator import calculate
from gridsales.incentives.contract import (
    InputError,
    parse_memberships,
    parse_plan,
    parse_reps,
    parse_sales,
    parse_targets,
    render,
)
from gridsales.incentives.draws import DrawRule, apply_draw
from gridsales.incentives.teampool import split_largest_remainder
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


HEADER = "order_no,line_no,order_date,rep,category,amount,status,returned_amount,return_date,grid\n"
# G1 sells 60,000 (alice) + 40,002 less 10,000 returned in March (bob) = 90,002.00; the
# cancelled line and alice's line without a grid are in no pool. G2: dave 10,000.00.
POOL_SALES = HEADER + (
    "SO-P1,1,2026-03-02,alice,STD,60000.00,confirmed,,,G1\n"
    "SO-P2,1,2026-03-03,bob,STD,40002.00,returned,10000.00,2026-03-09,G1\n"
    "SO-P3,1,2026-03-04,bob,STD,5000.00,cancelled,,,G1\n"
    "SO-P4,1,2026-03-05,alice,STD,1000.00,confirmed,,,\n"
    "SO-P5,1,2026-03-06,dave,STD,10000.00,confirmed,,,G2\n"
    "SO-P6,1,2026-02-06,bob,STD,7000.00,confirmed,,,G1\n"  # February: not March's pool
)
POOL_TARGETS = (
    "rep,period,target\nalice,2026-03,100000.00\nbob,2026-03,50000.00\ndave,2026-03,10000.00\n"
)
# Three equal shares in G1 (carol sold nothing), dave alone in G2, erin with no share.
MEMBERSHIPS = "rep,grid,share\nalice,G1,100\nbob,G1,100\ncarol,G1,100\ndave,G2,100\nerin,G2,0\n"
POOL_PLAN = {**ISSUE_PLAN, "team_pool": {"rate": "0.005"}}


def pool_run(plan=POOL_PLAN, memberships=MEMBERSHIPS):
    result = calculate(
        parse_plan(json.dumps(plan)),
        parse_sales(POOL_SALES),
        parse_targets(POOL_TARGETS),
        "2026-03",
        memberships=parse_memberships(memberships),
    )
    return render(result)["reps"]


def test_the_pool_is_a_share_of_the_grids_revenue_split_by_membership_share():
    reps = pool_run()
    # G1: 0.5% of 90,002.00 = 450.01, split in thirds: 150.0033… each; the fen left over
    # goes to the first rep (alice), so the parts add up to the pool exactly.
    assert {rep: r["pool"] for rep, r in reps.items()} == {
        "alice": "150.01",
        "bob": "150.00",
        "carol": "150.00",
        "dave": "50.00",
    }
    alice = reps["alice"]
    # alice: 61,000 of 100,000 at 1% = 610.00, no bonus, plus the pool.
    assert (alice["tier_commission"], alice["total"]) == ("610.00", "760.01")
    pool = [ln for ln in alice["lines"] if ln["kind"] == "pool"]
    assert pool == [
        {
            "kind": "pool",
            "order_no": None,
            "line_no": None,
            "base": "450.01",
            "rate": "0.3333333333",
            "multiplier": None,
            "amount": "150.01",
            "sentence": (
                "Team pool of grid G1: the grid sold 90002.00 in 2026-03; 0.5% of it is a pool "
                "of 450.01, split by membership share: 100 of the 300 share points of the grid's reps = "
                "150.01."
            ),
        }
    ]
    # dave: 10,000 of 10,000: 140.00 + bonus 2,000.00 + pool 50.00.
    assert reps["dave"]["total"] == "2190.00"
    # carol is in the pool without sales or a target: her statement is the pool.
    assert reps["carol"]["total"] == "150.00"
    assert [ln["kind"] for ln in reps["carol"]["lines"]] == ["pool"]


def test_the_pool_is_not_capped():
    reps = pool_run(plan={**POOL_PLAN, "cap": "500.00"})
    alice = reps["alice"]
    # 610.00 is capped at 500.00; the pool comes on top.
    assert (alice["cap_adjustment"], alice["pool"], alice["total"]) == (
        "-110.00",
        "150.01",
        "650.01",
    )
    assert [ln["kind"] for ln in alice["lines"]][-2:] == ["cap", "pool"]


def test_unequal_shares_are_normalised_by_their_sum():
    reps = pool_run(memberships="rep,grid,share\nalice,G1,50\nbob,G1,30\ncarol,G1,20\n")
    # 450.01 × 50/100 = 225.005, × 30/100 = 135.003, × 20/100 = 90.002: floors 225.00,
    # 135.00, 90.00 and the fen left over to the largest remainder (alice's 0.5 fen).
    assert [reps[r]["pool"] for r in ("alice", "bob", "carol")] == ["225.01", "135.00", "90.00"]
    assert "dave" in reps and reps["dave"]["pool"] == "0.00"


def test_without_team_pool_there_is_no_pool():
    reps = pool_run(plan=ISSUE_PLAN)
    assert "carol" not in reps
    assert reps["alice"]["pool"] == "0.00"


def test_the_largest_remainder_adds_up_and_agrees_with_half_up_when_that_adds_up():
    assert split_largest_remainder(100, {"a": 1, "b": 1, "c": 1}, str) == {
        "a": 34,
        "b": 33,
        "c": 33,
    }
    assert split_largest_remainder(100, {"b": 1, "a": 1, "c": 1}, str)["a"] == 34
    # Half-up (25.5 → 26, 74.5 → 75) would pay 101: the tie goes to the first by order.
    assert split_largest_remainder(100, {"x": 255, "y": 745}, str) == {"x": 26, "y": 74}
    # 0.7 / 99.3 → 1 and 99 either way.
    assert split_largest_remainder(100, {"x": 7, "y": 993}, str) == {"x": 1, "y": 99}


# ---------------------------------------------------------------------------- draw

DRAW_SALES = (
    "order_no,line_no,order_date,rep,category,amount,status,returned_amount,return_date\n"
    "SO-D1,1,2026-03-02,nina,STD,50000.00,confirmed,,\n"
    "SO-D2,1,2026-03-03,omar,STD,100000.00,confirmed,,\n"
    "SO-D3,1,2026-03-04,pia,STD,150000.00,confirmed,,\n"
    "SO-D4,1,2026-03-05,rosa,STD,20000.00,confirmed,,\n"
)
DRAW_TARGETS = "rep,period,target\n" + "".join(
    f"{rep},2026-03,100000.00\n" for rep in ("nina", "omar", "pia", "rosa")
)
# nina: month 2 of 3; omar: month 4 (out); pia: month 3; quinn: month 1, no sales;
# rosa: long hired, with a balance; sam: hired in April (not yet).
REPS = (
    "rep,hire_date,draw_balance\n"
    "nina,2026-02-15,1000.00\n"
    "omar,2025-12-01,2000.00\n"
    "pia,2026-01-10,500.00\n"
    "quinn,2026-03-20,\n"
    "rosa,2025-06-01,800.00\n"
    "sam,2026-04-01,\n"
)
DRAW_PLAN = {**ISSUE_PLAN, "draw": {"amount": "3000.00", "months": 3, "recoverable": True}}


def draw_run(plan=DRAW_PLAN, reps=REPS):
    hires, balances = parse_reps(reps)
    result = calculate(
        parse_plan(json.dumps(plan)),
        parse_sales(DRAW_SALES),
        parse_targets(DRAW_TARGETS),
        "2026-03",
        hires=hires,
        draw_balances=balances,
    )
    return render(result)["reps"]


def money(r):
    return (r["draw"], r["draw_recovery"], r["draw_balance"], r["total"])


def test_a_recoverable_draw_tops_up_new_reps_and_is_recovered_later():
    reps = draw_run()
    assert sorted(reps) == ["nina", "omar", "pia", "quinn", "rosa"]
    # nina earns 500.00 (1%): 2,500.00 tops it up to 3,000.00; 1,000 + 2,500 outstanding.
    assert money(reps["nina"]) == ("2500.00", "0.00", "3500.00", "3000.00")
    # omar (month 4) earns 1,400.00 + 2,000.00 bonus: his 2,000.00 balance is recovered.
    assert money(reps["omar"]) == ("0.00", "-2000.00", "0.00", "1400.00")
    # pia (month 3) earns 4,800.00 + 5,000.00: above the guarantee, 500.00 recovered.
    assert money(reps["pia"]) == ("0.00", "-500.00", "0.00", "9300.00")
    # quinn sold nothing in the hire month: the whole 3,000.00.
    assert money(reps["quinn"]) == ("3000.00", "0.00", "3000.00", "3000.00")
    # rosa earns 200.00: recovered down to zero, never below; 600.00 still outstanding.
    assert money(reps["rosa"]) == ("0.00", "-200.00", "600.00", "0.00")
    nina = reps["nina"]["lines"][-1]
    assert (nina["kind"], nina["base"], nina["amount"]) == ("draw", "500.00", "2500.00")
    assert nina["sentence"] == (
        "Draw: month 2 of the 3 guaranteed months after hiring on 2026-02-15. The total so "
        "far, 500.00, is below the guaranteed 3000.00, so 2500.00 tops it up. The draw is "
        "recoverable: it is taken back from later months' earnings (outstanding now: 3500.00)."
    )
    assert reps["pia"]["lines"][-1]["sentence"] == (
        "Draw recovery: 500.00 of draws paid earlier is outstanding; 500.00 is recovered "
        "from this month's 9800.00, which keeps the guaranteed 3000.00 (outstanding now: 0.00)."
    )
    assert reps["rosa"]["lines"][-1]["sentence"] == (
        "Draw recovery: 800.00 of draws paid earlier is outstanding; 200.00 is recovered "
        "from this month's 200.00, never below zero (outstanding now: 600.00)."
    )


def test_a_non_recoverable_draw_adds_no_balance():
    plan = {**ISSUE_PLAN, "draw": {"amount": "3000.00", "months": 3, "recoverable": False}}
    reps = draw_run(plan=plan)
    assert money(reps["nina"]) == ("2500.00", "0.00", "1000.00", "3000.00")
    assert money(reps["quinn"]) == ("3000.00", "0.00", "0.00", "3000.00")
    assert reps["quinn"]["lines"][-1]["sentence"].endswith("The draw is not recoverable.")
    # An earlier balance is still recovered.
    assert money(reps["omar"]) == ("0.00", "-2000.00", "0.00", "1400.00")


def test_a_recovery_in_the_guarantee_months_keeps_the_guarantee():
    rule = DrawRule(Decimal("3000.00"), 3, True)
    got = apply_draw(rule, 320000, date(2026, 2, 1), "2026-03", 100000)
    assert (got.draw_fen, got.recovery_fen, got.balance_after_fen) == (0, 20000, 80000)
    # Out of the window a negative month recovers nothing.
    got = apply_draw(rule, -5000, date(2025, 1, 1), "2026-03", 100000)
    assert (got.draw_fen, got.recovery_fen, got.balance_after_fen) == (0, 0, 100000)
    # In the window a negative month is topped up to the guarantee.
    got = apply_draw(rule, -5000, date(2026, 3, 31), "2026-03", 0)
    assert (got.month_no, got.draw_fen, got.balance_after_fen) == (1, 305000, 305000)


def test_bad_pool_and_draw_rules_name_the_key():
    with pytest.raises(InputError) as exc:
        parse_plan(
            json.dumps(
                {
                    **ISSUE_PLAN,
                    "team_pool": {"rate": "2"},
                    "draw": {"amount": "1.001", "months": 0, "recoverable": "yes"},
                }
            )
        )
    assert exc.value.messages() == [
        "PLAN.json: team_pool.rate is 2; a share of revenue is at most 1.",
        "PLAN.json: draw.amount is 1.001, which has more than 2 decimals.",
        "PLAN.json: draw.months must be a whole number of months from 1, not 0.",
    ]
    with pytest.raises(InputError) as exc:
        parse_plan(json.dumps({**ISSUE_PLAN, "team_pool": 0.01, "draw": {"amount": "1"}}))
    assert exc.value.messages() == [
        'PLAN.json: team_pool must be an object with "rate" only.',
        'PLAN.json: draw must be an object with "amount", "months" and "recoverable".',
    ]


def test_bad_memberships_and_reps_name_the_line_column_and_value():
    with pytest.raises(InputError) as exc:
        parse_memberships("rep,grid,share\nalice,G1,101\n,G1,5\nbob,G1,x\nbob,G2,1\nbob,G2,2\n")
    assert exc.value.messages() == [
        "MEMBERSHIPS.csv line 2, column share: 101 is above 100 (a percentage).",
        "MEMBERSHIPS.csv line 3, column rep: the value is missing.",
        "MEMBERSHIPS.csv line 4, column share: x is not an amount of zero or more.",
        "MEMBERSHIPS.csv line 6: bob is already in grid G2 on line 5.",
    ]
    with pytest.raises(InputError) as exc:
        parse_reps("rep,hire_date,draw_balance\nnina,15/02/2026,\nnina,,-1\nomar,,\nomar,,\n")
    assert exc.value.messages() == [
        "REPS.csv line 2, column hire_date: 15/02/2026 is not a date (use YYYY-MM-DD).",
        "REPS.csv line 3, column draw_balance: -1 is not an amount of zero or more.",
        "REPS.csv line 5: omar already appears on line 4.",
    ]


# ---------------------------------------------------------------------------- the command


def test_the_command_reads_memberships_and_reps(tmp_path: Path):
    plan = {**POOL_PLAN, "draw": DRAW_PLAN["draw"]}
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    (tmp_path / "sales.csv").write_text(POOL_SALES, encoding="utf-8")
    (tmp_path / "targets.csv").write_text(POOL_TARGETS, encoding="utf-8")
    (tmp_path / "m.csv").write_text(MEMBERSHIPS, encoding="utf-8")
    (tmp_path / "reps.csv").write_text(
        "rep,hire_date,draw_balance\ncarol,2026-03-01,\nbob,2025-01-01,100.00\n", encoding="utf-8"
    )
    out = tmp_path / "out.json"
    args = ["--plan", str(tmp_path / "plan.json"), "--sales", str(tmp_path / "sales.csv")]
    args += ["--targets", str(tmp_path / "targets.csv"), "--period", "2026-03"]
    call_command(
        "incentives",
        "calculate",
        *args,
        "--memberships",
        str(tmp_path / "m.csv"),
        "--reps",
        str(tmp_path / "reps.csv"),
        "-o",
        str(out),
    )
    reps = json.loads(out.read_text(encoding="utf-8"))["reps"]
    # carol: pool 150.00, topped up to 3,000.00 by a 2,850.00 draw.
    assert money(reps["carol"]) == ("2850.00", "0.00", "2850.00", "3000.00")
    assert [ln["kind"] for ln in reps["carol"]["lines"]] == ["pool", "draw"]
    # bob: 30,002.00 at 1% = 300.02, + pool 150.00 = 450.02; 100.00 recovered.
    assert money(reps["bob"]) == ("0.00", "-100.00", "0.00", "350.02")
    bad = tmp_path / "bad.csv"
    bad.write_text("rep,grid\nalice,G1\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("incentives", "calculate", *args, "--memberships", str(bad))
    assert exc.value.returncode == 2
    assert str(exc.value) == f"{bad}: the header lacks the columns share."
