import numpy as np
import pytest

from gridsales.planning import districting
from gridsales.planning.districting import DistrictingError, Instance, evaluate, solve


def lattice(rows: int, cols: int, activities=None) -> Instance:
    ids, xy, edges = [], [], []
    for r in range(rows):
        for c in range(cols):
            ids.append(f"u{r}_{c}")
            xy.append((c, r))
            i = r * cols + c
            if c + 1 < cols:
                edges.append((i, i + 1, 1.0))
            if r + 1 < rows:
                edges.append((i, i + cols, 1.0))
    n = rows * cols
    acts = np.ones((n, 1)) if activities is None else activities
    return Instance(
        ids=ids,
        xy=np.array(xy, dtype=float),
        activities=acts,
        activity_names=["workload"][: acts.shape[1]] or ["a"],
        edges=edges,
    )


def test_it_computes_shortest_paths_over_the_graph():
    inst = lattice(10, 10)
    assert inst.dist[0, 99] == 18
    assert inst.dist[0, 9] == 9


def test_quadrants_are_balanced_with_hand_computed_diameters():
    inst = lattice(10, 10)
    assign = [(r >= 5) * 2 + (c >= 5) for r in range(10) for c in range(10)]
    report = evaluate(inst, assign, 4, 0.05)
    assert report["imbalance"] == 0
    assert report["balanced"] and report["contiguous"]
    assert [t["diameter"] for t in report["territories"]] == [8, 8, 8, 8]
    assert report["max_diameter"] == 8


def test_it_sums_the_violation_beyond_the_tolerance():
    inst = lattice(10, 10)
    assign = []
    for r in range(10):
        for c in range(10):
            if c < 5:
                assign.append(0)
            elif r < 5:
                assign.append(1)
            elif c < 8:
                assign.append(2)
            else:
                assign.append(3)
    report = evaluate(inst, assign, 4, 0.05, current=[0] * 100)
    deviations = [t["deviation"]["workload"] for t in report["territories"]]
    assert deviations == pytest.approx([1.0, 0.0, -0.4, -0.6])
    assert report["imbalance"] == pytest.approx(0.95 + 0.35 + 0.55)
    assert not report["balanced"]
    assert [t["diameter"] for t in report["territories"]] == [13, 8, 6, 5]
    assert report["units_moved"] == 50


def test_the_diameter_uses_paths_through_other_territories():
    inst = lattice(1, 3)
    report = evaluate(inst, [0, 1, 0], 2, 0.5)
    assert report["territories"][0]["diameter"] == 2
    assert not report["territories"][0]["contiguous"]
    assert not report["contiguous"]


def test_every_move_keeps_territories_contiguous(monkeypatch):
    inst = lattice(10, 10)
    original = districting._State.apply
    checked = []

    def apply(self, u, b, da, db):
        original(self, u, b, da, db)
        for t in range(self.p):
            assert districting.is_connected(inst.neighbours, self.assign, t)
        checked.append(u)

    monkeypatch.setattr(districting._State, "apply", apply)
    result = solve(inst, 4, 0.05, time_limit=30, seed=3, max_iterations=30)
    assert checked
    report = evaluate(inst, result.assign, 4, 0.05)
    assert report["contiguous"] and report["balanced"]


def test_it_finds_compact_balanced_quadrants_on_a_lattice():
    inst = lattice(10, 10)
    result = solve(inst, 4, 0.05, time_limit=30, seed=1, max_iterations=60)
    report = evaluate(inst, result.assign, 4, 0.05)
    assert report["balanced"] and report["contiguous"]
    assert report["max_diameter"] <= 10


def test_it_is_deterministic_for_a_seed():
    inst = lattice(10, 10, activities=np.arange(200, dtype=float).reshape(100, 2) % 7 + 1)
    runs = [solve(inst, 4, 0.1, time_limit=60, seed=7, max_iterations=20) for _ in range(2)]
    assert np.array_equal(runs[0].assign, runs[1].assign)


def test_disconnected_mode_still_balances():
    inst = lattice(10, 10)
    result = solve(inst, 4, 0.05, time_limit=30, seed=2, allow_disconnected=True, max_iterations=20)
    assert evaluate(inst, result.assign, 4, 0.05)["balanced"]


def test_it_refuses_more_territories_than_units():
    with pytest.raises(DistrictingError):
        solve(lattice(2, 2), 5, 0.05, time_limit=1)
