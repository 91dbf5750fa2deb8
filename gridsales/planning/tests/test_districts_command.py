import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

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


def test_it_writes_the_assignment_and_metrics(tmp_path: Path):
    instance = tmp_path / "grid.graphml"
    instance.write_text(grid_graphml(6, 6))
    out = tmp_path / "out.json"
    run(instance, "--territories", 4, "--tolerance", 0.05, "--time-limit", 1, "--output", out)
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


def test_a_published_instance_is_feasible_in_a_few_seconds(tmp_path: Path):
    out = tmp_path / "out.json"
    run(DATA / "planar500_G0.graphml", "--territories", 10, "--time-limit", 4, "--output", out)
    metrics = json.loads(out.read_text())["metrics"]
    assert metrics["feasible"] is True
    assert metrics["contiguous"] is True
    assert metrics["max_diameter"] < 2 * 46.1106  # a sanity bound: 4 s is not the benchmark
