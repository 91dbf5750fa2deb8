"""The demo data: grids tile Shanghai, every grid is staffed, customers sit in their grid."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
import shapely
from django.contrib.auth import authenticate
from django.db.models import Sum
from shapely.geometry import shape

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment
from gridsales.demo import geo
from gridsales.demo.builder import build_demo, load_districts
from gridsales.demo.plan import DEMO_LEAF, DEMO_PASSWORD, DEMO_REGION
from gridsales.demo.tests.conftest import DEMO_CUSTOMERS, flush_database
from gridsales.grids.choices import MAX_DEPTH, GridLevel
from gridsales.grids.models import Grid
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership

pytestmark = pytest.mark.django_db

LOGINS = ("admin", "director", "regional", "gridmanager", "rep", "analyst", "outsider")


def active_members(grid=None):
    qs = Membership.objects.active().filter(role=MembershipRole.MEMBER)
    return qs.filter(grid=grid) if grid is not None else qs


def test_it_builds_the_tree_company_regions_districts_leaves(demo):
    assert Grid.objects.get(code="SH").level == GridLevel.COMPANY
    assert Grid.objects.filter(level=GridLevel.REGION).count() in (3, 4)
    areas = Grid.objects.filter(level=GridLevel.AREA)
    assert sorted(areas.values_list("name", flat=True)) == sorted(load_districts())
    leaves = Grid.objects.leaves()
    assert 60 <= leaves.count() <= 90
    assert set(leaves.values_list("level", flat=True)) == {GridLevel.GRID}
    assert set(leaves.values_list("kind", flat=True)) == {"geo"}
    assert demo.leaves == leaves.count()
    # 浦东 is the biggest district and gets the most grids.
    per_area = Counter(leaves.values_list("parent__code", flat=True))
    assert per_area.most_common(1)[0][0] == "SH-PD"


def test_grid_codes_are_unique_and_the_tree_is_at_most_ten_deep(demo):
    codes = list(Grid.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert max(Grid.objects.values_list("depth", flat=True)) < MAX_DEPTH
    for grid in Grid.objects.select_related("parent"):
        if grid.parent is not None:
            assert grid.path.startswith(grid.parent.path)
            assert grid.depth == grid.parent.depth + 1


def test_leaf_grids_tile_their_district(demo):
    districts = {name: geom for name, (geom, _adcode) in load_districts().items()}
    for area in Grid.objects.filter(level=GridLevel.AREA):
        district = districts[area.name]
        leaves = [shape(g.geometry) for g in area.children.all()]
        union = shapely.union_all(leaves)
        assert union.symmetric_difference(district).area < district.area * 1e-3, area.code
        # No two leaves overlap beyond rounding.
        assert sum(leaf.area for leaf in leaves) == pytest.approx(union.area, rel=1e-4)


def test_every_customer_lies_inside_its_grid(demo):
    grids = {g.pk: shape(g.geometry) for g in Grid.objects.leaves()}
    customers = list(Customer.objects.values_list("current_grid_id", "lng", "lat"))
    assert len(customers) == DEMO_CUSTOMERS
    for grid_id, lng, lat in customers:
        assert grids[grid_id].contains(shapely.Point(lng, lat))
        assert round(lng, 6) == lng and round(lat, 6) == lat


def test_every_leaf_grid_has_an_active_member_and_shares_at_most_100(demo):
    for grid in Grid.objects.leaves():
        members = active_members(grid)
        assert members.exists(), grid.code
        assert members.aggregate(s=Sum("share_pct"))["s"] <= Decimal(100), grid.code
        assert Membership.objects.active().filter(grid=grid, role="manager").exists()


def test_every_customer_is_owned_by_a_member_of_its_grid(demo):
    members = set(active_members().values_list("grid_id", "user_id"))
    for grid_id, owner_id in Customer.objects.values_list("current_grid_id", "owner_id"):
        assert (grid_id, owner_id) in members


def test_the_team_has_about_sixty_reps_and_a_manager_per_region(demo):
    reps = User.objects.filter(role=Role.REP, memberships__in=active_members()).distinct()
    assert 50 <= reps.count() <= 70
    for region in Grid.objects.filter(level=GridLevel.REGION):
        managers = Membership.objects.active().filter(grid=region, role="manager")
        assert [m.user.role for m in managers] == [Role.REGIONAL_MANAGER]
    assert all(hasattr(rep, "rep_profile") for rep in reps)
    profile = User.objects.get(username="rep").rep_profile
    assert profile.employee_no.startswith("GS") and profile.phone.startswith("139")
    home = shape(Grid.objects.get(code=DEMO_LEAF).geometry)
    assert home.contains(shapely.Point(profile.home_lng, profile.home_lat))


def test_some_memberships_have_ended(demo):
    ended = Membership.objects.filter(valid_to__isnull=False)
    assert ended.count() >= 3
    assert not ended.filter(user__username__in=LOGINS).exists()


def test_demo_logins_exist_and_take_the_demo_password(demo):
    for username in LOGINS:
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.role == Role.ADMIN
    expected = {
        "director": Role.DIRECTOR,
        "regional": Role.REGIONAL_MANAGER,
        "gridmanager": Role.GRID_MANAGER,
        "rep": Role.REP,
        "analyst": Role.ANALYST,
        "outsider": Role.REP,
    }
    for username, role in expected.items():
        assert User.objects.get(username=username).role == role
    assert [login.username for login in demo.logins] == list(LOGINS)


def test_outsider_has_a_profile_but_no_membership(demo):
    outsider = User.objects.get(username="outsider")
    assert outsider.rep_profile.employee_no
    assert not Membership.objects.filter(user=outsider).exists()
    assert not Customer.objects.restrict(outsider).exists()


def test_regional_manages_exactly_one_region(demo):
    rows = Membership.objects.active().filter(user__username="regional")
    assert [(m.grid.code, m.grid.level, m.role) for m in rows] == [
        (DEMO_REGION, GridLevel.REGION, MembershipRole.MANAGER)
    ]


def test_gridmanager_manages_exactly_one_leaf_grid(demo):
    rows = Membership.objects.active().filter(user__username="gridmanager")
    assert [(m.grid.code, m.grid.is_leaf, m.role) for m in rows] == [
        (DEMO_LEAF, True, MembershipRole.MANAGER)
    ]


def test_rep_is_a_member_of_exactly_one_leaf_grid_and_owns_customers_only_there(demo):
    rows = Membership.objects.filter(user__username="rep")
    assert [(m.grid.code, m.role, m.is_active()) for m in rows] == [
        (DEMO_LEAF, MembershipRole.MEMBER, True)
    ]
    owned = Customer.objects.filter(owner__username="rep")
    assert owned.exists()
    assert set(owned.values_list("current_grid__code", flat=True)) == {DEMO_LEAF}


def test_scopes_follow_the_tree(demo):
    users = {u.username: u for u in User.objects.filter(username__in=LOGINS)}
    in_leaf = Customer.objects.filter(current_grid__code=DEMO_LEAF)
    in_region = Customer.objects.filter(
        current_grid__path__startswith=Grid.objects.get(code=DEMO_REGION).path
    )
    assert Customer.objects.restrict(users["rep"]).count() == in_leaf.count()
    assert Customer.objects.restrict(users["gridmanager"]).count() == in_leaf.count()
    assert Customer.objects.restrict(users["regional"]).count() == in_region.count()
    assert Customer.objects.restrict(users["analyst"]).count() == DEMO_CUSTOMERS
    # A rep sees the whole grid but may change only the customers they own.
    assert set(Customer.objects.restrict(users["rep"], "change")) == set(
        in_leaf.filter(owner=users["rep"])
    )


def test_customers_look_like_customers(demo):
    tiers = Counter(Customer.objects.values_list("tier", flat=True))
    assert tiers["D"] > tiers["A"]
    statuses = Counter(Customer.objects.values_list("status", flat=True))
    assert statuses.most_common(1)[0][0] == "active"
    assert Customer.objects.filter(code="C000001").exists()
    # The assignment service confirmed every generated placement and wrote its history.
    open_rows = CustomerGridAssignment.objects.filter(valid_to__isnull=True)
    assert open_rows.count() == DEMO_CUSTOMERS
    assert set(open_rows.values_list("reason", flat=True)) == {"polygon"}
    assert not Customer.objects.exclude(current_grid_id__in=open_rows.values("grid_id")).exists()
    assert all(
        a.grid_id == a.customer.current_grid_id for a in open_rows.select_related("customer")[:100]
    )
    for customer in Customer.objects.select_related("current_grid__parent")[:50]:
        assert customer.address.startswith(customer.current_grid.parent.name)
    per_customer = Counter(Contact.objects.values_list("customer_id", flat=True))
    assert set(per_customer.values()) <= {1, 2, 3}
    assert len(per_customer) == DEMO_CUSTOMERS
    assert Contact.objects.filter(is_primary=True).count() == DEMO_CUSTOMERS
    assert demo.contacts == Contact.objects.count()


def test_central_districts_are_denser(demo):
    def density(code: str) -> float:
        area = Grid.objects.get(code=code)
        count = Customer.objects.filter(current_grid__parent=area).count()
        return count / geo.area_km2(shape(area.geometry))

    assert density("SH-HP") > 5 * density("SH-CM")
    assert density("SH-JA") > density("SH-PD") > density("SH-CM")


def test_it_is_deterministic_for_a_seed(demo, forget_content_types):
    def snapshot():
        return (
            list(Customer.objects.order_by("code").values_list("code", "name", "lng", "lat")),
            list(Grid.objects.order_by("code").values_list("code", "geometry")),
            list(User.objects.order_by("username").values_list("username", "display_name")),
            list(
                Contact.objects.order_by(
                    "customer__code", "-is_primary", "name", "phone"
                ).values_list("name", "phone")
            ),
        )

    first = snapshot()
    flush_database()
    build_demo(customers=DEMO_CUSTOMERS)
    assert snapshot() == first
    flush_database()
    build_demo(customers=DEMO_CUSTOMERS, seed=7)
    assert snapshot()[0] != first[0]
