"""Users without a rep profile (HQ staff: admins, directors, analysts, finance)."""

import factory

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User

# One password for every test user: the MD5 test hasher makes logging in cheap.
PASSWORD = "Grid-sales-test-pw-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.ADMIN
    password = factory.django.Password(PASSWORD)
