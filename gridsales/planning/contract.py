"""The file-in/file-out districting (`gridsales planning districts INSTANCE`): parse, solve,
render. Pure core: no Django. The formats are documented in docs/planning.md.

INSTANCE is GraphML (`load_graphml`) or GeoJSON (`geojson.load_geojson`), told apart by
their first character; today's plan, fixed units and centres are small JSON objects keyed
by unit id (`read_units`, `read_centres`).
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET

import numpy as np

from gridsales.planning.districting import Instance, evaluate, solve
from gridsales.planning.errors import DistrictingError, _

NS = "{http://graphml.graphdrawing.org/xmlns}"
ACTIVITIES = ["n_customers", "demand", "workload"]


def _number(text: str | None, template: str, **params) -> float:
    """`text` as a finite number, else the error `template` (which shows {value!r})."""
    try:
        value = float((text or "").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise DistrictingError(template, value=text, **params)
    return value


def _tag(element, name: str):
    """Children called `name`, with or without the GraphML namespace."""
    return element.findall(NS + name) + element.findall(name)


def load_graphml(text: str | bytes, *, activities: list[str] | None = None) -> Instance:
    """GraphML: nodes with x, y and the activities (default n_customers, demand,
    workload); undirected edges with distance."""
    names = list(activities or ACTIVITIES)
    node_keys = ["x", "y", *names]
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise DistrictingError(
            _("The file is not valid GraphML (XML): {error}."), error=exc
        ) from exc
    keys = {k.get("id"): (k.get("for"), k.get("attr.name")) for k in _tag(root, "key")}
    graphs = _tag(root, "graph")
    if len(graphs) != 1:
        raise DistrictingError(_("The GraphML file must contain exactly one <graph>."))
    graph = graphs[0]
    ids: list[str] = []
    rows: list[list[float]] = []
    index: dict[str, int] = {}
    for node in _tag(graph, "node"):
        node_id = node.get("id")
        if node_id is None or node_id in index:
            raise DistrictingError(_("Node {node}: missing or duplicate id."), node=node_id)
        values = {}
        for data in _tag(node, "data"):
            _for, name = keys.get(data.get("key"), (None, data.get("key")))
            values[name] = data.text
        missing = [k for k in node_keys if k not in values]
        if missing:
            raise DistrictingError(
                _("Node {node}: missing {keys}."), node=node_id, keys=", ".join(missing)
            )
        index[node_id] = len(ids)
        ids.append(node_id)
        rows.append(
            [
                _number(
                    values[k],
                    _("Node {node}, {key}: {value!r} is not a number."),
                    node=node_id,
                    key=k,
                )
                for k in node_keys
            ]
        )
    if not ids:
        raise DistrictingError(_("The GraphML file has no nodes."))
    edges: list[tuple[int, int, float]] = []
    for edge in _tag(graph, "edge"):
        source, target = edge.get("source"), edge.get("target")
        if source not in index or target not in index:
            raise DistrictingError(
                _("Edge {source}–{target}: unknown node."), source=source, target=target
            )
        distance = None
        for data in _tag(edge, "data"):
            _for, name = keys.get(data.get("key"), (None, data.get("key")))
            if name == "distance":
                distance = _number(
                    data.text,
                    _("Edge {source}–{target}: the distance {value!r} is not a number."),
                    source=source,
                    target=target,
                )
        if distance is None:
            raise DistrictingError(
                _("Edge {source}–{target}: missing distance."), source=source, target=target
            )
        edges.append((index[source], index[target], distance))
    data = np.array(rows)
    return Instance(
        ids=ids,
        xy=data[:, :2],
        activities=data[:, 2:],
        activity_names=names,
        edges=edges,
    )


def load_instance(
    text: str | bytes, *, id_field: str = "id", activities: list[str] | None = None
) -> Instance:
    """GraphML or GeoJSON, told apart by the first character (`<` or `{`)."""
    head = text.lstrip()[:1]
    if head in ("{", b"{"):
        from gridsales.planning.geojson import load_geojson

        return load_geojson(text, id_field=id_field, activities=activities)
    return load_graphml(text, activities=activities)


def _json_object(text: str | bytes, what: str) -> dict:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DistrictingError(
            _("{what}: not valid JSON ({error})."), what=what, error=exc
        ) from exc
    if not isinstance(data, dict):
        raise DistrictingError(_("{what}: expected a JSON object."), what=what)
    return data


def _territory(value, p: int, what: str, unit: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < p:
        raise DistrictingError(
            _(
                "{what}, unit {unit}: the territory {value!r} is not a whole number from 0 to {last}."
            ),
            what=what,
            unit=unit,
            value=value,
            last=p - 1,
        )
    return value


def read_units(text: str | bytes, inst: Instance, p: int, what: str) -> dict[int, int]:
    """`{"<unit id>": territory, …}` (or a previous output, `{"assignment": {…}}`) → unit
    index → territory. `what` names the file in messages."""
    data = _json_object(text, what)
    if isinstance(data.get("assignment"), dict):
        data = data["assignment"]
    index = {uid: i for i, uid in enumerate(inst.ids)}
    out: dict[int, int] = {}
    for uid, value in data.items():
        if uid not in index:
            raise DistrictingError(_("{what}: there is no unit {unit}."), what=what, unit=uid)
        out[index[uid]] = _territory(value, p, what, uid)
    return out


def read_centres(text: str | bytes, inst: Instance, p: int, what: str) -> dict[int, int]:
    """`{"<territory>": "<unit id>", …}` → territory → unit index."""
    data = _json_object(text, what)
    index = {uid: i for i, uid in enumerate(inst.ids)}
    out: dict[int, int] = {}
    for key, uid in data.items():
        try:
            t = int(key)
        except ValueError:
            t = None
        if t is None or not 0 <= t < p:
            raise DistrictingError(
                _("{what}: the territory {value!r} is not a whole number from 0 to {last}."),
                what=what,
                value=key,
                last=p - 1,
            )
        if not isinstance(uid, str | int) or str(uid) not in index:
            raise DistrictingError(_("{what}: there is no unit {unit}."), what=what, unit=uid)
        out[t] = index[str(uid)]
    return out


def run_districts(
    inst: Instance,
    *,
    territories: int,
    tolerance: float,
    time_limit: float = 60.0,
    seed: int = 1,
    allow_disconnected: bool = False,
    max_iterations: int | None = None,
    current: dict[int, int] | None = None,
    disruption_weight: float = 0.0,
    fixed: dict[int, int] | None = None,
    centres: dict[int, int] | None = None,
) -> dict:
    """Solve and render the contract's output: the assignment and the metrics. `current`,
    `fixed` and `centres` come from read_units / read_centres."""
    current_arr = None
    if current is not None:
        current_arr = np.full(inst.n, -1, dtype=np.int64)
        for u, t in current.items():
            current_arr[u] = t
    result = solve(
        inst,
        territories,
        tolerance,
        time_limit=time_limit,
        seed=seed,
        allow_disconnected=allow_disconnected,
        max_iterations=max_iterations,
        current=current_arr,
        disruption_weight=disruption_weight,
        fixed=fixed,
        centres=centres,
    )
    report = evaluate(inst, result.assign, territories, tolerance, current=current_arr)
    feasible = report["balanced"] and report["empty_territories"] == 0
    if not allow_disconnected:
        feasible = feasible and report["contiguous"]
    metrics = {
        "max_diameter": round(report["max_diameter"], 6),
        "feasible": bool(feasible),
        "balanced": bool(report["balanced"]),
        "contiguous": bool(report["contiguous"]),
        "imbalance": round(report["imbalance"], 9),
        "max_deviation": round(report["max_deviation"], 6),
        "seconds": round(result.seconds, 3),
        "iterations": result.iterations,
    }
    if "moved" in report:
        metrics["moved"] = {k: round(v, 6) for k, v in report["moved"].items()}
    metrics["territories"] = [
        {
            "territory": t["territory"],
            "units": t["units"],
            "diameter": round(t["diameter"], 6),
            "contiguous": t["contiguous"],
            "deviation": {k: round(v, 6) for k, v in t["deviation"].items()},
        }
        for t in report["territories"]
    ]
    return {
        "assignment": {uid: int(t) for uid, t in zip(inst.ids, result.assign, strict=True)},
        "metrics": metrics,
    }
