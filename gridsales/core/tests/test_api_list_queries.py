"""Every list endpoint answers with a query count that does not grow with the number of
rows (no N+1), for three personas, on one crowded world built once for this module."""

from decimal import Decimal

import pytest

from gridsales.activities.tests.factories import crowd_activities
from gridsales.api import router
from gridsales.care.tests.factories import crowd_care
from gridsales.conftest import clients_for, world_for_module
from gridsales.customers.tests.factories import ContactFactory, CustomerFactory
from gridsales.feedback.tests.factories import crowd_feedback
from gridsales.grids.tests.factories import GridFactory
from gridsales.incentives.tests.factories import crowd_incentives
from gridsales.planning.tests.factories import crowd_planning
from gridsales.recognition.tests.factories import crowd_recognition
from gridsales.routes.tests.factories import crowd_routes
from gridsales.sales.tests.factories import crowd_orders, crowd_pipeline
from gridsales.targets.tests.factories import crowd_targets
from gridsales.team.tests.factories import MembershipFactory, RepFactory

PREFIXES = [prefix for prefix, _viewset, _basename in router.registry]

# Session, user, savepoint, COUNT, page, release — plus the scope's memberships for
# scoped users, and for grids the one grouped query of subtree customer counts. Related
# rows must come from joins, never one query per row.
MAX_LIST_QUERIES = 8


@pytest.fixture(scope="module")
def crowded_world(django_db_setup, django_db_blocker):
    """The persona world plus enough rows inside R1 that an N+1 would show, built once for
    the module (each test runs in a savepoint inside it)."""
    with world_for_module(django_db_blocker) as world:
        yield crowd(world)


def crowd(world):
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
    crowd_feedback(world)
    crowd_planning(world)
    crowd_recognition(world)
    return world


@pytest.mark.parametrize("persona", ["admin", "regional", "rep"])
@pytest.mark.parametrize("prefix", PREFIXES)
def test_list_endpoints_use_a_fixed_number_of_queries(
    prefix, persona, crowded_world, db, django_assert_max_num_queries
):
    client = clients_for(crowded_world)(persona)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 1000})
    assert response.status_code == 200
    if persona != "rep" and prefix != "audit":
        assert response.json()["count"] > 10  # the crowd is really listed
