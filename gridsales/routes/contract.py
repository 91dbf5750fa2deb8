"""The file-in/file-out route solver (`gridsales routes solve INSTANCE`): read, solve, render.

Pure core: no Django (messages are English templates; the command translates them).
OUT.json is `{"routes": [[ids in visit order], ...], "distance": d, "vehicles": n,
"feasible": bool}`; JSON instances also get `schedule` and `dropped` (docs/routes.md).
"""

from __future__ import annotations

from collections.abc import Callable

from gridsales.routes.formats import parse_solomon, parse_tsplib
from gridsales.routes.jsonformat import parse_json
from gridsales.routes.problem import Problem
from gridsales.routes.solver import Solution, solve

PARSERS: dict[str, Callable[[str | bytes], Problem]] = {
    "solomon": parse_solomon,
    "tsplib": parse_tsplib,
    "json": parse_json,
}


def load(text: str | bytes, fmt: str) -> Problem:
    """Parse an instance in one of PARSERS' formats (raises ProblemError)."""
    return PARSERS[fmt](text)


def _number(value: float) -> float | int:
    rounded = round(float(value), 6)
    return int(rounded) if rounded == int(rounded) else rounded


def render(
    problem: Problem, solution: Solution, *, translate: Callable[[str, dict], str] | None = None
) -> dict:
    """The OUT.json document. `translate(template, params)` renders messages (English by
    default)."""
    translate = translate or (lambda message, params: message.format(**params))
    fmt = problem.meta.get("format")
    routes: list[list] = []
    for route in solution.routes:
        ids = route.stop_ids
        if fmt == "tsplib":  # one closed tour listing every node once, from node 1
            ids = [problem.depots[0].id, *ids]
        routes.append([int(i) for i in ids] if fmt in ("solomon", "tsplib") else ids)
    result: dict = {
        "routes": routes,
        "distance": _number(solution.distance),
        "vehicles": len(routes),
        "feasible": solution.feasible,
    }
    if not solution.feasible:
        result["violations"] = [translate(v.message, v.params) for v in solution.violations]
    if fmt == "json":
        result["schedule"] = [
            {
                "vehicle": route.vehicle,
                "depart": _number(route.depart),
                "back": _number(route.back),
                "distance": _number(route.distance),
                "visits": [
                    {
                        "stop": visit.stop,
                        "break": visit.stop is None,
                        "at": visit.at,
                        "arrival": _number(visit.arrival),
                        "wait": _number(visit.wait),
                        "start": _number(visit.start),
                        "end": _number(visit.end),
                    }
                    for visit in route.visits
                ],
            }
            for route in solution.routes
        ]
        result["dropped"] = [
            {"stop": d.stop, "reason": d.reason, "message": translate(d.message, d.params)}
            for d in solution.dropped
        ]
    result["seconds"] = round(solution.seconds, 3)
    return result


def run_solve(problem: Problem, *, time_limit: float, seed: int = 1, translate=None) -> dict:
    """Solve and render (see `render`)."""
    return render(problem, solve(problem, time_limit=time_limit, seed=seed), translate=translate)
