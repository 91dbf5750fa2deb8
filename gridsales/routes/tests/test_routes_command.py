import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridsales.routes.bench import DATA
from gridsales.routes.tests.test_formats import DAY
from gridsales.routes.tests.test_solver import solomon_subset


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def run(*args):
    call_command("routes", "solve", *map(str, args))


def test_it_solves_a_small_solomon_instance_end_to_end(tmp_path: Path):
    instance = tmp_path / "c101-10.txt"
    instance.write_text(solomon_subset(10))
    out = tmp_path / "out.json"
    run(instance, "--format", "solomon", "--time-limit", 1, "--seed", 1, "--output", out)
    result = json.loads(out.read_text())
    assert set(result) == {"routes", "distance", "vehicles", "feasible", "seconds"}
    assert result["feasible"] is True
    visited = [c for route in result["routes"] for c in route]
    assert sorted(visited) == list(range(1, 11))  # customer ids, depot 0 not listed
    assert result["vehicles"] == len(result["routes"])
    assert isinstance(result["distance"], float)


def test_it_writes_one_tour_over_every_tsplib_node(tmp_path: Path):
    out = tmp_path / "out.json"
    run(DATA / "tsplib" / "eil51.tsp", "--format", "tsplib", "--time-limit", 1, "--output", out)
    result = json.loads(out.read_text())
    (tour,) = result["routes"]
    assert tour[0] == 1
    assert sorted(tour) == list(range(1, 52))
    assert result["vehicles"] == 1
    assert result["distance"] == int(result["distance"])
    assert result["distance"] <= 426 * 1.005  # eil51's optimum is 426


def test_a_json_day_gets_times_breaks_and_dropped_stops(tmp_path: Path):
    instance = tmp_path / "day.json"
    doc = json.loads(DAY)
    doc["stops"].append(
        {"id": "far", "x": 125.0, "y": 31.2, "service": 30, "required": False, "priority": 1}
    )
    instance.write_text(json.dumps(doc))
    out = tmp_path / "out.json"
    run(instance, "--format", "json", "--time-limit", 0.5, "--output", out)
    result = json.loads(out.read_text())
    assert result["feasible"] is True
    assert result["routes"] == [["C1", "C2"]] or sorted(result["routes"][0]) == ["C1", "C2"]
    (day,) = result["schedule"]
    assert day["vehicle"] == "rep"
    assert [v["break"] for v in day["visits"]].count(True) == 1
    c1 = next(v for v in day["visits"] if v["stop"] == "C1")
    assert 540 <= c1["start"] <= 720
    assert result["dropped"] == [
        {
            "stop": "far",
            "reason": "window",
            "message": "It cannot be reached within its window (0–∞) and the working hours, "
            "even as the only stop.",
        }
    ]


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        (
            "solomon",
            "C1\nVEHICLE\n 2 10\nCUSTOMER\n 0 0 0 0 0 100 0\n 1 x 1 1 0 50 5\n",
            "Line 6: XCOORD. 'x' is not a number.",
        ),
        (
            "tsplib",
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: ATT\n",
            "Line 2: EDGE_WEIGHT_TYPE must be EUC_2D, not 'ATT'.",
        ),
        (
            "json",
            '{"depots": [], "stops": [], "vehicles": []}',
            "depots: expected a non-empty list […].",
        ),
    ],
)
def test_bad_input_exits_with_code_2_and_names_the_place(tmp_path: Path, fmt, text, message):
    instance = tmp_path / "bad.txt"
    instance.write_text(text)
    with pytest.raises(CommandError) as exc:
        run(instance, "--format", fmt, "--time-limit", 1)
    assert exc.value.returncode == 2
    assert str(exc.value) == f"{instance}: {message}"


def test_a_missing_file_or_a_bad_time_limit_exits_with_code_2(tmp_path: Path):
    with pytest.raises(CommandError) as exc:
        run(tmp_path / "nope.txt", "--format", "solomon")
    assert exc.value.returncode == 2
    instance = tmp_path / "eil51.tsp"
    instance.write_text((DATA / "tsplib" / "eil51.tsp").read_text())
    with pytest.raises(CommandError) as exc:
        run(instance, "--format", "tsplib", "--time-limit", 0)
    assert exc.value.returncode == 2
    assert str(exc.value) == "The time limit must be positive."


def test_the_console_command_exits_with_code_2_on_bad_input(tmp_path: Path):
    instance = tmp_path / "bad.tsp"
    instance.write_text("TYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridsales.cli",
            "routes",
            "solve",
            str(instance),
            "--format",
            "tsplib",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "GRIDSALES_TESTING": "1"},
        check=False,
    )
    assert done.returncode == 2
    # A new process speaks the default language (zh-hans).
    assert "第 5 行" in done.stderr
