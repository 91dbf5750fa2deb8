"""Reps and effective-dated memberships: history is never rewritten."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridsales.accounts.choices import Role
from gridsales.accounts.tests.factories import PASSWORD
from gridsales.grids.tests.factories import GridFactory
from gridsales.team import services
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership, RepProfile
from gridsales.team.tests.factories import MembershipFactory, RepFactory, days_ago

pytestmark = pytest.mark.django_db


def days_ahead(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_a_rep_gets_a_profile_and_a_usable_password():
    rep = RepFactory(employee_no="E001", phone="13800000000")
    assert rep.check_password(PASSWORD)
    assert RepProfile.objects.get(user=rep).employee_no == "E001"


def test_a_rep_without_password_cannot_log_in_yet():
    rep = services.rep_create(username="nopw")
    assert not rep.has_usable_password()


def test_rep_update_changes_user_and_profile_fields_together():
    rep = RepFactory()
    services.rep_update(user=rep, display_name="王五", title="网格经理", role=Role.GRID_MANAGER)
    rep.refresh_from_db()
    assert (rep.display_name, rep.role, rep.rep_profile.title) == (
        "王五",
        "grid_manager",
        "网格经理",
    )


def test_overlapping_memberships_of_one_person_in_one_grid_are_refused():
    m = MembershipFactory()
    with pytest.raises(ValidationError) as caught:
        MembershipFactory(user=m.user, grid=m.grid, valid_from=days_ahead(10))
    assert "valid_from" in caught.value.message_dict


def test_a_person_may_rejoin_a_grid_after_the_membership_ended():
    m = MembershipFactory(valid_from=days_ago(60))
    services.membership_end(membership=m, valid_to=days_ago(20))
    again = MembershipFactory(user=m.user, grid=m.grid, valid_from=days_ago(10))
    assert list(Membership.objects.active().filter(user=m.user)) == [again]


def test_members_shares_of_a_grid_cannot_exceed_100_percent():
    grid = GridFactory()
    MembershipFactory(grid=grid, share_pct=Decimal("60"))
    MembershipFactory(grid=grid, share_pct=Decimal("40"))  # exactly 100: fine
    with pytest.raises(ValidationError) as caught:
        MembershipFactory(grid=grid, share_pct=Decimal("0.01"))
    assert "share_pct" in caught.value.message_dict


def test_managers_do_not_take_a_share():
    grid = GridFactory()
    MembershipFactory(grid=grid, share_pct=Decimal("100"))
    manager = RepFactory(role=Role.GRID_MANAGER)
    MembershipFactory(grid=grid, user=manager, role=MembershipRole.MANAGER)


def test_ending_a_membership_keeps_it_as_history():
    m = MembershipFactory(valid_from=days_ago(30))
    services.membership_end(membership=m, valid_to=days_ago(1))
    m.refresh_from_db()
    assert m.valid_to == days_ago(1)
    assert not m.is_active()
    assert m.is_active(days_ago(5))
    assert not Membership.objects.active().filter(pk=m.pk).exists()
    assert Membership.objects.active(days_ago(5)).filter(pk=m.pk).exists()


def test_ending_defaults_to_today_and_cannot_precede_the_start():
    m = MembershipFactory(valid_from=days_ago(3))
    assert services.membership_end(membership=m).valid_to == timezone.localdate()
    with pytest.raises(ValidationError):
        services.membership_end(membership=m, valid_to=days_ago(4))


def test_a_started_membership_cannot_be_deleted():
    m = MembershipFactory(valid_from=timezone.localdate())
    with pytest.raises(ValidationError):
        services.membership_delete(membership=m)
    assert Membership.objects.filter(pk=m.pk).exists()


def test_a_membership_that_has_not_started_can_be_deleted():
    m = MembershipFactory(valid_from=days_ahead(1))
    services.membership_delete(membership=m)
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_a_started_membership_keeps_its_start_date():
    m = MembershipFactory()
    with pytest.raises(ValidationError) as caught:
        services.membership_update(membership=m, valid_from=days_ago(100))
    assert "valid_from" in caught.value.message_dict


def test_person_and_grid_of_a_membership_are_fixed():
    m = MembershipFactory()
    with pytest.raises(ValidationError):
        services.membership_update(membership=m, grid=GridFactory())


def test_a_rep_can_only_be_a_member_of_a_leaf_grid():
    parent = GridFactory()
    GridFactory(parent=parent)
    with pytest.raises(ValidationError) as caught:
        MembershipFactory(grid=parent)
    assert "grid" in caught.value.message_dict


def test_the_end_date_cannot_precede_the_start_date():
    with pytest.raises(ValidationError):
        MembershipFactory(valid_from=days_ago(1), valid_to=days_ago(2))
