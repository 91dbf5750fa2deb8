import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from gridsales.customers.choices import CustomerStatus, Tier
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.planning.headcount import headcount, recommended_reps, recommended_territories
from gridsales.planning.tests.factories import district_world
from gridsales.sales.tests.factories import OrderFactory, ProductFactory


@pytest.fixture
def district(world, settings):
    settings.PLANNING_VISIT_MINUTES = 60
    settings.PLANNING_TRAVEL_MINUTES = 30
    settings.PLANNING_REP_HOURS = 100
    return district_world(world)


def rows_by_code(rows):
    return {r.grid.code: r for r in rows}


def test_it_sums_workload_hours_from_the_tier_cadence(world, district):
    rows = rows_by_code(headcount(grid=district["parent"], user=world.users["director"]))
    assert list(rows) == ["R1-D", "R1-D-W", "R1-D-E"]
    assert rows["R1-D-W"].customers == 6
    assert rows["R1-D-W"].hours == pytest.approx(109.5)
    assert rows["R1-D-W"].visits == pytest.approx(6 * 365 / 30)
    assert rows["R1-D-E"].hours == pytest.approx(219.0)
    assert rows["R1-D"].hours == pytest.approx(328.5)


def test_it_recommends_whole_reps_and_the_gap(world, district):
    rows = rows_by_code(headcount(grid=district["parent"], user=world.users["director"]))
    # West 109.5 h / 100 h → 2; East 219 h → 3; the area: the sum of its leaves, 5.
    assert [rows[c].recommended for c in ("R1-D-W", "R1-D-E", "R1-D")] == [2, 3, 5]
    assert rows["R1-D-W"].staffed == Decimal("1")
    assert rows["R1-D-E"].staffed == Decimal("0.5")  # the manager does not count
    assert rows["R1-D"].staffed == Decimal("1.5")
    assert rows["R1-D-E"].gap == Decimal("-2.5")
    assert rows["R1-D"].utilisation == pytest.approx(328.5 / 150)
    assert recommended_territories(grid=district["parent"]) == 4  # ceil(3.285)


def test_tier_b_and_lost_customers_and_other_settings(world, district, settings):
    CustomerFactory(code="D-B", tier=Tier.B, status=CustomerStatus.ACTIVE, lng=121.401, lat=31.201)
    CustomerFactory(code="D-LOST", tier=Tier.A, status=CustomerStatus.LOST, lng=121.401, lat=31.202)
    settings.PLANNING_TRAVEL_MINUTES = 0
    rows = rows_by_code(headcount(grid=district["parent"], user=world.users["director"]))
    # Tier B every 73 days: 5 visits of 1 hour; tier A: 365/30 hours; the lost one: none.
    assert rows["R1-D-W"].customers == 7
    assert rows["R1-D-W"].hours == pytest.approx(6 * 365 / 30 + 5)


def test_demand_counts_the_last_365_days_net_of_returns(world, district):
    customer = district["customers"][0]
    today = timezone.localdate()
    product = ProductFactory()
    OrderFactory(
        customer=customer,
        rep=world.users["rep"],
        order_date=today - dt.timedelta(days=10),
        lines=[{"product": product, "quantity": Decimal("3"), "unit_price": Decimal("33.33")}],
    )
    OrderFactory(
        customer=customer,
        rep=world.users["rep"],
        order_date=today - dt.timedelta(days=400),
        lines=[{"product": product, "quantity": Decimal("1"), "unit_price": Decimal("50.00")}],
    )
    rows = rows_by_code(headcount(grid=district["parent"], user=world.users["director"]))
    assert rows["R1-D-W"].demand == Decimal("99.99")
    assert rows["R1-D-W"].demand_per_rep == Decimal("99.99")
    assert rows["R1-D-W"].demand_per_recommended == Decimal("50.00")  # 99.99 / 2, rounded
    assert rows["R1-D-E"].demand == Decimal("0")


def test_it_shows_only_grids_in_scope(world, district):
    assert headcount(grid=district["parent"], user=world.users["rep2"]) == []
    assert [
        r.grid.code for r in headcount(grid=district["parent"], user=world.users["regional"])
    ] == [
        "R1-D",
        "R1-D-W",
        "R1-D-E",
    ]


@pytest.mark.parametrize(
    ("hours", "capacity", "reps"), [(0, 100, 0), (100, 100, 1), (100.0001, 100, 2), (0.5, 100, 1)]
)
def test_recommended_reps_is_the_ceiling(hours, capacity, reps):
    assert recommended_reps(hours, capacity) == reps
