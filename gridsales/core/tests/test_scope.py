"""scope_for: what each role may read and write, computed from memberships active today."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from gridsales.accounts.tests.factories import UserFactory
from gridsales.core.scope import minimal_paths, scope_for
from gridsales.customers.models import Customer
from gridsales.team.tests.factories import MembershipFactory


def test_minimal_paths_drops_paths_inside_others():
    assert minimal_paths(["/1/2/", "/1/", "/1/2/3/", "/4/"]) == ("/1/", "/4/")
    # "/1/" does not cover "/10/": paths end in a slash so prefixes are whole ids.
    assert minimal_paths(["/1/", "/10/"]) == ("/1/", "/10/")


def test_anonymous_users_have_no_scope():
    scope = scope_for(AnonymousUser())
    assert scope.user_id is None
    assert (scope.read_all, scope.read_paths, scope.write_paths) == (False, (), ())


def test_admins_directors_read_and_write_all_analysts_and_finance_only_read(world):
    for persona, read_all, write_all in [
        ("admin", True, True),
        ("director", True, True),
        ("analyst", True, False),
        ("finance", True, False),
        ("regional", False, False),
        ("rep", False, False),
    ]:
        scope = scope_for(world.users[persona])
        assert (scope.read_all, scope.write_all) == (read_all, write_all), persona


@pytest.mark.django_db
def test_a_superuser_is_an_admin_whatever_its_role():
    user = UserFactory(role="rep", is_superuser=True)
    assert scope_for(user).role == "admin"
    assert scope_for(user).write_all


def test_managers_write_where_they_manage_and_members_only_read(world):
    regional = scope_for(world.users["regional"])
    assert regional.read_paths == regional.write_paths == (world.grids["R1"].path,)
    rep = scope_for(world.users["rep"])
    assert rep.read_paths == (world.grids["R1-A1-G1"].path,)
    assert rep.write_paths == ()
    assert scope_for(world.users["outsider"]).read_paths == ()


def test_a_manager_role_without_a_manager_membership_writes_nothing(world):
    """The membership's role decides, not only the user's: a grid manager who is merely a
    member of a grid reads it but does not manage it."""
    gm = world.users["gridmanager"]
    MembershipFactory(user=gm, grid=world.grids["R1-A1-G2"], share_pct=50)
    scope = scope_for(type(gm).objects.get(pk=gm.pk))
    assert set(scope.read_paths) == {world.grids[c].path for c in ("R1-A1-G1", "R1-A1-G2")}
    assert scope.write_paths == (world.grids["R1-A1-G1"].path,)


def test_a_membership_that_starts_tomorrow_grants_nothing_yet(world):
    outsider = world.users["outsider"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    MembershipFactory(user=outsider, grid=world.grids["R1-A1-G2"], valid_from=tomorrow)
    assert scope_for(outsider).read_paths == ()


def test_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    user = type(world.users["rep"]).objects.get(username="rep")
    with django_assert_num_queries(1):
        scope_for(user)
        scope_for(user)


def test_a_deactivated_user_has_no_scope(world):
    user = type(world.users["rep"]).objects.get(username="rep")
    user.is_active = False
    assert scope_for(user).user_id is None
    assert not Customer.objects.restrict(user).exists()


def test_restrict_refuses_unknown_actions(world):
    with pytest.raises(ValueError):
        Customer.objects.restrict(world.users["admin"], "approve")
