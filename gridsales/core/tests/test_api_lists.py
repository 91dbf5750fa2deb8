"""What every list endpoint has in common: the page format, the page size cap, and a query
count that does not grow with the number of rows (no N+1)."""

from decimal import Decimal

import pytest

from gridsales.activities.tests.factories import crowd_activities
from gridsales.api import router
from gridsales.care.tests.factories import crowd_care
from gridsales.customers.models import Customer
from gridsales.customers.tests.factories import ContactFactory, CustomerFactory
from gridsales.grids.tests.factories import GridFactory
from gridsales.incentives.tests.factories import crowd_incentives
from gridsales.routes.tests.factories import crowd_routes
from gridsales.sales.tests.factories import crowd_orders, crowd_pipeline
from gridsales.targets.tests.factories import crowd_targets
from gridsales.team.tests.factories import MembershipFactory, RepFactory

PREFIXES = [prefix for prefix, _viewset, _basename in router.registry]

# Session, user, savepoint, COUNT, page, release — plus the scope's memberships for
# scoped users, and for grids the one grouped query of subtree customer counts. Related
# rows must come from joins, never one query per row.
MAX_LIST_QUERIES = 8


@pytest.fixture
def crowded_world(world):
    """The persona world plus enough rows inside R1 that an N+1 would show."""
    area = world.grids["R1-A1"]
    g1 = world.grids["R1-A1-G1"]
    for i in range(12):
        sub = GridFactory(code=f"R1-A1-X{i}", parent=area)
        rep = RepFactory(username=f"extra{i}", manager=world.users["gridmanager"])
        MembershipFactory(user=rep, grid=sub, share_pct=Decimal("50"))
        customer = CustomerFactory(
            code=f"CUS-X{i}", current_grid=g1 if i % 2 else sub, owner=world.users["rep"]
        )
        ContactFactory(customer=customer)
        ContactFactory(customer=customer, is_primary=True)
    crowd_targets(world)
    crowd_care(world)
    crowd_orders(world)
    crowd_pipeline(world)
    crowd_activities(world)
    crowd_routes(world)
    crowd_incentives(world)
    return world


@pytest.mark.parametrize("persona", ["admin", "regional", "rep"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_list_endpoints_use_a_fixed_number_of_queries(
    prefix, persona, crowded_world, api, django_assert_max_num_queries
):
    client = api(persona)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 1000})
    assert response.status_code == 200
    if persona != "rep" and prefix != "audit":
        assert response.json()["count"] > 10  # the crowd is really listed


def test_lists_use_drf_page_format(world, api):
    body = api("admin").get("/api/v1/grids/", {"page_size": 3}).json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 8
    assert len(body["results"]) == 3
    assert body["previous"] is None
    assert "page=2" in body["next"] and "page_size=3" in body["next"]
    last = api("admin").get("/api/v1/grids/", {"page_size": 3, "page": 3}).json()
    assert last["next"] is None and len(last["results"]) == 2


def test_default_page_size_is_fifty(world, api):
    grid = world.grids["R1-A1-G2"]
    Customer.objects.bulk_create(
        Customer(code=f"BULK-{i:04d}", name=f"批量{i}", current_grid=grid) for i in range(60)
    )
    body = api("admin").get("/api/v1/customers/").json()
    assert body["count"] == 64
    assert len(body["results"]) == 50


def test_page_size_is_capped_at_a_thousand(world, api):
    grid = world.grids["R1-A1-G2"]
    # bulk_create: the cap is about the page, not the services; this keeps the test fast.
    Customer.objects.bulk_create(
        Customer(code=f"BULK-{i:04d}", name=f"批量{i}", current_grid=grid) for i in range(1001)
    )
    body = api("admin").get("/api/v1/customers/", {"page_size": 5000}).json()
    assert body["count"] == 1005
    assert len(body["results"]) == 1000
    assert body["next"] is not None


def test_an_unknown_page_answers_404(world, api):
    assert api("admin").get("/api/v1/grids/", {"page": 99}).status_code == 404
