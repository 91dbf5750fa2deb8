"""Reps (users with a profile) and grid memberships, made through the team services."""

import datetime

import factory
from django.utils import timezone

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.accounts.tests.factories import PASSWORD
from gridsales.grids.tests.factories import GridFactory
from gridsales.team import services
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


class RepFactory(factory.Factory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"rep{n}")
    password = PASSWORD
    display_name = factory.Sequence(lambda n: f"网格员{n}")
    role = Role.REP

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.rep_create(**kwargs)


class MembershipFactory(factory.Factory):
    class Meta:
        model = Membership

    user = factory.SubFactory(RepFactory)
    grid = factory.SubFactory(GridFactory)
    role = MembershipRole.MEMBER
    # Started a month ago, so it is in force today and counts as history.
    valid_from = factory.LazyFunction(lambda: days_ago(30))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.membership_create(**kwargs)
