"""Fiscal months, quarters, ISO weeks and the Chinese working-day calendar (调休)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from gridsales.targets.decompose import SplitError
from gridsales.targets.periods import (
    PeriodPlan,
    fiscal_months,
    is_working_day,
    month_week_weights,
    normalise_seasonality,
    seasonality_from_actuals,
    working_days,
)


def test_a_fiscal_year_starting_in_april_runs_to_march_of_the_next_year():
    months = fiscal_months(2026, 4)
    assert months[0] == (2026, 4) and months[-1] == (2027, 3) and len(months) == 12


# The State Council's notice for 2026 (国办发明电〔2025〕…, 2025-11-04): 元旦 1/1–1/3 off,
# 1/4 (Sun) worked; 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) worked; 劳动节 5/1–5/5
# off, 5/9 (Sat) worked; 国庆 10/1–10/7 off, 9/20 (Sun) and 10/10 (Sat) worked.
@pytest.mark.parametrize(
    "day, working",
    [
        ("2026-01-01", False),
        ("2026-01-02", False),
        ("2026-01-04", True),  # Sunday, make-up workday
        ("2026-02-14", True),  # Saturday, make-up workday
        ("2026-02-16", False),  # 春节
        ("2026-02-23", False),  # Monday, still 春节
        ("2026-02-24", True),
        ("2026-02-28", True),  # Saturday, make-up workday
        ("2026-05-05", False),
        ("2026-05-09", True),
        ("2026-09-20", True),
        ("2026-10-07", False),
        ("2026-10-10", True),
        ("2026-10-11", False),  # an ordinary Sunday
        # 2025: 春节 1/28–2/4 off, 1/26 (Sun) and 2/8 (Sat) worked.
        ("2025-01-26", True),
        ("2025-01-28", False),
        ("2025-02-04", False),
        ("2025-02-08", True),
    ],
)
def test_working_days_follow_the_official_holiday_arrangement(day, working):
    assert is_working_day(dt.date.fromisoformat(day)) is working


def test_february_2026_has_16_working_days():
    # 20 weekdays − 6 holiday weekdays (2/16–2/20, 2/23) + 2 make-up Saturdays.
    assert working_days(2026, 2) == 16


def test_a_year_without_holiday_data_counts_monday_to_friday():
    assert is_working_day(dt.date(2027, 1, 1)) is True  # a Friday; no 2027 data
    assert is_working_day(dt.date(2027, 1, 2)) is False
    plan = PeriodPlan(year=2026, start_month=4)
    assert plan.unknown_years == [2027]
    assert "2027" in plan.calendar_note
    assert PeriodPlan(year=2026).calendar_note is None


def test_the_first_iso_week_of_2026_starts_in_december_2025():
    # 2026-W01 is Mon 2025-12-29 … Sun 2026-01-04: three working days in December 2025,
    # and in January only the make-up Sunday 1/4 (1/1–1/3 are holidays).
    assert month_week_weights(2025, 12, "working_days")[-1] == ("2026-W01", 3)
    assert month_week_weights(2026, 1, "working_days")[0] == ("2026-W01", 1)
    assert month_week_weights(2026, 1, "calendar_days")[0] == ("2026-W01", 4)


def test_the_spring_festival_week_gets_nothing_on_working_days():
    weights = dict(month_week_weights(2026, 2, "working_days"))
    assert weights == {"2026-W05": 0, "2026-W06": 5, "2026-W07": 6, "2026-W08": 0, "2026-W09": 5}


def test_a_month_splits_over_weeks_by_working_days_and_a_split_week_adds_its_parts():
    # Flat 12,000.00 → 1,000.00 a month. January 2026 has 21 working days (W01: 1,
    # W02–W05: 5 each); W05 (1/26–2/1) also gets February's part, which is 0 (2/1 is Sunday).
    plan = PeriodPlan(year=2026)
    result = plan.split(1200000)
    assert result.months["2026-01"] == 100000
    jan = dict(month_week_weights(2026, 1, "working_days"))
    assert jan == {"2026-W01": 1, "2026-W02": 5, "2026-W03": 5, "2026-W04": 5, "2026-W05": 5}
    # 100000 fen × 1/21 = 4761.9 → 4761 (rem 19/21); × 5/21 = 23809.52 → 23809 (rem 11/21).
    # Leftover 100000 − 4761 − 4×23809 = 3 fen: W01 (19/21) first, then W02, W03 (ties by order).
    assert [result.weeks[k] for k in ("2026-W01", "2026-W02", "2026-W03", "2026-W04")] == [
        4762,
        23810,
        23810,
        23809,
    ]
    # W05 = January's 23809 + February's 0.
    assert result.weeks["2026-W05"] == 23809
    assert sum(result.weeks.values()) == sum(result.months.values()) == 1200000
    assert sum(result.quarters.values()) == 1200000


def test_quarters_are_fiscal_and_exact_sums_of_their_months():
    plan = PeriodPlan(year=2026, start_month=4, seasonality=[1] * 12)
    result = plan.split(100)  # 1.00 over 12 months: 4 months get 0.09, 8 get 0.08
    assert list(result.months)[:3] == ["2026-04", "2026-05", "2026-06"]
    assert list(result.months.values()) == [9, 9, 9, 9] + [8] * 8
    assert result.quarters == {"Q1": 27, "Q2": 25, "Q3": 24, "Q4": 24}


def test_seasonality_is_normalised_and_flat_means_equal():
    assert sum(normalise_seasonality([8, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 9])) == 1
    assert normalise_seasonality("flat") == normalise_seasonality([0] * 12)
    with pytest.raises(SplitError, match="12 monthly weights"):
        normalise_seasonality([1, 2])


def test_seasonality_can_come_from_last_years_actuals():
    actuals = {(2024, m): D(m) for m in range(1, 13)} | {(2025, m): D(1) for m in range(1, 13)}
    assert seasonality_from_actuals(actuals, years=[2024, 2025])[:3] == [D(2), D(3), D(4)]
    # Fiscal April start: the first weight is April 2024 + April 2025 (4 + 1).
    assert seasonality_from_actuals(actuals, years=[2024], start_month=4)[0] == D(4)
    assert seasonality_from_actuals({}, years=[2025]) == [D(1)] * 12


def test_calendar_days_basis_counts_every_day():
    plan = PeriodPlan(year=2026, week_basis="calendar_days")
    assert plan.unknown_years == []
    # January 31.00 over 31 days: W01 has 4 of them (1/1–1/4).
    weeks = plan.split(37200).weeks  # 372.00 flat → 31.00 a month
    assert weeks["2026-W01"] == 400 and weeks["2026-W02"] == 700


# ---------------------------------------------------------------- months fixed by hand


def test_fixing_a_month_re_spreads_the_others_by_their_seasonality_to_the_fen():
    from gridsales.targets.periods import fix_months

    # Year 1,000.00 over 12 months weighted 1..12 (sum 78); January fixed at 100.00: the
    # other 11 months (weights 2..12, sum 77) share 900.00 by largest remainder.
    months = fix_months(100000, list(range(1, 13)), {0: 10000})
    assert months[0] == 10000
    assert sum(months) == 100000
    # 90000 × w / 77 floors to 2337, 3506, 4675, 5844, 7012, 8181, 9350, 10519, 11688,
    # 12857, 14025 (remainders 51, 38, 25, 12, 76, 63, 50, 37, 24, 11, 75 of 77): the 6
    # leftover fen go to the remainders 76, 75, 63, 51, 50, 38.
    assert months[1:] == [2338, 3507, 4675, 5844, 7013, 8182, 9351, 10519, 11688, 12857, 14026]


def test_the_leftover_fen_goes_to_the_larger_remainder_then_the_earlier_month():
    from gridsales.targets.periods import fix_months

    # 1.00 fixed in month 3; 0.05 left for 11 equal months: the first five get a fen each.
    months = fix_months(105, [1] * 12, {2: 100})
    assert months == [1, 1, 100, 1, 1, 1, 0, 0, 0, 0, 0, 0]


def test_several_fixed_months_keep_their_amounts_and_zero_weights_share_equally():
    from gridsales.targets.periods import fix_months

    months = fix_months(1200, [0] * 12, {0: 100, 11: 200})
    assert months[0] == 100 and months[11] == 200
    assert months[1:11] == [90] * 10
    # All twelve fixed and adding up to the year: accepted as given.
    assert fix_months(12, [1] * 12, dict.fromkeys(range(12), 1)) == [1] * 12


@pytest.mark.parametrize(
    "year, fixed, message",
    [
        (
            1000,
            {0: 600, 1: 500},
            "Unit R1-A1-G2: the months fixed by hand (2027-01, 2027-02) add up to 11.00, more"
            " than the year's 10.00; the other months would have to be negative.",
        ),
        (1000, {3: -1}, "Unit R1-A1-G2, month 2027-04: a month's amount cannot be negative."),
        (
            13,
            dict.fromkeys(range(12), 1),
            "Unit R1-A1-G2: every month is fixed by hand (2027-01, 2027-02, 2027-03, 2027-04,"
            " 2027-05, 2027-06, 2027-07, 2027-08, 2027-09, 2027-10, 2027-11, 2027-12) and they"
            " add up to 0.12, not the year's 0.13.",
        ),
    ],
)
def test_impossible_fixed_months_are_errors_naming_unit_and_month(year, fixed, message):
    from gridsales.targets.periods import fix_months

    keys = [f"2027-{m:02d}" for m in range(1, 13)]
    with pytest.raises(SplitError) as exc:
        fix_months(year, [1] * 12, fixed, unit="R1-A1-G2", keys=keys)
    assert exc.value.messages() == [message]


def test_the_period_plan_fixes_months_by_key_and_weeks_follow():
    plan = PeriodPlan(year=2026, start_month=4, seasonality=[8, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 9])
    months = plan.fix_months(1200000, {"2027-03": 0, "2026-04": 500000}, unit="G1")
    assert months[0] == 500000 and months[-1] == 0 and sum(months) == 1200000
    # The other ten months share 7,000.00 by weights 6,9,8,8,9,8,8,9,9,9 (sum 83).
    assert months[1] == round(700000 * 6 / 83)
    split = plan.from_months(months)
    assert sum(split.weeks.values()) == sum(split.quarters.values()) == 1200000
    with pytest.raises(SplitError) as exc:
        plan.fix_months(100, {"2026-01": 1}, unit="G1")
    assert exc.value.messages() == [
        "Unit G1: month 2026-01 is not in the plan year (2026-04 to 2027-03)."
    ]
