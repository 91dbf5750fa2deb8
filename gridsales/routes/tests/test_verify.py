import math

import pytest

from gridsales.routes.problem import (
    Break,
    Depot,
    Problem,
    ProblemError,
    Stop,
    Vehicle,
    euclidean_matrix,
)
from gridsales.routes.verify import BreakAt, Plan, forward, route_distance, verify


def line_problem(*, vehicles=None, **stop_fields) -> Problem:
    """A depot at x=0 and stops A, B, C at x = 10, 20, 30 (travel time = distance)."""
    stops = [
        Stop(name, x, 0, **stop_fields.get(name, {}))
        for name, x in (("A", 10), ("B", 20), ("C", 30))
    ]
    points = [(0, 0)] + [(s.x, s.y) for s in stops]
    return Problem(
        depots=[Depot("D")],
        stops=stops,
        vehicles=vehicles or [Vehicle("v", capacity=10, shift_end=100, count=2)],
        distance=euclidean_matrix(points),
    )


def kinds(problem, plans):
    return [(v.kind, str(v)) for v in verify(problem, plans)]


def test_a_good_plan_has_no_violation_and_an_exact_distance():
    problem = line_problem()
    plans = [Plan(0, [0, 1]), Plan(0, [2])]
    assert kinds(problem, plans) == []
    assert route_distance(problem, plans[0]) == 40
    assert sum(route_distance(problem, p) for p in plans) == 100


def test_it_catches_a_stop_not_visited():
    assert kinds(line_problem(), [Plan(0, [0, 1])]) == [("missing", "Stop C is not visited.")]


def test_it_catches_a_stop_visited_twice():
    assert kinds(line_problem(), [Plan(0, [0, 1]), Plan(0, [2, 1])]) == [
        ("duplicate", "Stop B is visited 2 times.")
    ]


def test_it_catches_an_unknown_stop_or_vehicle():
    assert ("unknown", "Stop number 7 does not exist.") in kinds(
        line_problem(), [Plan(0, [0, 1, 2, 7])]
    )
    assert ("unknown", "Vehicle number 3 does not exist.") in kinds(
        line_problem(), [Plan(3, [0, 1, 2])]
    )


def test_it_catches_more_routes_than_vehicles():
    assert kinds(line_problem(), [Plan(0, [0]), Plan(0, [1]), Plan(0, [2])]) == [
        ("vehicles", "Vehicle v: 3 routes, but only 2 available.")
    ]


def test_it_catches_an_overloaded_route():
    problem = line_problem(A={"demand": 6}, B={"demand": 5})
    assert kinds(problem, [Plan(0, [0, 1]), Plan(0, [2])]) == [
        ("capacity", "Route 1: load 11 exceeds the capacity 10.")
    ]


def test_it_counts_service_time_before_the_next_window():
    # A at t=10, served 15 → leaves 25, B reached at 35; B closes at 30.
    problem = line_problem(A={"service": 15}, B={"late": 30})
    assert kinds(problem, [Plan(0, [0, 1]), Plan(0, [2])]) == [
        ("window", "Route 1: the visit to B starts at 35, after its window closes at 30.")
    ]
    # without the service time the same route is on time
    assert kinds(line_problem(B={"late": 30}), [Plan(0, [0, 1]), Plan(0, [2])]) == []


def test_waiting_for_a_window_to_open_is_allowed_and_counted():
    problem = line_problem(A={"early": 50})
    events, back = forward(problem, Plan(0, [0, 1, 2]), 0)
    assert [(e.arrival, e.wait, e.start) for e in events] == [
        (10, 40, 50),
        (60, 0, 60),
        (70, 0, 70),
    ]
    assert back == 100
    assert kinds(problem, [Plan(0, [0, 1, 2])]) == []


def test_it_catches_a_return_after_the_shift():
    problem = line_problem(vehicles=[Vehicle("v", shift_end=59)])
    assert kinds(problem, [Plan(0, [0, 1, 2])]) == [
        ("shift", "Route 1: back at 60, after the shift ends at 59.")
    ]


def test_it_catches_a_missing_or_late_break():
    lunch = Break(earliest=20, latest=25, duration=10)
    problem = line_problem(vehicles=[Vehicle("v", lunch=lunch)])
    assert kinds(problem, [Plan(0, [0, 1, 2])]) == [
        ("break", "Route 1: 0 breaks, but the vehicle needs 1.")
    ]
    # break at B's place (arrive 20, lunch 20–30), then B at 30, C at 40, back at 70
    on_time = Plan(0, [0, BreakAt(2), 1, 2])
    assert kinds(problem, [on_time]) == []
    assert forward(problem, on_time, 0)[1] == 70
    late = Plan(0, [0, 1, 2, BreakAt(3)])
    assert kinds(problem, [late]) == [("break", "Route 1: the break starts at 30, after 25.")]


def test_a_problem_that_cannot_be_right_is_refused():
    with pytest.raises(ProblemError, match="opens at 5, after it closes"):
        line_problem(A={"early": 5, "late": 4})
    with pytest.raises(ProblemError, match=r"distance matrix is 2×2; it must be 4×4"):
        Problem([Depot("D")], [Stop("A"), Stop("B"), Stop("C")], [Vehicle("v")], [[0, 1], [1, 0]])
    with pytest.raises(ProblemError, match="a break needs one vehicle per entry"):
        line_problem(vehicles=[Vehicle("v", count=2, lunch=Break(0, math.inf, 5))])
