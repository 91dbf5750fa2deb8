import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridsales.planning.bench import DATA

GRAPHML = """<?xml version='1.0' encoding='utf-8'?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d5" for="edge" attr.name="distance" attr.type="float"/>
<key id="d4" for="node" attr.name="workload" attr.type="int"/>
<key id="d3" for="node" attr.name="demand" attr.type="int"/>
<key id="d2" for="node" attr.name="n_customers" attr.type="int"/>
<key id="d1" for="node" attr.name="y" attr.type="int"/>
<key id="d0" for="node" attr.name="x" attr.type="int"/>
<graph edgedefault="undirected">{nodes}{edges}</graph></graphml>"""


def grid_graphml(rows: int, cols: int) -> str:
    nodes, edges = [], []
    for r in range(rows):
        for c in range(cols):
            i = r * cols + c
            nodes.append(
                f'<node id="{i}"><data key="d0">{c}</data><data key="d1">{r}</data>'
                '<data key="d2">1</data><data key="d3">10</data><data key="d4">5</data></node>'
            )
            if c + 1 < cols:
                edges.append(
                    f'<edge source="{i}" target="{i + 1}"><data key="d5">1.0</data></edge>'
                )
            if r + 1 < rows:
                edges.append(
                    f'<edge source="{i}" target="{i + cols}"><data key="d5">1.0</data></edge>'
                )
    return GRAPHML.format(nodes="".join(nodes), edges="".join(edges))


def run(*args):
    call_command("planning", "districts", *map(str, args))


def quick(*args):
    """A short, reproducible run: 5 perturbations (the time limit is only a safety net)."""
    run(*args, "--time-limit", 10, "--max-iterations", 5)


def test_it_writes_the_assignment_and_metrics(tmp_path: Path):
    instance = tmp_path / "grid.graphml"
    instance.write_text(grid_graphml(6, 6))
    out = tmp_path / "out.json"
    quick(instance, "--territories", 4, "--tolerance", 0.05, "--output", out)
    result = json.loads(out.read_text())
    assert set(result) == {"assignment", "metrics"}
    assert set(result["assignment"]) == {str(i) for i in range(36)}
    assert set(result["assignment"].values()) == {0, 1, 2, 3}
    metrics = result["metrics"]
    assert {"max_diameter", "feasible", "imbalance", "seconds"} <= set(metrics)
    assert metrics["feasible"] is True


@pytest.mark.parametrize(
    "text",
    [
        "<graphml><graph>",
        GRAPHML.format(nodes='<node id="0"><data key="d0">1</data></node>', edges=""),
        GRAPHML.format(
            nodes='<node id="0"><data key="d0">a</data><data key="d1">0</data>'
            '<data key="d2">1</data><data key="d3">1</data><data key="d4">1</data></node>',
            edges="",
        ),
        GRAPHML.format(
            nodes='<node id="0"><data key="d0">0</data><data key="d1">0</data>'
            '<data key="d2">1</data><data key="d3">1</data><data key="d4">1</data></node>',
            edges='<edge source="0" target="9"><data key="d5">1</data></edge>',
        ),
    ],
)
def test_malformed_graphml_exits_with_code_2(tmp_path: Path, text: str):
    instance = tmp_path / "bad.graphml"
    instance.write_text(text)
    with pytest.raises(CommandError) as exc:
        run(instance, "--territories", 2, "--output", tmp_path / "out.json")
    assert exc.value.returncode == 2


def test_a_missing_file_exits_with_code_2(tmp_path: Path):
    with pytest.raises(CommandError) as exc:
        run(tmp_path / "nope.graphml", "--territories", 2)
    assert exc.value.returncode == 2


def test_a_published_instance_is_feasible_after_a_few_perturbations(tmp_path: Path):
    out = tmp_path / "out.json"
    quick(DATA / "planar500_G0.graphml", "--territories", 10, "--output", out)
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["feasible"] is True
    assert metrics["contiguous"] is True
    assert metrics["max_diameter"] < 1.5 * 46.1106  # a sanity bound: this is not the benchmark


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def grid_files(tmp_path: Path, **files) -> tuple[Path, dict[str, Path]]:
    instance = tmp_path / "grid.graphml"
    instance.write_text(grid_graphml(4, 5))
    paths = {}
    for name, content in files.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(content if isinstance(content, str) else json.dumps(content))
    return instance, paths


def test_with_a_high_weight_the_current_plan_is_kept_and_nothing_moves(tmp_path: Path):
    # Rows 0–1 and rows 2–3 of the 4 × 5 grid: balanced, contiguous, a little long.
    current = {str(i): int(i >= 10) for i in range(20)}
    instance, paths = grid_files(tmp_path, current=current)
    out = tmp_path / "out.json"
    quick(
        instance,
        "-p",
        2,
        "--current",
        paths["current"],
        "--disruption-weight",
        100,
        "--output",
        out,
    )
    result = json.loads(out.read_text())
    assert result["assignment"] == current
    assert result["metrics"]["moved"] == {"units": 0, "n_customers": 0, "demand": 0, "workload": 0}


def test_an_earlier_output_serves_as_the_current_plan(tmp_path: Path):
    instance, _paths = grid_files(tmp_path)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    quick(instance, "-p", 2, "--output", first)
    quick(instance, "-p", 2, "--current", first, "--disruption-weight", 100, "--output", second)
    assert (
        json.loads(second.read_text())["assignment"] == json.loads(first.read_text())["assignment"]
    )


def test_fixed_units_and_centres_stay_where_they_are_put(tmp_path: Path):
    instance, paths = grid_files(tmp_path, fixed={"0": 1, "19": 0}, centres={"1": "4"})
    out = tmp_path / "out.json"
    quick(
        instance, "-p", 2, "--fixed", paths["fixed"], "--centres", paths["centres"], "--output", out
    )
    result = json.loads(out.read_text())
    assignment = result["assignment"]
    assert (assignment["0"], assignment["19"], assignment["4"]) == (1, 0, 1)
    assert result["metrics"]["feasible"] is True


@pytest.mark.parametrize(
    "option, content, message",
    [
        ("current", "[1, 2]", "{file}: expected a JSON object."),
        ("current", "{", "{file}: not valid JSON ("),
        ("fixed", {"99": 0}, "{file}: there is no unit 99."),
        ("fixed", {"3": 2}, "{file}, unit 3: the territory 2 is not a whole number from 0 to 1."),
        (
            "fixed",
            {"3": "0"},
            "{file}, unit 3: the territory '0' is not a whole number from 0 to 1.",
        ),
        ("centres", {"x": "3"}, "{file}: the territory 'x' is not a whole number from 0 to 1."),
        ("centres", {"0": "nope"}, "{file}: there is no unit nope."),
    ],
)
def test_bad_plan_files_exit_with_code_2_and_say_why(tmp_path, english, option, content, message):
    instance, paths = grid_files(tmp_path, **{option: content})
    with pytest.raises(CommandError) as exc:
        quick(instance, "-p", 2, f"--{option}", paths[option])
    assert exc.value.returncode == 2
    assert str(exc.value).startswith(message.format(file=paths[option]))


def test_a_bad_option_names_the_instance(tmp_path, english):
    instance, _paths = grid_files(tmp_path)
    with pytest.raises(CommandError) as exc:
        run(instance, "-p", 2, "--disruption-weight", -1)
    assert str(exc.value) == f"{instance}: The disruption weight must not be negative."


def test_graphml_activities_can_be_chosen(tmp_path: Path):
    instance, _paths = grid_files(tmp_path)
    out = tmp_path / "out.json"
    quick(instance, "-p", 2, "--activities", "workload", "--output", out)
    deviation = json.loads(out.read_text())["metrics"]["territories"][0]["deviation"]
    assert set(deviation) == {"workload"}
