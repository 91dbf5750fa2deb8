import numpy as np
import pytest

from gridsales.planning import balance, construct, graph, search
from gridsales.planning.districting import DistrictingError, Instance, evaluate, solve
from gridsales.planning.graph import topology


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
    dist = inst.distances(4)
    assert dist.to(0, [99, 9]).tolist() == [18, 9]


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
    assert report["moved"] == {"units": 50, "workload": 50.0}


def test_the_diameter_uses_paths_through_other_territories():
    inst = lattice(1, 3)
    report = evaluate(inst, [0, 1, 0], 2, 0.5)
    assert report["territories"][0]["diameter"] == 2
    assert not report["territories"][0]["contiguous"]
    assert not report["contiguous"]


def test_every_move_keeps_territories_contiguous(monkeypatch):
    inst = lattice(10, 10)
    original = search.State.apply
    checked = []

    def apply(self, move):
        original(self, move)
        for t in range(self.spec.p):
            members = np.flatnonzero(self.assign == t)
            assert topology(inst.neighbours, members)[1] == 1
        checked.append(move[0])

    monkeypatch.setattr(search.State, "apply", apply)
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


def quadrant_plan():
    return np.array([(r >= 5) * 2 + (c >= 5) for r in range(10) for c in range(10)])


def test_fixed_units_stay_in_their_territory():
    inst = lattice(10, 10)
    fixed = {0: 3, 99: 0, 45: 2}
    result = solve(inst, 4, 0.05, time_limit=30, seed=1, fixed=fixed, max_iterations=20)
    assert {u: int(result.assign[u]) for u in fixed} == fixed
    report = evaluate(inst, result.assign, 4, 0.05)
    assert report["balanced"] and report["contiguous"]


def test_a_centre_to_keep_stays_in_its_territory():
    inst = lattice(10, 10)
    result = solve(inst, 4, 0.05, time_limit=30, seed=1, centres={2: 55}, max_iterations=20)
    assert result.assign[55] == 2
    assert evaluate(inst, result.assign, 4, 0.05)["contiguous"]


def test_with_a_high_disruption_weight_the_current_feasible_plan_is_kept():
    inst = lattice(10, 10)
    # Balanced and contiguous, but stretched: four 10 × 2.5 strips (rows 0–1 and half of 2 …).
    current = np.arange(100) // 25
    assert evaluate(inst, current, 4, 0.05)["balanced"]
    kept = solve(
        inst, 4, 0.05, time_limit=30, current=current, disruption_weight=1000, max_iterations=20
    )
    report = evaluate(inst, kept.assign, 4, 0.05, current=current)
    assert report["moved"] == {"units": 0, "workload": 0.0}
    free = solve(inst, 4, 0.05, time_limit=30, current=current, max_iterations=60)
    report = evaluate(inst, free.assign, 4, 0.05, current=current)
    assert report["max_diameter"] < evaluate(inst, current, 4, 0.05)["max_diameter"]
    assert report["moved"]["units"] > 0


def test_a_small_weight_moves_few_units_and_keeps_the_territory_numbers():
    inst = lattice(10, 10)
    current = quadrant_plan()
    current[[4, 5]] = current[[5, 4]]  # a unit of 0 and one of 1 change places: still balanced
    result = solve(
        inst, 4, 0.05, time_limit=30, current=current, disruption_weight=0.1, max_iterations=20
    )
    report = evaluate(inst, result.assign, 4, 0.05, current=current)
    assert report["balanced"] and report["contiguous"]
    assert report["moved"]["units"] <= 2
    assert report["max_diameter"] == 8


def test_a_current_territory_in_pieces_is_made_whole():
    inst = lattice(10, 10)
    current = quadrant_plan()
    current[0], current[99] = 3, 0  # a stray unit in each of two far corners
    result = solve(inst, 4, 0.05, time_limit=30, current=current, max_iterations=10)
    report = evaluate(inst, result.assign, 4, 0.05, current=current)
    assert report["contiguous"] and report["balanced"]


def test_a_current_plan_with_fewer_territories_gets_new_ones():
    inst = lattice(10, 10)
    current = np.arange(100) % 10 // 5  # two halves, left and right
    result = solve(inst, 4, 0.05, time_limit=30, current=current, max_iterations=30)
    report = evaluate(inst, result.assign, 4, 0.05)
    assert report["balanced"] and report["contiguous"]
    assert report["empty_territories"] == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fixed": {3: 4}}, "Unit u0_3 is fixed to territory 4; territories are 0 to 3."),
        (
            {"fixed": {3: 1}, "centres": {0: 3}},
            "Unit u0_3 cannot be the centre of territory 0: it is kept in another territory.",
        ),
        ({"current": [0] * 99 + [7]}, "Unit u9_9 is in territory 7 today; territories are 0 to 3."),
        ({"disruption_weight": -1}, "The disruption weight must not be negative."),
    ],
)
def test_bad_options_are_refused_with_the_unit_named(kwargs, message):
    with pytest.raises(DistrictingError) as exc:
        solve(lattice(10, 10), 4, 0.05, time_limit=1, **kwargs)
    assert str(exc.value) == message


def test_messages_are_translated_but_their_parameters_are_not():
    with pytest.raises(DistrictingError) as exc:
        solve(lattice(2, 2), 5, 0.05, time_limit=1)
    zh = {
        "The number of territories must be between 1 and {n} (the number of units).": "网格数须在 1 到 {n}（单元数）之间。"
    }
    assert exc.value.message(lambda s: zh.get(s, s)) == "网格数须在 1 到 4（单元数）之间。"


def test_cut_vertices_are_the_units_that_hold_a_territory_together():
    inst = lattice(3, 3)
    # A "U": the bottom row and both sides; the centre and top-middle are elsewhere.
    members = [0, 1, 2, 3, 5, 6, 8]
    piece, pieces, cut = topology(inst.neighbours, members)
    assert pieces == 1
    assert cut == {0, 1, 2, 3, 5}
    assert topology(inst.neighbours, [0, 2])[1] == 2


def test_bounded_distances_are_exact_within_the_radius():
    inst = lattice(12, 12)
    dense = graph.DenseDistances(graph.adjacency_matrix(inst.n, inst.edges))
    bounded = graph.BoundedDistances(graph.adjacency_matrix(inst.n, inst.edges), radius=5.0)
    everyone = np.arange(inst.n)
    for u in (0, 77, 143):
        exact = dense.to(u, everyone)
        seen = bounded.to(u, everyone)
        near = exact <= 5
        assert np.array_equal(seen[near], exact[near])
        assert (seen[~near] >= 5).all() and (seen[~near] <= exact[~near]).all()
    members = np.array([0, 1, 12, 13, 143])
    assert bounded.exact_diameter(members) == dense.exact_diameter(members) == 22


def test_a_chain_carries_load_through_a_balanced_territory():
    inst = lattice(1, 9)
    spec = search.Spec(
        neighbours=inst.neighbours,
        activities=inst.activities,
        p=3,
        tau=0.05,
        dist=inst.distances(3),
        contiguous=True,
        movable=np.ones(9, dtype=bool),
        current=None,
        weight=0.0,
    )
    st = search.State(spec, np.array([0, 0, 0, 0, 1, 1, 1, 2, 2]))  # loads 4, 3, 2
    rng = np.random.default_rng(1)
    search.local_search(st, rng, deadline=1e18)
    assert st.viol > 0  # no single move helps: 0 → 1 only moves the excess along
    assert balance.rebalance(st)
    assert st.size.tolist() == [3, 3, 3] and st.viol == 0


def test_bisection_starts_contiguous_and_nearly_balanced():
    inst = lattice(12, 12, activities=np.arange(288, dtype=float).reshape(144, 2) % 5 + 1)
    spec = search.Spec(
        neighbours=inst.neighbours,
        activities=inst.activities,
        p=6,
        tau=0.05,
        dist=inst.distances(6),
        contiguous=True,
        movable=np.ones(144, dtype=bool),
        current=None,
        weight=0.0,
    )
    assign = construct.bisected_plan(spec, np.random.default_rng(4))
    report = evaluate(inst, assign, 6, 0.05)
    assert report["contiguous"] and report["empty_territories"] == 0
    assert report["max_deviation"] < 0.15


def test_progress_is_reported_and_can_stop_the_search():
    inst = lattice(6, 6)
    calls = []

    def progress(info):
        calls.append(info)
        return False

    solve(inst, 4, 0.1, time_limit=30, seed=1, max_iterations=40, progress=progress)
    assert calls[0]["phase"] == "start"
    assert {"start", "search"} <= {c["phase"] for c in calls}
    assert calls[-1]["fraction"] == pytest.approx(1.0)
    assert all(0 <= c["fraction"] <= 1 for c in calls)
    assert calls[-1]["feasible"] and calls[-1]["imbalance"] == 0
    fractions = [c["fraction"] for c in calls]
    assert fractions == sorted(fractions)

    stopped = solve(inst, 4, 0.1, time_limit=30, seed=1, progress=lambda info: True)
    assert stopped.iterations == 0 and stopped.seconds < 5
    assert len(stopped.assign) == 36
