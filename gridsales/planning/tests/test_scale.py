import numpy as np
from scipy.sparse.csgraph import connected_components

from gridsales.planning import graph
from gridsales.planning.districting import evaluate, solve
from gridsales.planning.scale import h3_instance


def test_the_h3_instance_is_one_connected_region_made_the_same_way_each_time():
    first, second = h3_instance(400, seed=3), h3_instance(400, seed=3)
    assert first.n == 400 and len(set(first.ids)) == 400
    assert first.ids == second.ids and np.array_equal(first.activities, second.activities)
    assert first.activity_names == ["customers", "workload"]
    pieces, _labels = connected_components(graph.adjacency_matrix(first.n, first.edges))
    assert pieces == 1
    # Neighbouring res-9 cells are about a third of a km apart (hexagons vary a little).
    lengths = np.array([d for _i, _j, d in first.edges])
    assert 0.25 < lengths.min() and lengths.max() < 0.4


def test_a_small_h3_instance_is_districted_feasibly():
    inst = h3_instance(300, seed=1)
    result = solve(inst, 5, 0.05, time_limit=30, seed=1, max_iterations=10)
    report = evaluate(inst, result.assign, 5, 0.05)
    assert report["balanced"] and report["contiguous"]
    assert result.feasible_after is not None


def test_large_instances_use_bounded_distances(monkeypatch):
    monkeypatch.setattr(graph, "DENSE_LIMIT", 100)
    monkeypatch.setattr("gridsales.planning.districting.DENSE_LIMIT", 100)
    inst = h3_instance(300, seed=1)
    dist = inst.distances(5)
    assert isinstance(dist, graph.BoundedDistances)
    assert dist.entries < 300 * 300
    result = solve(inst, 5, 0.05, time_limit=30, seed=1, max_iterations=10)
    report = evaluate(inst, result.assign, 5, 0.05)
    assert report["balanced"] and report["contiguous"]
    exact = graph.DenseDistances(graph.adjacency_matrix(inst.n, inst.edges))
    for t in report["territories"]:
        members = np.flatnonzero(result.assign == t["territory"])
        assert t["diameter"] == exact.exact_diameter(members)
