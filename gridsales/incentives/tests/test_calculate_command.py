"""The file-in/file-out contract: `gridsales incentives calculate --plan … --sales … --targets …`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gridsales.incentives.tests.test_calculator import ISSUE_PLAN, SALES, TARGETS


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def files(tmp_path: Path, plan=ISSUE_PLAN, sales=SALES, targets=TARGETS) -> list[str]:
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    (tmp_path / "sales.csv").write_text(sales, encoding="utf-8")
    (tmp_path / "targets.csv").write_text(targets, encoding="utf-8")
    return [
        "--plan",
        str(tmp_path / "plan.json"),
        "--sales",
        str(tmp_path / "sales.csv"),
        "--targets",
        str(tmp_path / "targets.csv"),
    ]


def test_it_writes_the_contract_output(tmp_path):
    out = tmp_path / "out.json"
    call_command("incentives", "calculate", *files(tmp_path), "--period", "2026-03", "-o", str(out))
    result = json.loads(out.read_text(encoding="utf-8"))
    assert set(result) == {"period", "currency", "reps"}
    assert result["period"] == "2026-03"
    assert result["currency"] == "CNY"
    assert sorted(result["reps"]) == ["alice", "bob", "carol", "erin", "frank"]
    alice = result["reps"]["alice"]
    assert {k: alice[k] for k in ISSUE_KEYS} == {
        "base": "125000.00",
        "target": "100000.00",
        "attainment": "1.2500",
        "tier_commission": "3136.00",
        "bonus": "5000.00",
        "cap_adjustment": "0.00",
        "clawback": "-250.00",
        "total": "7886.00",
    }
    assert set(alice["lines"][0]) == {
        "kind",
        "order_no",
        "line_no",
        "base",
        "rate",
        "multiplier",
        "amount",
        "sentence",
    }
    assert [ln["kind"] for ln in alice["lines"]] == [
        "order_line",
        "order_line",
        "order_line",
        "bonus",
        "clawback",
        "clawback",
    ]


ISSUE_KEYS = (
    "base",
    "target",
    "attainment",
    "tier_commission",
    "bonus",
    "cap_adjustment",
    "clawback",
    "total",
)


def test_bad_input_exits_with_code_2_and_names_the_place(tmp_path):
    args = files(tmp_path, sales=SALES.replace("60000.00", "6O000.00"))
    with pytest.raises(CommandError) as exc:
        call_command("incentives", "calculate", *args, "--period", "2026-03")
    assert exc.value.returncode == 2
    assert str(exc.value) == (
        f"{tmp_path / 'sales.csv'} line 2, column amount: 6O000.00 is not an amount of zero or more."
    )


def test_a_missing_file_exits_with_code_2(tmp_path):
    args = files(tmp_path)
    args[args.index("--targets") + 1] = str(tmp_path / "nope.csv")
    with pytest.raises(CommandError) as exc:
        call_command("incentives", "calculate", *args, "--period", "2026-03")
    assert exc.value.returncode == 2
    assert str(exc.value).startswith(f"Cannot read {tmp_path / 'nope.csv'}:")


def test_a_bad_period_exits_with_code_2(tmp_path):
    with pytest.raises(CommandError) as exc:
        call_command("incentives", "calculate", *files(tmp_path), "--period", "March")
    assert str(exc.value) == "--period must be a month such as 2026-03, not March."


def test_the_console_script_runs_without_a_database(tmp_path):
    cli = [sys.executable, "-m", "gridsales.cli", "incentives", "calculate", "--period", "2026-03"]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"  # unreachable: never used
    done = subprocess.run(
        [*cli, *files(tmp_path)], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["reps"]["erin"]["total"] == "-140.00"
    bad = files(tmp_path, targets="rep,period,target\nalice,2026-03,abc\n")
    done = subprocess.run([*cli, *bad], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 2
    # The command speaks the default language (zh-hans) and names the place.
    assert "targets.csv 第 2 行，target 列：abc 不是大于或等于零的金额。" in done.stderr
