"""Instance files → `Problem`: Solomon VRPTW text, TSPLIB EUC_2D and our JSON.

Pure core. Every error names the line (or JSON field) and what to fix. The JSON format is
documented in docs/routes.md; `formats_json.py` reads it.
"""

from __future__ import annotations

import math
import re

import numpy as np

from gridsales.routes.problem import (
    Depot,
    Problem,
    ProblemError,
    Stop,
    Vehicle,
    euclidean_matrix,
    gettext_noop,
)

SOLOMON_COLUMNS = "CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME"


def _lines(text: str | bytes) -> list[str]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ProblemError(gettext_noop("The file is not UTF-8 text.")) from None
    return text.splitlines()


def _number(token: str, line: int, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise ProblemError(
            gettext_noop("Line {line}: {what} {value!r} is not a number."),
            line=line,
            what=what,
            value=token,
        ) from None
    if not math.isfinite(value):
        raise ProblemError(
            gettext_noop("Line {line}: {what} {value!r} is not a finite number."),
            line=line,
            what=what,
            value=token,
        )
    return value


def _integer(token: str, line: int, what: str) -> int:
    value = _number(token, line, what)
    if value != int(value):
        raise ProblemError(
            gettext_noop("Line {line}: {what} {value!r} must be a whole number."),
            line=line,
            what=what,
            value=token,
        )
    return int(value)


def parse_solomon(text: str | bytes) -> Problem:
    """The classic Solomon VRPTW file: name, VEHICLE (number, capacity), CUSTOMER rows.

    Customer 0 is the depot; its ready/due times are the vehicles' shift. Distances and
    travel times are real Euclidean distances (not rounded). Stop ids are the customer
    numbers as text.
    """
    lines = _lines(text)
    name = lines[0].strip() if lines else ""
    numbered = [(no, line.split()) for no, line in enumerate(lines, start=1)]
    fleet = None
    rows: list[tuple[int, list[str]]] = []
    section = None
    for no, tokens in numbered:
        if not tokens:
            continue
        head = tokens[0].upper()
        if head in ("VEHICLE", "CUSTOMER"):
            section = head
            continue
        if not re.fullmatch(r"[-+0-9.eE]+", tokens[0]):
            continue  # a title or column header line
        if section == "VEHICLE" and fleet is None:
            if len(tokens) != 2:
                raise ProblemError(
                    gettext_noop(
                        "Line {line}: expected 2 numbers (NUMBER, CAPACITY) under VEHICLE, "
                        "found {count}."
                    ),
                    line=no,
                    count=len(tokens),
                )
            fleet = (
                _integer(tokens[0], no, "NUMBER"),
                _integer(tokens[1], no, "CAPACITY"),
                no,
            )
        elif section == "CUSTOMER":
            rows.append((no, tokens))
        else:
            raise ProblemError(
                gettext_noop("Line {line}: numbers outside the VEHICLE and CUSTOMER sections."),
                line=no,
            )
    if fleet is None:
        raise ProblemError(
            gettext_noop("The file has no VEHICLE section with NUMBER and CAPACITY.")
        )
    count, capacity, fleet_line = fleet
    if count < 1 or capacity < 0:
        raise ProblemError(
            gettext_noop(
                "Line {line}: the number of vehicles must be at least 1 and the capacity "
                "not negative."
            ),
            line=fleet_line,
        )
    if len(rows) < 2:
        raise ProblemError(
            gettext_noop("The CUSTOMER section needs the depot (customer 0) and a customer.")
        )
    parsed = []
    seen: dict[int, int] = {}
    for no, tokens in rows:
        if len(tokens) != 7:
            raise ProblemError(
                gettext_noop("Line {line}: expected 7 numbers ({columns}), found {count}."),
                line=no,
                columns=SOLOMON_COLUMNS,
                count=len(tokens),
            )
        cust = _integer(tokens[0], no, "CUST NO.")
        x, y = _number(tokens[1], no, "XCOORD."), _number(tokens[2], no, "YCOORD.")
        demand = _integer(tokens[3], no, "DEMAND")
        ready, due = _number(tokens[4], no, "READY TIME"), _number(tokens[5], no, "DUE DATE")
        service = _number(tokens[6], no, "SERVICE TIME")
        if cust in seen:
            raise ProblemError(
                gettext_noop("Line {line}: customer {id} was already given on line {first}."),
                line=no,
                id=cust,
                first=seen[cust],
            )
        seen[cust] = no
        if demand < 0 or service < 0:
            raise ProblemError(
                gettext_noop("Line {line}: DEMAND and SERVICE TIME cannot be negative."),
                line=no,
            )
        if ready > due:
            raise ProblemError(
                gettext_noop("Line {line}: READY TIME {ready:g} is after DUE DATE {due:g}."),
                line=no,
                ready=ready,
                due=due,
            )
        parsed.append((no, cust, x, y, demand, ready, due, service))
    depot_row = parsed[0]
    if depot_row[1] != 0:
        raise ProblemError(
            gettext_noop("Line {line}: the first customer row must be the depot, customer 0."),
            line=depot_row[0],
        )
    _, _, dx, dy, _, open_, close, _ = depot_row
    stops = [
        Stop(str(cust), x, y, early=ready, late=due, service=service, demand=demand)
        for _, cust, x, y, demand, ready, due, service in parsed[1:]
    ]
    points = [(dx, dy)] + [(s.x, s.y) for s in stops]
    vehicle = Vehicle("vehicle", capacity=capacity, shift_start=open_, shift_end=close, count=count)
    return Problem(
        depots=[Depot("0", dx, dy)],
        stops=stops,
        vehicles=[vehicle],
        distance=euclidean_matrix(points),
        name=name,
        meta={"format": "solomon"},
    )


def tsplib_nint(points: np.ndarray) -> np.ndarray:
    """TSPLIB EUC_2D distances: nint(sqrt(dx² + dy²)), i.e. (int)(d + 0.5)."""
    return np.floor(euclidean_matrix(points) + 0.5)


def parse_tsplib(text: str | bytes) -> Problem:
    """A TSPLIB TSP with EDGE_WEIGHT_TYPE EUC_2D and a NODE_COORD_SECTION.

    Node 1 is the depot of the one vehicle; stop ids are the node numbers as text.
    """
    lines = _lines(text)
    spec: dict[str, tuple[str, int]] = {}
    nodes: list[tuple[int, int, float, float]] = []
    in_coords = False
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.upper() == "EOF":
            break
        if in_coords:
            tokens = line.split()
            if len(tokens) != 3:
                raise ProblemError(
                    gettext_noop(
                        "Line {line}: expected a node number and two coordinates, found "
                        "{count} values."
                    ),
                    line=no,
                    count=len(tokens),
                )
            node = _integer(tokens[0], no, "node")
            nodes.append((no, node, _number(tokens[1], no, "x"), _number(tokens[2], no, "y")))
            continue
        if line.upper().startswith("NODE_COORD_SECTION"):
            in_coords = True
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ProblemError(
                gettext_noop("Line {line}: expected KEY : VALUE or NODE_COORD_SECTION."), line=no
            )
        spec[key.strip().upper()] = (value.strip(), no)
    kind, kind_line = spec.get("TYPE", ("", 0))
    if kind.upper() != "TSP":
        raise ProblemError(
            gettext_noop("Line {line}: TYPE must be TSP, not {value!r}."),
            line=kind_line,
            value=kind,
        )
    weight, weight_line = spec.get("EDGE_WEIGHT_TYPE", ("", 0))
    if weight.upper() != "EUC_2D":
        raise ProblemError(
            gettext_noop("Line {line}: EDGE_WEIGHT_TYPE must be EUC_2D, not {value!r}."),
            line=weight_line,
            value=weight,
        )
    if not nodes:
        raise ProblemError(gettext_noop("The file has no NODE_COORD_SECTION with nodes."))
    dim, dim_line = spec.get("DIMENSION", ("", 0))
    dimension = _integer(dim, dim_line, "DIMENSION") if dim else len(nodes)
    if dimension != len(nodes):
        raise ProblemError(
            gettext_noop("Line {line}: DIMENSION is {dimension}, but {count} nodes follow."),
            line=dim_line,
            dimension=dimension,
            count=len(nodes),
        )
    expected = 1
    for no, node, _, _ in nodes:
        if node != expected:
            raise ProblemError(
                gettext_noop("Line {line}: node {node} where node {expected} was expected."),
                line=no,
                node=node,
                expected=expected,
            )
        expected += 1
    if len(nodes) < 2:
        raise ProblemError(gettext_noop("A tour needs at least 2 nodes."))
    points = np.array([(x, y) for _, _, x, y in nodes])
    name = spec.get("NAME", ("", 0))[0]
    return Problem(
        depots=[Depot("1", *points[0])],
        stops=[Stop(str(node), x, y) for _, node, x, y in nodes[1:]],
        vehicles=[Vehicle("tour")],
        distance=tsplib_nint(points),
        name=name,
        meta={"format": "tsplib"},
    )
