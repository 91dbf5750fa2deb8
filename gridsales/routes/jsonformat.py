"""Our JSON instance format (docs/routes.md, "JSON instances") → `Problem`.

Pure core. Errors name the field, e.g. `stops[3].window`. Times are numbers in the file's
`time_unit` (minutes by default) or "HH:MM" text; distances are metres for `haversine`.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np

from gridsales.routes.problem import (
    Break,
    Depot,
    Problem,
    ProblemError,
    Stop,
    Vehicle,
    euclidean_matrix,
    gettext_noop,
    travel_matrices,
)

UNITS = {"minute": 60.0, "second": 1.0}
METRICS = ("haversine", "euclidean", "matrix")
CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _fail(field: str, message: str, **params):
    raise ProblemError(message, where=field, **params)


class _Reader:
    def __init__(self, seconds_per_unit: float):
        self.unit = seconds_per_unit

    def number(self, value, field: str, *, minimum: float | None = 0.0) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            _fail(field, gettext_noop("{value!r} is not a number."), value=value)
        if not math.isfinite(value):
            _fail(field, gettext_noop("{value!r} is not a finite number."), value=value)
        if minimum is not None and value < minimum:
            _fail(
                field, gettext_noop("{value!r} is below {minimum:g}."), value=value, minimum=minimum
            )
        return float(value)

    def time(self, value, field: str) -> float:
        """A number in the file's unit, or a clock time "HH:MM[:SS]"."""
        if isinstance(value, str):
            match = CLOCK.fullmatch(value.strip())
            seconds = 0
            if match:
                hours, minutes, secs = int(match[1]), int(match[2]), int(match[3] or 0)
                seconds = hours * 3600 + minutes * 60 + secs
            if not match or minutes > 59 or secs > 59 or seconds > 24 * 3600:
                _fail(field, gettext_noop("{value!r} is not a time like 09:30."), value=value)
            return seconds / self.unit
        return self.number(value, field)

    def window(self, value, field: str) -> tuple[float, float]:
        if value is None:
            return 0.0, math.inf
        if not isinstance(value, list) or len(value) != 2:
            _fail(field, gettext_noop('give [from, to], e.g. ["09:00", "17:30"].'))
        early = self.time(value[0], f"{field}[0]")
        late = math.inf if value[1] is None else self.time(value[1], f"{field}[1]")
        if early > late:
            _fail(field, gettext_noop("it opens after it closes."))
        return early, late


def _object(value, field: str) -> dict:
    if not isinstance(value, dict):
        _fail(field, gettext_noop("expected an object {{…}}."))
    return value


def _list(value, field: str, *, empty: bool = False) -> list:
    if not isinstance(value, list) or (not empty and not value):
        _fail(field, gettext_noop("expected a non-empty list […]."))
    return value


def _id(item: dict, field: str) -> str:
    value = item.get("id")
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        _fail(f"{field}.id", gettext_noop("every entry needs an id (text or a number)."))
    return str(value)


def parse_json(text: str | bytes) -> Problem:
    """Read a JSON instance (see docs/routes.md)."""
    try:
        doc = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProblemError(
            gettext_noop("The file is not valid JSON: {error}."), error=exc
        ) from None
    doc = _object(doc, "instance")
    unit_name = doc.get("time_unit", "minute")
    if unit_name not in UNITS:
        _fail(
            "time_unit", gettext_noop('use "minute" or "second", not {value!r}.'), value=unit_name
        )
    read = _Reader(UNITS[unit_name])
    metric = doc.get("metric", "haversine")
    if metric not in METRICS:
        _fail(
            "metric",
            gettext_noop("use haversine, euclidean or matrix, not {value!r}."),
            value=metric,
        )

    depots, depot_index = [], {}
    for i, raw in enumerate(_list(doc.get("depots"), "depots")):
        item = _object(raw, f"depots[{i}]")
        depot_id = _id(item, f"depots[{i}]")
        if depot_id in depot_index:
            _fail(f"depots[{i}].id", gettext_noop("{id} is used twice."), id=depot_id)
        depot_index[depot_id] = i
        x, y = _coords(read, item, f"depots[{i}]", metric)
        depots.append(Depot(depot_id, x, y))

    stops = []
    for i, raw in enumerate(_list(doc.get("stops"), "stops", empty=True)):
        field = f"stops[{i}]"
        item = _object(raw, field)
        x, y = _coords(read, item, field, metric)
        early, late = read.window(item.get("window"), f"{field}.window")
        required = item.get("required", True)
        if not isinstance(required, bool):
            _fail(f"{field}.required", gettext_noop("use true or false."))
        demand = read.number(item.get("demand", 0), f"{field}.demand")
        if demand != int(demand):
            _fail(
                f"{field}.demand", gettext_noop("{value!r} must be a whole number."), value=demand
            )
        priority = read.number(item.get("priority", 1), f"{field}.priority", minimum=None)
        if priority <= 0:
            _fail(f"{field}.priority", gettext_noop("the priority must be above 0."))
        stops.append(
            Stop(
                _id(item, field),
                x,
                y,
                early=early,
                late=late,
                service=read.time(item.get("service", 0), f"{field}.service"),
                demand=int(demand),
                required=required,
                priority=priority,
            )
        )

    vehicles = [
        _vehicle(read, _object(raw, f"vehicles[{i}]"), f"vehicles[{i}]", depot_index)
        for i, raw in enumerate(_list(doc.get("vehicles"), "vehicles"))
    ]
    points = [(d.x, d.y) for d in depots] + [(s.x, s.y) for s in stops]
    if metric == "haversine":
        road_factor = read.number(doc.get("road_factor", 1.3), "road_factor", minimum=1.0)
        speed = read.number(doc.get("speed_kmh", 25.0), "speed_kmh")
        if speed <= 0:
            _fail("speed_kmh", gettext_noop("the speed must be above 0."))
        distance, duration = travel_matrices(
            points, road_factor=road_factor, speed_kmh=speed, seconds_per_unit=read.unit
        )
    elif metric == "euclidean":
        distance = duration = euclidean_matrix(points)
    else:
        n = len(points)
        distance = _matrix(read, doc.get("distance"), "distance", n)
        duration = _matrix(read, doc.get("duration", doc.get("distance")), "duration", n)
    return Problem(
        depots=depots,
        stops=stops,
        vehicles=vehicles,
        distance=distance,
        duration=duration,
        name=str(doc.get("name", "")),
        meta={"format": "json", "time_unit": unit_name, "metric": metric},
    )


def _coords(read: _Reader, item: dict, field: str, metric: str) -> tuple[float, float]:
    if metric == "matrix":
        return float(item.get("x", 0) or 0), float(item.get("y", 0) or 0)
    x = read.number(item.get("x"), f"{field}.x", minimum=None)
    y = read.number(item.get("y"), f"{field}.y", minimum=None)
    if metric == "haversine" and not (-180 <= x <= 180 and -90 <= y <= 90):
        _fail(field, gettext_noop("x is the longitude and y the latitude, in degrees."))
    return x, y


def _vehicle(read: _Reader, item: dict, field: str, depots: dict[str, int]) -> Vehicle:
    start = str(item.get("start", next(iter(depots))))
    end = str(item.get("end", start))
    for key, value in (("start", start), ("end", end)):
        if value not in depots:
            _fail(f"{field}.{key}", gettext_noop("there is no depot {id}."), id=value)
    shift_start, shift_end = read.window(item.get("shift"), f"{field}.shift")
    capacity = item.get("capacity")
    if capacity is not None:
        capacity = read.number(capacity, f"{field}.capacity")
        if capacity != int(capacity):
            _fail(
                f"{field}.capacity",
                gettext_noop("{value!r} must be a whole number."),
                value=capacity,
            )
        capacity = int(capacity)
    lunch = None
    if item.get("break") is not None:
        raw = _object(item["break"], f"{field}.break")
        earliest, latest = read.window(raw.get("window"), f"{field}.break.window")
        duration = read.time(raw.get("duration", 0), f"{field}.break.duration")
        lunch = Break(earliest, latest, duration)
    count = item.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        _fail(f"{field}.count", gettext_noop("use a whole number of at least 1."))
    return Vehicle(
        _id(item, field),
        start_depot=depots[start],
        end_depot=depots[end],
        capacity=capacity,
        shift_start=shift_start,
        shift_end=shift_end,
        lunch=lunch,
        count=count,
    )


def _matrix(read: _Reader, value, field: str, n: int) -> np.ndarray:
    if not isinstance(value, list) or len(value) != n:
        _fail(field, gettext_noop("give {n} rows of {n} numbers (depots, then stops)."), n=n)
    rows = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or len(row) != n:
            _fail(f"{field}[{i}]", gettext_noop("give {n} numbers."), n=n)
        rows.append([read.number(v, f"{field}[{i}][{j}]") for j, v in enumerate(row)])
    return np.array(rows, dtype=float)
