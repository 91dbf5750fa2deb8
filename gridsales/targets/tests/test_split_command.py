"""The file-in/file-out contract: `gridsales targets split SPEC.json [--output OUT.json]`."""

import json
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


ISSUE_SPEC = {
    "total": "12000000.00",
    "currency": "CNY",
    "year": 2026,
    "fiscal_year_start_month": 1,
    "method": "reference",
    "seasonality": [8, 6, 9, 8, 8, 9, 8, 8, 9, 9, 9, 9],
    "week_basis": "working_days",
    "units": [
        {"code": "R1", "parent": None, "reference": "5000000"},
        {"code": "R2", "parent": None, "reference": "3000000"},
        {
            "code": "G1",
            "parent": "R1",
            "reference": "1500000",
            "lock": None,
            "min": None,
            "max": None,
            "weight": None,
        },
        {"code": "G2", "parent": "R1", "reference": "1000000"},
    ],
}


def run(tmp_path: Path, spec, *extra) -> dict:
    src = tmp_path / "spec.json"
    src.write_text(json.dumps(spec) if not isinstance(spec, str) else spec, encoding="utf-8")
    out = tmp_path / "out.json"
    call_command("targets", "split", str(src), "--output", str(out), *extra)
    return json.loads(out.read_text(encoding="utf-8"))


def total(values) -> D:
    return sum((D(v) for v in values), D(0))


def assert_consistent(result: dict) -> None:
    for code, unit in result["units"].items():
        year = D(unit["year"])
        for part in ("quarters", "months", "weeks"):
            assert total(unit[part].values()) == year, (code, part)
            for value in unit[part].values():
                assert D(value) >= 0 and value == f"{D(value):.2f}", (code, value)


def test_the_issue_example_splits_by_reference_and_adds_up(tmp_path):
    result = run(tmp_path, ISSUE_SPEC)
    assert set(result) == {"currency", "units"}
    assert result["currency"] == "CNY"
    units = result["units"]
    assert list(units) == ["R1", "R2", "G1", "G2"]
    assert set(units["G1"]) == {"year", "quarters", "months", "weeks"}
    # R1 has its own reference (5M) against R2's 3M: 7.5M / 4.5M; R1 → G1:G2 = 3:2.
    assert [units[c]["year"] for c in units] == [
        "7500000.00",
        "4500000.00",
        "4500000.00",
        "3000000.00",
    ]
    # Seasonality 8/6/9… of 100: R1's January is 8% = 600,000.00, February 450,000.00.
    assert units["R1"]["months"]["2026-01"] == "600000.00"
    assert units["R1"]["months"]["2026-02"] == "450000.00"
    assert units["R1"]["quarters"] == {
        "Q1": "1725000.00",
        "Q2": "1875000.00",
        "Q3": "1875000.00",
        "Q4": "2025000.00",
    }
    # February 2026 has 16 working days; W07 has 6 of them (2/14 is a make-up Saturday),
    # W08 none (春节): 450,000 × 6/16 = 168,750.00.
    assert units["R1"]["weeks"]["2026-W07"] == "168750.00"
    assert units["R1"]["weeks"]["2026-W08"] == "0.00"
    assert_consistent(result)


def test_fiscal_year_starting_in_april_and_a_year_without_holiday_data(tmp_path):
    spec = {**ISSUE_SPEC, "fiscal_year_start_month": 4, "seasonality": "flat"}
    result = run(tmp_path, spec)
    months = list(result["units"]["G1"]["months"])
    assert months[0] == "2026-04" and months[-1] == "2027-03"
    # Q1 is April–June.
    g1 = result["units"]["G1"]
    assert g1["quarters"]["Q1"] == f"{total(g1['months'][m] for m in months[:3]):.2f}"
    assert "2027" in result["calendar_note"]
    assert list(g1["weeks"])[-1] == "2027-W13"  # 2027-03-31 is a Wednesday of W13
    assert_consistent(result)


def test_locks_and_bounds(tmp_path):
    spec = {
        "total": "1000.00",
        "year": 2026,
        "method": "reference",
        "units": [
            {"code": "A", "reference": "5", "lock": "100.00"},
            {"code": "B", "reference": "1", "min": "250.00"},
            {"code": "C", "reference": "1"},
            {"code": "D", "reference": "8", "max": "500.00"},
        ],
    }
    result = run(tmp_path, spec, "--lineage")
    assert {c: u["year"] for c, u in result["units"].items()} == {
        "A": "100.00",
        "B": "250.00",
        "C": "150.00",
        "D": "500.00",
    }
    assert result["units"]["D"]["lineage"]["bound"] == "max"
    assert result["units"]["A"]["lineage"]["method"] == "lock"
    assert_consistent(result)


def test_zero_references_split_equally_and_ties_go_to_the_first_unit(tmp_path):
    spec = {
        "total": "100.00",
        "year": 2026,
        "method": "reference",
        "seasonality": "flat",
        "units": [{"code": c, "reference": "0"} for c in ("A", "B", "C")],
    }
    result = run(tmp_path, spec)
    assert [u["year"] for u in result["units"].values()] == ["33.34", "33.33", "33.33"]
    # 33.34 over 12 equal months = 2.78 × 10 + 2.77 × 2: the first ten months win.
    months = list(result["units"]["A"]["months"].values())
    assert months == ["2.78"] * 10 + ["2.77"] * 2
    assert_consistent(result)


def test_weeks_cross_months_and_years(tmp_path):
    spec = {
        "total": "3650.00",
        "year": 2025,
        "week_basis": "calendar_days",
        "seasonality": [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31],
        "units": [{"code": "G"}],
    }
    weeks = run(tmp_path, spec)["units"]["G"]["weeks"]
    # 10.00 a day: 2025-W01 starts Mon 2024-12-30, so 2025 has only 1/1–1/5 of it;
    # 2026-W01 starts 2025-12-29 and takes 12/29–12/31; W05 spans January and February.
    assert weeks["2025-W01"] == "50.00"
    assert weeks["2026-W01"] == "30.00"
    assert weeks["2025-W05"] == "70.00"
    assert list(weeks)[0] == "2025-W01" and list(weeks)[-1] == "2026-W01"


def test_2026_week_one_has_only_the_make_up_sunday_in_january(tmp_path):
    spec = {"total": "12000.00", "year": 2026, "units": [{"code": "G"}]}
    weeks = run(tmp_path, spec)["units"]["G"]["weeks"]
    assert weeks["2026-W01"] == "47.62"  # 1,000.00 × 1/21, with the first leftover fen


@pytest.mark.parametrize(
    "spec, message",
    [
        ("{not json", "not valid JSON"),
        ({"year": 2026, "units": [{"code": "A"}]}, "needs a total"),
        ({**ISSUE_SPEC, "total": "1.001"}, "total: 1.001 has more than 2 decimals"),
        ({**ISSUE_SPEC, "total": "-5"}, "must be zero or more"),
        ({**ISSUE_SPEC, "method": "magic"}, "method must be equal"),
        ({**ISSUE_SPEC, "seasonality": [1, 2]}, "12 numbers"),
        ({**ISSUE_SPEC, "week_basis": "moon"}, "week_basis"),
        ({**ISSUE_SPEC, "fiscal_year_start_month": 13}, "fiscal_year_start_month"),
        ({**ISSUE_SPEC, "units": [{"code": "G1", "parent": "NOPE"}]}, "G1 names parent NOPE"),
        ({**ISSUE_SPEC, "units": [{"code": "G1", "lock": "abc"}]}, "G1.lock: abc is not a number"),
        (
            {"total": "10.00", "year": 2026, "units": [{"code": "X", "lock": "11.00"}]},
            "Locks of X add up to 11.00",
        ),
        (
            {
                "total": "10.00",
                "year": 2026,
                "units": [{"code": "X", "max": "1.00"}, {"code": "Y", "max": "2.00"}],
            },
            "The maximums of X, Y add up to 3.00",
        ),
    ],
)
def test_bad_specs_are_refused_with_a_message(tmp_path, spec, message):
    with pytest.raises(CommandError, match=message) as exc:
        run(tmp_path, spec)
    assert exc.value.returncode == 2


def test_the_command_exits_with_code_2_and_writes_to_stdout(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"total": "10.00", "year": 2026, "units": [{"code": "X", "lock": "11.00"}]})
    )
    cli = [sys.executable, "-m", "gridsales.cli", "targets", "split"]
    done = subprocess.run([*cli, str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    # The command speaks the default language (zh-hans), with the unit's code and amounts.
    assert "X 的锁定值合计 11.00" in done.stderr and "但总额可分配" in done.stderr.replace(" ", "")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(ISSUE_SPEC))
    done = subprocess.run([*cli, str(good)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["units"]["G2"]["year"] == "3000000.00"
