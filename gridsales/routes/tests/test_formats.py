import math

import pytest

from gridsales.routes.bench import DATA
from gridsales.routes.formats import parse_solomon, parse_tsplib, tsplib_nint
from gridsales.routes.jsonformat import parse_json
from gridsales.routes.problem import ProblemError

SOLOMON_HEAD = """C101

VEHICLE
NUMBER     CAPACITY
  25         200

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      40         50          0          0       1236          0
"""


def solomon(*rows: str) -> str:
    return SOLOMON_HEAD + "".join(f"{row}\n" for row in rows)


def test_it_reads_a_solomon_file_exactly():
    problem = parse_solomon((DATA / "solomon" / "C101.txt").read_bytes())
    assert problem.name == "C101"
    assert len(problem.stops) == 100
    (vehicle,) = problem.vehicles
    assert (vehicle.count, vehicle.capacity) == (25, 200)
    assert (vehicle.shift_start, vehicle.shift_end) == (0, 1236)
    assert (problem.depots[0].x, problem.depots[0].y) == (40, 50)
    first = problem.stops[0]  # "1  45  68  10  912  967  90"
    assert (first.id, first.x, first.y, first.demand) == ("1", 45, 68, 10)
    assert (first.early, first.late, first.service) == (912, 967, 90)
    # real Euclidean distance, not rounded: depot (40, 50) → customer 1 (45, 68)
    assert problem.distance[0, 1] == pytest.approx(math.hypot(5, 18), abs=1e-12)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "    1      45         68",
            "Line 11: expected 7 numbers (CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, "
            "DUE DATE, SERVICE TIME), found 3.",
        ),
        (
            "    1      45         6x    10   912   967   90",
            "Line 11: YCOORD. '6x' is not a number.",
        ),
        (
            "    1      45         68    10   967   912   90",
            "Line 11: READY TIME 967 is after DUE DATE 912.",
        ),
        (
            "    1      45         68   -10   912   967   90",
            "Line 11: DEMAND and SERVICE TIME cannot be negative.",
        ),
        (
            "    0      45         68    10   912   967   90",
            "Line 11: customer 0 was already given on line 10.",
        ),
        (
            "    1      45         68    2.5  912   967   90",
            "Line 11: DEMAND '2.5' must be a whole number.",
        ),
    ],
)
def test_a_bad_solomon_row_names_its_line(row, message):
    with pytest.raises(ProblemError) as exc:
        parse_solomon(solomon(row))
    assert str(exc.value) == message


def test_a_solomon_file_without_vehicles_is_refused():
    with pytest.raises(ProblemError, match="no VEHICLE section"):
        parse_solomon("X\nCUSTOMER\n 0 1 1 0 0 10 0\n 1 2 2 1 0 10 1\n")


def test_it_reads_a_tsplib_file_with_nint_distances():
    problem = parse_tsplib((DATA / "tsplib" / "berlin52.tsp").read_text())
    assert problem.name == "berlin52"
    assert problem.n_locations == 52
    assert problem.depots[0].id == "1"
    assert (problem.depots[0].x, problem.depots[0].y) == (565.0, 575.0)
    assert (problem.stops[0].id, problem.stops[0].x, problem.stops[0].y) == ("2", 25.0, 185.0)
    # node 1 (565, 575) → node 2 (25, 185): sqrt(540² + 390²) = 666.108… → 666
    assert problem.distance[0, 1] == 666


def test_nint_rounds_halves_up_as_tsplib_defines():
    points = [(0, 0), (0, 2.5), (3, 4), (1, 1)]
    d = tsplib_nint(points)
    assert d[0, 1] == 3  # 2.5 → 3
    assert d[0, 2] == 5
    assert d[0, 3] == 1  # 1.414… → 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "TYPE: ATSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n",
            "Line 1: TYPE must be TSP, not 'ATSP'.",
        ),
        (
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: GEO\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n",
            "Line 2: EDGE_WEIGHT_TYPE must be EUC_2D, not 'GEO'.",
        ),
        (
            "TYPE: TSP\nDIMENSION: 3\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n",
            "Line 2: DIMENSION is 3, but 2 nodes follow.",
        ),
        (
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1\n",
            "Line 5: expected a node number and two coordinates, found 2 values.",
        ),
        (
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n3 1 1\n",
            "Line 5: node 3 where node 2 was expected.",
        ),
        (
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 1 nan\n",
            "Line 5: y 'nan' is not a finite number.",
        ),
        (
            "TYPE: TSP\nEDGE_WEIGHT_TYPE: EUC_2D\nbanana\n",
            "Line 3: expected KEY : VALUE or NODE_COORD_SECTION.",
        ),
    ],
)
def test_a_bad_tsplib_file_names_its_line(text, message):
    with pytest.raises(ProblemError) as exc:
        parse_tsplib(text)
    assert str(exc.value) == message


DAY = """{
 "time_unit": "minute",
 "metric": "haversine", "road_factor": 1.3, "speed_kmh": 30,
 "depots": [{"id": "office", "x": 121.4474, "y": 31.229}],
 "vehicles": [{"id": "rep", "start": "office", "shift": ["08:30", "18:00"],
               "break": {"window": ["11:30", "13:30"], "duration": 45}}],
 "stops": [
  {"id": "C1", "x": 121.46, "y": 31.23, "window": ["09:00", "12:00"], "service": 30},
  {"id": "C2", "x": 121.45, "y": 31.24, "service": 20, "required": false, "priority": 3}
 ]
}"""


def test_it_reads_our_json_with_clock_times_and_travel_settings():
    problem = parse_json(DAY)
    (rep,) = problem.vehicles
    assert (rep.shift_start, rep.shift_end) == (510, 1080)
    assert (rep.lunch.earliest, rep.lunch.latest, rep.lunch.duration) == (690, 810, 45)
    c1, c2 = problem.stops
    assert (c1.early, c1.late, c1.service, c1.required) == (540, 720, 30, True)
    assert (c2.early, c2.late, c2.required, c2.priority) == (0, math.inf, False, 3)
    # metres = haversine × 1.3; minutes = metres / (30 km/h)
    metres = problem.distance[0, 1]
    assert problem.duration[0, 1] == pytest.approx(metres / 500.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('"09:00", "12:00"', '"09:00", "25:00"'),
            "stops[0].window[1]: '25:00' is not a time like 09:30.",
        ),
        (('"09:00", "12:00"', '"12:00", "09:00"'), "stops[0].window: it opens after it closes."),
        (('"service": 30', '"service": -5'), "stops[0].service: -5 is below 0."),
        (('"priority": 3', '"priority": 0'), "stops[1].priority: the priority must be above 0."),
        (('"start": "office"', '"start": "home"'), "vehicles[0].start: there is no depot home."),
        (
            ('"metric": "haversine"', '"metric": "manhattan"'),
            "metric: use haversine, euclidean or matrix, not 'manhattan'.",
        ),
        (('"required": false', '"required": "no"'), "stops[1].required: use true or false."),
        (
            ('"x": 121.46', '"x": 221.46'),
            "stops[0]: x is the longitude and y the latitude, in degrees.",
        ),
    ],
)
def test_a_bad_json_field_is_named(change, message):
    with pytest.raises(ProblemError) as exc:
        parse_json(DAY.replace(*change))
    assert str(exc.value) == message


def test_json_that_does_not_parse_is_refused():
    with pytest.raises(ProblemError, match="not valid JSON"):
        parse_json("{")
