"""Stops only some vehicles may visit (`Stop.vehicles`): a customer kept by its own rep,
a planned visit fixed to its day. Pure core, no database."""

import pytest

from gridsales.routes.problem import Depot, Problem, ProblemError, Stop, Vehicle, euclidean_matrix
from gridsales.routes.solver import solve
from gridsales.routes.verify import Plan, route_violations


def line(stops: list[Stop]) -> Problem:
    """Two depots at x = -10 and x = 10, a vehicle at each; stops on the x axis."""
    points = [(-10, 0), (10, 0)] + [(s.x, s.y) for s in stops]
    return Problem(
        depots=[Depot("west", -10, 0), Depot("east", 10, 0)],
        stops=stops,
        vehicles=[Vehicle("w", start_depot=0), Vehicle("e", start_depot=1)],
        distance=euclidean_matrix(points),
    )


def test_a_kept_stop_is_visited_by_its_vehicle_even_when_another_is_nearer():
    problem = line([Stop("near-west", -9, 0, vehicles=(1,)), Stop("near-east", 9, 0)])
    solution = solve(problem, time_limit=0.2)
    routes = {r.vehicle: r.stop_ids for r in solution.routes}
    assert routes == {"e": ["near-west", "near-east"]} or routes == {
        "e": ["near-east", "near-west"]
    }
    assert solution.feasible
    assert solution.distance == pytest.approx(38.0)


def test_without_the_restriction_each_goes_to_the_nearest():
    problem = line([Stop("near-west", -9, 0), Stop("near-east", 9, 0)])
    solution = solve(problem, time_limit=0.2)
    assert {r.vehicle: r.stop_ids for r in solution.routes} == {
        "w": ["near-west"],
        "e": ["near-east"],
    }
    assert solution.distance == pytest.approx(4.0)


def test_the_verifier_refuses_a_kept_stop_on_another_vehicle():
    problem = line([Stop("near-west", -9, 0, vehicles=(1,))])
    (violation,) = route_violations(problem, Plan(0, [0]))
    assert (violation.kind, str(violation)) == (
        "vehicle",
        "Route 1: vehicle w may not visit near-west.",
    )


def test_a_stop_kept_to_no_known_vehicle_is_bad_input():
    with pytest.raises(ProblemError) as caught:
        line([Stop("lost", 0, 0, vehicles=(2,))])
    assert str(caught.value) == (
        "Stop lost: its vehicles must name at least one vehicle of the problem."
    )


def test_an_optional_kept_stop_that_does_not_fit_its_vehicle_is_dropped_with_a_reason():
    stops = [Stop("late", -9, 0, late=5, required=False, vehicles=(1,))]
    solution = solve(line(stops), time_limit=0.1)
    assert solution.routes == []
    assert [(d.stop, d.reason) for d in solution.dropped] == [("late", "window")]
