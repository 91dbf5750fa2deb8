"""What a visit-route problem is: depots, stops, vehicles and the travel matrices.

Pure core (no Django). Times are plain numbers in one unit chosen by the caller (minutes
since midnight in the product's JSON, the instance's own unit for Solomon); distances too.
Locations are numbered depots first, then stops: `problem.location(stop_index)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gridsales.grids.spatial import haversine_m


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction; the Django layer translates it (no Django import here)."""
    return message


class ProblemError(ValueError):
    """Bad input, with an English message template and its parameters.

    `where` names the place (a JSON field such as `stops[3].window`). `str(exc)` is the
    English text; `gridsales.routes.messages.translated` gives it in the user's language.
    """

    def __init__(self, message: str, *, where: str = "", **params):
        self.message = message
        self.where = where
        self.params = params
        text = message.format(**params)
        super().__init__(f"{where}: {text}" if where else text)


@dataclass(frozen=True)
class Depot:
    """Where vehicles start and end (an office, a rep's home)."""

    id: str
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class Stop:
    """A customer to visit: its window is when the visit may start; service is its length.

    Optional stops (`required=False`) may be dropped; the solver keeps the largest total
    `priority` of visited stops first and minimises travel second. `vehicles` lists the
    vehicles (indices into `Problem.vehicles`) that may visit it: a customer kept by its
    own rep, an appointment fixed to one day; None: any vehicle.
    """

    id: str
    x: float = 0.0
    y: float = 0.0
    early: float = 0.0
    late: float = math.inf
    service: float = 0.0
    demand: int = 0
    required: bool = True
    priority: float = 1.0
    vehicles: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Break:
    """A break of `duration` starting between `earliest` and `latest` (a lunch break).

    It is taken at a stop's or depot's location, before or after that stop's visit.
    """

    earliest: float
    latest: float
    duration: float


@dataclass(frozen=True)
class Vehicle:
    """A rep's day (or `count` identical vehicles, as in Solomon's instances)."""

    id: str
    start_depot: int = 0
    end_depot: int | None = None  # None: back to the start depot
    capacity: int | None = None  # None: no load limit
    shift_start: float = 0.0
    shift_end: float = math.inf
    lunch: Break | None = None
    count: int = 1

    @property
    def end(self) -> int:
        return self.start_depot if self.end_depot is None else self.end_depot


@dataclass
class Problem:
    """Depots, stops, vehicles and square matrices over the locations (depots, then stops).

    `duration` defaults to `distance` (Solomon: travel time equals distance).
    """

    depots: list[Depot]
    stops: list[Stop]
    vehicles: list[Vehicle]
    distance: np.ndarray
    duration: np.ndarray | None = None
    name: str = ""
    meta: dict = field(default_factory=dict)

    def __post_init__(self):
        self.distance = np.asarray(self.distance, dtype=float)
        self.duration = (
            self.distance if self.duration is None else np.asarray(self.duration, dtype=float)
        )
        self.validate()

    @property
    def n_locations(self) -> int:
        return len(self.depots) + len(self.stops)

    def location(self, stop: int) -> int:
        """The matrix index of stop number `stop`."""
        return len(self.depots) + stop

    def validate(self) -> None:
        """Raise ProblemError when the problem cannot be solved as stated."""
        n = self.n_locations
        if not self.depots:
            raise ProblemError(gettext_noop("The problem has no depot."))
        if not self.vehicles:
            raise ProblemError(gettext_noop("The problem has no vehicle."))
        for name, matrix in (("distance", self.distance), ("duration", self.duration)):
            if matrix.shape != (n, n):
                raise ProblemError(
                    gettext_noop(
                        "The {name} matrix is {rows}×{cols}; it must be {n}×{n} "
                        "(depots, then stops)."
                    ),
                    name=name,
                    rows=matrix.shape[0],
                    cols=matrix.shape[1] if matrix.ndim > 1 else 0,
                    n=n,
                )
            if not np.isfinite(matrix).all() or (matrix < 0).any():
                raise ProblemError(
                    gettext_noop("The {name} matrix must hold finite, non-negative numbers."),
                    name=name,
                )
        seen: set[str] = set()
        for stop in self.stops:
            if stop.id in seen:
                raise ProblemError(gettext_noop("Stop {id}: the id is used twice."), id=stop.id)
            seen.add(stop.id)
            if stop.early > stop.late:
                raise ProblemError(
                    gettext_noop(
                        "Stop {id}: its window opens at {early}, after it closes ({late})."
                    ),
                    id=stop.id,
                    early=_num(stop.early),
                    late=_num(stop.late),
                )
            if stop.service < 0 or stop.demand < 0:
                raise ProblemError(
                    gettext_noop("Stop {id}: service time and demand cannot be negative."),
                    id=stop.id,
                )
            if stop.vehicles is not None and (
                not stop.vehicles or any(not 0 <= v < len(self.vehicles) for v in stop.vehicles)
            ):
                raise ProblemError(
                    gettext_noop(
                        "Stop {id}: its vehicles must name at least one vehicle of the problem."
                    ),
                    id=stop.id,
                )
            if not stop.required and stop.priority <= 0:
                raise ProblemError(
                    gettext_noop("Stop {id}: the priority of an optional stop must be positive."),
                    id=stop.id,
                )
        for vehicle in self.vehicles:
            for depot in (vehicle.start_depot, vehicle.end):
                if not 0 <= depot < len(self.depots):
                    raise ProblemError(
                        gettext_noop("Vehicle {id}: unknown depot {depot}."),
                        id=vehicle.id,
                        depot=depot,
                    )
            if vehicle.count < 1:
                raise ProblemError(
                    gettext_noop("Vehicle {id}: the count must be at least 1."), id=vehicle.id
                )
            if vehicle.shift_start > vehicle.shift_end:
                raise ProblemError(
                    gettext_noop("Vehicle {id}: the shift ends before it starts."), id=vehicle.id
                )
            if vehicle.capacity is not None and vehicle.capacity < 0:
                raise ProblemError(
                    gettext_noop("Vehicle {id}: the capacity cannot be negative."), id=vehicle.id
                )
            lunch = vehicle.lunch
            if lunch is not None:
                if vehicle.count != 1:
                    raise ProblemError(
                        gettext_noop(
                            "Vehicle {id}: a break needs one vehicle per entry (count 1)."
                        ),
                        id=vehicle.id,
                    )
                if lunch.earliest > lunch.latest or lunch.duration < 0:
                    raise ProblemError(
                        gettext_noop(
                            "Vehicle {id}: the break must start no later than its latest "
                            "start and last zero or more."
                        ),
                        id=vehicle.id,
                    )


def _num(value: float) -> str:
    return f"{value:g}"


def euclidean_matrix(points: Sequence[tuple[float, float]] | np.ndarray) -> np.ndarray:
    """Real (unrounded) Euclidean distances between points (x, y)."""
    xy = np.asarray(points, dtype=float).reshape(-1, 2)
    diff = xy[:, None, :] - xy[None, :, :]
    return np.sqrt((diff**2).sum(axis=2))


def haversine_matrix(points: Sequence[tuple[float, float]] | np.ndarray) -> np.ndarray:
    """Great-circle metres between points given as (longitude, latitude) in degrees."""
    lonlat = np.asarray(points, dtype=float).reshape(-1, 2)
    lon, lat = lonlat[:, 0], lonlat[:, 1]
    return haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :])


def travel_matrices(
    points: Sequence[tuple[float, float]] | np.ndarray,
    *,
    road_factor: float = 1.3,
    speed_kmh: float = 25.0,
    seconds_per_unit: float = 60.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Road metres and travel time estimated offline from (longitude, latitude) points.

    distance = haversine × road_factor; time = distance ÷ speed, expressed in units of
    `seconds_per_unit` seconds (60: minutes). A real road-network matrix can replace both.
    """
    if road_factor < 1 or speed_kmh <= 0 or seconds_per_unit <= 0:
        raise ProblemError(
            gettext_noop("The road factor must be at least 1 and the speed and time unit positive.")
        )
    metres = haversine_matrix(points) * road_factor
    units = metres / (speed_kmh / 3.6) / seconds_per_unit
    return metres, units
