"""The file-in/file-out districting (`gridsales planning districts INSTANCE`): parse, solve,
render. Pure core: no Django. The format is documented in docs/planning.md.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np

from gridsales.planning.districting import DistrictingError, Instance, evaluate, solve

NS = "{http://graphml.graphdrawing.org/xmlns}"
ACTIVITIES = ["n_customers", "demand", "workload"]
NODE_KEYS = ["x", "y", *ACTIVITIES]


def _number(text: str | None, what: str) -> float:
    try:
        value = float((text or "").strip())
    except ValueError:
        raise DistrictingError(f"{what}: {text!r} is not a number.") from None
    if not math.isfinite(value):
        raise DistrictingError(f"{what}: {text!r} is not a finite number.")
    return value


def _tag(element, name: str):
    """Children called `name`, with or without the GraphML namespace."""
    return element.findall(NS + name) + element.findall(name)


def load_graphml(text: str | bytes) -> Instance:
    """GraphML (nodes with x, y, n_customers, demand, workload; edges with distance)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise DistrictingError(f"The file is not valid GraphML (XML): {exc}.") from exc
    keys = {k.get("id"): (k.get("for"), k.get("attr.name")) for k in _tag(root, "key")}
    graphs = _tag(root, "graph")
    if len(graphs) != 1:
        raise DistrictingError("The GraphML file must contain exactly one <graph>.")
    graph = graphs[0]
    ids: list[str] = []
    rows: list[list[float]] = []
    index: dict[str, int] = {}
    for node in _tag(graph, "node"):
        node_id = node.get("id")
        if node_id is None or node_id in index:
            raise DistrictingError(f"Node {node_id!r}: missing or duplicate id.")
        values = {}
        for data in _tag(node, "data"):
            _for, name = keys.get(data.get("key"), (None, data.get("key")))
            values[name] = data.text
        missing = [k for k in NODE_KEYS if k not in values]
        if missing:
            raise DistrictingError(f"Node {node_id}: missing {', '.join(missing)}.")
        index[node_id] = len(ids)
        ids.append(node_id)
        rows.append([_number(values[k], f"Node {node_id}, {k}") for k in NODE_KEYS])
    if not ids:
        raise DistrictingError("The GraphML file has no nodes.")
    edges: list[tuple[int, int, float]] = []
    for edge in _tag(graph, "edge"):
        source, target = edge.get("source"), edge.get("target")
        if source not in index or target not in index:
            raise DistrictingError(f"Edge {source}–{target}: unknown node.")
        distance = None
        for data in _tag(edge, "data"):
            _for, name = keys.get(data.get("key"), (None, data.get("key")))
            if name == "distance":
                distance = _number(data.text, f"Edge {source}–{target}, distance")
        if distance is None:
            raise DistrictingError(f"Edge {source}–{target}: missing distance.")
        if distance < 0:
            raise DistrictingError(f"Edge {source}–{target}: negative distance {distance}.")
        edges.append((index[source], index[target], distance))
    data = np.array(rows)
    return Instance(
        ids=ids,
        xy=data[:, :2],
        activities=data[:, 2:],
        activity_names=list(ACTIVITIES),
        edges=edges,
    )


def run_districts(
    inst: Instance,
    *,
    territories: int,
    tolerance: float,
    time_limit: float = 60.0,
    seed: int = 1,
    allow_disconnected: bool = False,
    max_iterations: int | None = None,
) -> dict:
    """Solve and render the contract's output: the assignment and the metrics."""
    result = solve(
        inst,
        territories,
        tolerance,
        time_limit=time_limit,
        seed=seed,
        allow_disconnected=allow_disconnected,
        max_iterations=max_iterations,
    )
    report = evaluate(inst, result.assign, territories, tolerance)
    feasible = report["balanced"] and report["empty_territories"] == 0
    if not allow_disconnected:
        feasible = feasible and report["contiguous"]
    return {
        "assignment": {uid: int(t) for uid, t in zip(inst.ids, result.assign, strict=True)},
        "metrics": {
            "max_diameter": round(report["max_diameter"], 6),
            "feasible": bool(feasible),
            "balanced": bool(report["balanced"]),
            "contiguous": bool(report["contiguous"]),
            "imbalance": round(report["imbalance"], 9),
            "seconds": round(result.seconds, 3),
            "territories": [
                {
                    "territory": t["territory"],
                    "units": t["units"],
                    "diameter": round(t["diameter"], 6),
                    "contiguous": t["contiguous"],
                    "deviation": {k: round(v, 6) for k, v in t["deviation"].items()},
                }
                for t in report["territories"]
            ],
        },
    }
