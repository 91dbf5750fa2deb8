import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridsales.core.models import ObjectChange
from gridsales.customers.choices import AssignmentReason
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.customers.selectors import grids_on
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid
from gridsales.planning import services
from gridsales.planning.apply import apply_due, scenario_apply, scenario_schedule
from gridsales.planning.choices import ScenarioStatus, UnitSource
from gridsales.planning.models import Scenario
from gridsales.planning.tests.factories import district_world
from gridsales.team.models import Membership


@pytest.fixture(autouse=True)
def _english():
    # Messages are checked in English; the catalogue would answer in Chinese.
    with translation.override("en"):
        yield


@pytest.fixture
def district(world, settings):
    settings.PLANNING_VISIT_MINUTES = 60
    settings.PLANNING_TRAVEL_MINUTES = 30
    settings.PLANNING_REP_HOURS = 100
    return district_world(world)


def run(scenario: Scenario, iterations: int = 30) -> Scenario:
    Scenario.objects.filter(pk=scenario.pk).update(max_iterations=iterations)
    scenario.refresh_from_db()
    services.scenario_run(scenario=scenario)
    scenario.refresh_from_db()
    return scenario


def make(district, **fields) -> Scenario:
    values = {
        "name": "均衡方案",
        "unit_source": UnitSource.H3,
        "resolution": 8,
        "territories": 2,
        "tolerance": Decimal("0.1"),
        "time_limit": 10,
    }
    values.update(fields)
    return services.scenario_create(parent=district["parent"], **values)


def test_a_run_balances_the_workload_within_tau(world, district):
    scenario = run(make(district))
    assert scenario.status == ScenarioStatus.DONE
    assert scenario.progress == 100
    assert len(scenario.units) == 45  # H3 resolution 8 cells over the 6 × 3 km rectangle
    assert sum(u["customers"] for u in scenario.units) == 18
    assert sum(u["workload"] for u in scenario.units) == pytest.approx(328.5)
    report = scenario.report
    assert report["contiguous"] and report["balanced_on"]
    assert report["loads"][0]["workload"] + report["loads"][1]["workload"] == pytest.approx(328.5)
    assert all(abs(t["deviation"]["workload"]) <= 0.1 for t in report["territories"])
    # Today (grids by code): East 219 h and West 109.5 h against 164.25: a third off.
    current = scenario.current_report
    assert [t["deviation"]["workload"] for t in current["territories"]] == pytest.approx(
        [1 / 3, -1 / 3]
    )
    assert not current["balanced_on"]
    # Balanced means 8, 9 or 10 customers a territory; from 6 / 12 at least 2 moved.
    assert report["moved"]["customers"] >= 2


def test_without_territories_it_takes_the_recommended_headcount(world, district):
    scenario = make(district, territories=None)
    assert scenario.territories == 4  # ceil(328.5 / 100)


def test_bad_input_is_refused_with_a_message(world, district, monkeypatch):
    from gridsales.planning import units

    translation.activate("en")
    with pytest.raises(ValidationError, match="Unknown activity “margin”"):
        make(district, balance=["margin"])
    scenario = run(make(district, territories=80))
    assert scenario.status == ScenarioStatus.FAILED
    assert (
        scenario.message
        == "The number of territories must be between 1 and 45 (the number of units)."
    )
    monkeypatch.setattr(units, "MAX_UNITS", 100)
    with pytest.raises(ValidationError, match="Resolution 9 makes about 1.. cells; at most 100"):
        units.build_units(parent=district["parent"], source=UnitSource.H3, resolution=9)


def test_child_grid_units(world, district):
    scenario = run(make(district, unit_source=UnitSource.CHILDREN))
    assert [u["id"] for u in scenario.units] == ["R1-D-E", "R1-D-W"]
    assert scenario.edges and scenario.edges[0][:2] == [0, 1]
    assert [u["workload"] for u in scenario.units] == pytest.approx([219.0, 109.5])


def test_a_stop_request_keeps_the_best_plan_so_far(world, district, monkeypatch):
    scenario = make(district)
    original = services.solve

    def stop_during_the_search(inst, p, tau, **options):
        Scenario.objects.filter(pk=scenario.pk).update(stop_requested=True)
        return original(inst, p, tau, **options)

    monkeypatch.setattr(services, "solve", stop_during_the_search)
    scenario = run(scenario, iterations=100_000)  # a time limit of 10 s, never reached
    assert scenario.status == ScenarioStatus.STOPPED
    assert scenario.run_seconds < 5
    assert len(scenario.assignment) == 45 and scenario.report["territories"]


def test_stop_is_refused_when_not_running(world, district):
    translation.activate("en")
    with pytest.raises(ValidationError, match="The scenario is not running."):
        services.scenario_stop(scenario=make(district))


def test_a_unit_moved_by_hand_updates_the_metrics(world, district):
    scenario = run(make(district))
    loaded = next(i for i, u in enumerate(scenario.units) if u["customers"])
    unit = scenario.units[loaded]
    before = scenario.report["loads"]
    src = scenario.assignment[loaded]
    services.scenario_move_unit(scenario=scenario, unit=unit["id"], territory=1 - src)
    scenario.refresh_from_db()
    assert scenario.manual_moves == 1
    after = scenario.report["loads"]
    assert after[src]["workload"] == pytest.approx(before[src]["workload"] - 18.25)
    assert after[1 - src]["workload"] == pytest.approx(before[1 - src]["workload"] + 18.25)
    with pytest.raises(ValidationError, match="Territory 3 does not exist: choose 1 to 2"):
        services.scenario_move_unit(scenario=scenario, unit=unit["id"], territory=2)
    with pytest.raises(ValidationError, match="Unknown unit “x”"):
        services.scenario_move_unit(scenario=scenario, unit="x", territory=0)


def test_only_directors_and_admins_approve(world, district):
    scenario = run(make(district))
    with pytest.raises(PermissionDenied):
        services.scenario_approve(scenario=scenario, user=world.users["regional"])
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    assert scenario.status == ScenarioStatus.APPROVED
    with pytest.raises(ValidationError):
        services.scenario_move_unit(scenario=scenario, unit=scenario.units[0]["id"], territory=0)


def test_apply_from_next_month_moves_every_customer_with_history(world, district):
    scenario = run(make(district))
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    today = timezone.localdate()
    first = services.first_of_next_month(today)
    with pytest.raises(ValidationError, match="in the past"):
        scenario_schedule(
            scenario=scenario,
            effective_from=today - dt.timedelta(days=1),
            user=world.users["admin"],
        )
    scenario_schedule(scenario=scenario, effective_from=first, user=world.users["director"])
    assert scenario.status == ScenarioStatus.SCHEDULED
    with pytest.raises(ValidationError, match="cannot be applied before"):
        scenario_apply(scenario=scenario, today=today)
    assert apply_due(today=today) == []

    [applied] = apply_due(today=first)
    assert applied.status == ScenarioStatus.APPLIED
    successors = list(Grid.objects.filter(pk__in=applied.successors).order_by("code"))
    ym = f"{first:%Y%m}"
    assert [g.code for g in successors] == [f"R1-D-{ym}-1", f"R1-D-{ym}-2"]
    assert all(g.parent_id == district["parent"].pk and g.is_leaf for g in successors)
    assert {g.status for g in Grid.objects.filter(code__in=["R1-D-W", "R1-D-E"])} == {
        GridStatus.RETIRED
    }
    # Each successor's boundary is the union of its units.
    assert all(g.geometry and g.geometry["type"] in ("Polygon", "MultiPolygon") for g in successors)

    customers = Customer.objects.filter(code__startswith="D-")
    assert customers.count() == 18
    counts = sorted(
        customers.filter(current_grid__in=successors).values_list("current_grid", flat=True)
    )
    per_grid = [counts.count(g.pk) for g in successors]
    assert sum(per_grid) == 18 and all(8 <= n <= 10 for n in per_grid)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    for customer in customers:
        last, previous = CustomerGridAssignment.objects.filter(customer=customer).order_by(
            "-valid_from", "-pk"
        )[:2]
        assert last.reason == AssignmentReason.REDESIGN
        assert last.valid_from == start and last.valid_to is None
        assert previous.valid_to == start
        assert previous.grid_id in (district["west"].pk, district["east"].pk)
        assert customer.assignment_reason == AssignmentReason.REDESIGN
    # Orders before the date stay in the old grids; from the date, the new ones.
    some = customers.first()
    before = grids_on([(some.pk, first - dt.timedelta(days=1))])[
        (some.pk, first - dt.timedelta(days=1))
    ]
    assert before in (district["west"].pk, district["east"].pk)
    assert grids_on([(some.pk, first)])[(some.pk, first)] == some.current_grid_id

    repw = Membership.objects.filter(user__username="repw").order_by("valid_from")
    assert [m.valid_to for m in repw] == [first - dt.timedelta(days=1), None]
    assert repw[1].valid_from == first and repw[1].grid_id in applied.successors
    repe = Membership.objects.filter(user__username="repe").order_by("valid_from")
    assert repe[1].share_pct == Decimal("50.00")
    summary = ObjectChange.objects.filter(object_repr__startswith="redesign R1-D").get()
    assert summary.after["customers_moved"] == 18
    assert summary.after["memberships_carried"] == 3


def test_apply_refuses_when_the_grids_changed(world, district):
    scenario = run(make(district))
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    from gridsales.grids.tests.factories import GridFactory

    GridFactory(code="R1-D-N", parent=district["parent"])
    first = services.first_of_next_month()
    scenario_schedule(scenario=scenario, effective_from=first, user=world.users["director"])
    assert apply_due(today=first) == []
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.FAILED
    assert "have changed since the scenario ran" in scenario.message


def test_kpis_restate_to_the_successor_grids_after_apply(world, district, api):
    from gridsales.sales.tests.factories import OrderFactory, ProductFactory

    product = ProductFactory()
    day = timezone.localdate() - dt.timedelta(days=3)
    west_customer = Customer.objects.get(code="D-00")  # lng 121.405: West today
    east_customer = Customer.objects.get(code="D-50")  # lng 121.455: East today
    for customer, price in ((west_customer, "10.00"), (east_customer, "25.50")):
        OrderFactory(
            customer=customer,
            rep=world.users["rep"],
            order_date=day,
            lines=[{"product": product, "quantity": Decimal("2"), "unit_price": Decimal(price)}],
        )
    scenario = run(make(district))
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    first = services.first_of_next_month()
    scenario_schedule(scenario=scenario, effective_from=first, user=world.users["director"])
    [applied] = apply_due(today=first)
    west_customer.refresh_from_db()
    east_customer.refresh_from_db()
    params = {"period": f"{day:%Y-%m}", "grid": "R1-D", "group_by": "child", "metrics": "revenue"}
    recorded = api("director").get("/api/v1/kpis/", params).json()["rows"]
    restated = api("director").get("/api/v1/kpis/", params | {"restated": "1"}).json()["rows"]
    by_grid = {r["grid"]: r["revenue"] for r in restated}
    successors = Grid.objects.filter(pk__in=applied.successors)
    expected = {g.code: Decimal("0") for g in successors}
    expected[west_customer.current_grid.code] += Decimal("20.00")
    expected[east_customer.current_grid.code] += Decimal("51.00")
    assert {code: by_grid.get(code) for code in expected} == {
        code: f"{v:.2f}" for code, v in expected.items()
    }
    # As recorded, the sales stay in the retired grids; restated, they are in the new ones.
    recorded_by_grid = {r["grid"]: r["revenue"] for r in recorded}
    assert recorded_by_grid["R1-D-W"] == "20.00" and recorded_by_grid["R1-D-E"] == "51.00"
    assert by_grid["R1-D-W"] == "0.00" and by_grid["R1-D-E"] == "0.00"
    assert all(recorded_by_grid[g.code] == "0.00" for g in successors)


def test_the_apply_due_command_applies_what_is_due(world, district, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    scenario = run(make(district))
    services.scenario_approve(scenario=scenario, user=world.users["director"])
    today = timezone.localdate()
    scenario_schedule(scenario=scenario, effective_from=today, user=world.users["director"])
    scenario.refresh_from_db()
    assert scenario.status == ScenarioStatus.APPLIED  # today: at once
    out = StringIO()
    call_command("planning", "apply-due", stdout=out)
    assert out.getvalue() == ""  # nothing else is due


def test_a_leaf_grid_split_in_two_carries_its_members(world, district):
    west = district["west"]
    scenario = services.scenario_create(
        parent=west, name="split", resolution=8, territories=2, tolerance=Decimal("0.2")
    )
    scenario = run(scenario)
    assert scenario.current_grids == [] and set(scenario.current) == {-1}
    assert scenario.report["balanced_on"]
    services.scenario_approve(scenario=scenario, user=world.users["admin"])
    first = services.first_of_next_month()
    scenario_schedule(scenario=scenario, effective_from=first, user=world.users["admin"])
    [applied] = apply_due(today=first)
    west.refresh_from_db()
    assert not west.is_leaf and west.status == GridStatus.ACTIVE
    successors = Grid.objects.filter(pk__in=applied.successors)
    assert {g.level for g in successors} == {"subgrid"}
    # 6 customers of 18.25 h, τ = 0.2 around 54.75 h: exactly 3 each.
    assert [g.customers.count() for g in successors.order_by("code")] == [3, 3]
    [old, new] = Membership.objects.filter(user__username="repw").order_by("valid_from")
    assert old.grid_id == west.pk and old.valid_to == first - dt.timedelta(days=1)
    assert new.grid_id in applied.successors and new.valid_from == first


def test_stopping_a_queued_run_or_a_dead_worker(world, district):
    translation.activate("en")
    scenario = make(district)
    Scenario.objects.filter(pk=scenario.pk).update(status=ScenarioStatus.QUEUED)
    scenario = services.scenario_stop(scenario=scenario)
    assert (scenario.status, scenario.message) == (
        ScenarioStatus.STOPPED,
        "Stopped before it started.",
    )
    long_ago = timezone.now() - dt.timedelta(seconds=services.STALE_AFTER + 1)
    Scenario.objects.filter(pk=scenario.pk).update(
        status=ScenarioStatus.RUNNING, updated_at=long_ago
    )
    scenario = services.scenario_stop(scenario=scenario)
    assert scenario.status == ScenarioStatus.FAILED
    assert scenario.message == "The worker stopped reporting; run the scenario again."
