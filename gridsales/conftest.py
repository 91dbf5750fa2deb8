"""Test personas: one small company with every role, shared by the whole suite.

    HQ (company)
    ├── R1 (region)            regional      manages R1
    │   └── R1-A1 (area)
    │       ├── R1-A1-G1       gridmanager   manages it; rep is a member
    │       └── R1-A1-G2       (nobody)
    └── R2 (region)
        └── R2-A1 (area)
            └── R2-A1-G1       rep2 is a member

admin, director, analyst and finance have no membership (their role gives them the whole
company); outsider is a rep without any membership. Customers: CUS-G1 (owner rep),
CUS-G2 (no owner), CUS-R2 (owner rep2), and CUS-NOGRID, unassigned but owned by rep.
Each customer has one contact named "Contact <code>".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.accounts.tests.factories import UserFactory
from gridsales.customers.choices import CustomerStatus, Tier
from gridsales.customers.models import Contact, Customer
from gridsales.customers.tests.factories import ContactFactory, CustomerFactory
from gridsales.grids.choices import GridLevel
from gridsales.grids.models import Grid
from gridsales.grids.tests.factories import GridFactory
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership
from gridsales.team.tests.factories import MembershipFactory, RepFactory

PERSONAS = (
    "admin",
    "director",
    "analyst",
    "finance",
    "regional",
    "gridmanager",
    "rep",
    "rep2",
    "outsider",
)


@dataclass
class World:
    """Everything the persona fixture made, by code / username / "user@grid" / name."""

    grids: dict[str, Grid] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)


def build_world() -> World:
    w = World()

    def grid(code: str, parent: str | None, level: str) -> None:
        w.grids[code] = GridFactory(
            code=code, name=f"网格 {code}", parent=w.grids.get(parent), level=level
        )

    grid("HQ", None, GridLevel.COMPANY)
    for region in ("R1", "R2"):
        grid(region, "HQ", GridLevel.REGION)
        grid(f"{region}-A1", region, GridLevel.AREA)
        grid(f"{region}-A1-G1", f"{region}-A1", GridLevel.GRID)
    grid("R1-A1-G2", "R1-A1", GridLevel.GRID)

    for username, role in [
        ("admin", Role.ADMIN),
        ("director", Role.DIRECTOR),
        ("analyst", Role.ANALYST),
        ("finance", Role.FINANCE),
    ]:
        w.users[username] = UserFactory(username=username, role=role)
    for username, role in [
        ("regional", Role.REGIONAL_MANAGER),
        ("gridmanager", Role.GRID_MANAGER),
        ("rep", Role.REP),
        ("rep2", Role.REP),
        ("outsider", Role.REP),
    ]:
        w.users[username] = RepFactory(username=username, role=role)

    for username, code, role in [
        ("regional", "R1", MembershipRole.MANAGER),
        ("gridmanager", "R1-A1-G1", MembershipRole.MANAGER),
        ("rep", "R1-A1-G1", MembershipRole.MEMBER),
        ("rep2", "R2-A1-G1", MembershipRole.MEMBER),
    ]:
        w.memberships[f"{username}@{code}"] = MembershipFactory(
            user=w.users[username], grid=w.grids[code], role=role
        )

    for code, grid_code, owner, tier, status, tags in [
        ("CUS-G1", "R1-A1-G1", "rep", Tier.A, CustomerStatus.ACTIVE, ["重点客户", "VIP"]),
        ("CUS-G2", "R1-A1-G2", None, Tier.B, CustomerStatus.LEAD, []),
        ("CUS-R2", "R2-A1-G1", "rep2", Tier.A, CustomerStatus.ACTIVE, ["重点客户"]),
        ("CUS-NOGRID", None, "rep", Tier.C, CustomerStatus.LEAD, ["新客户"]),
    ]:
        w.customers[code] = CustomerFactory(
            code=code,
            name=f"客户 {code}",
            current_grid=w.grids.get(grid_code),
            owner=w.users.get(owner),
            tier=tier,
            status=status,
            tags=tags,
        )
        w.contacts[f"Contact {code}"] = ContactFactory(
            customer=w.customers[code], name=f"Contact {code}", is_primary=True
        )
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@contextmanager
def module_transaction(django_db_blocker) -> Iterator[None]:
    """For a module-scoped fixture: a transaction rolled back when the module ends. Each
    test that asks for `db` runs in a savepoint inside it (pytest-django nests its atomic
    blocks), so what a test writes is undone before the next, and what the fixture built
    is undone with the module."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@contextmanager
def world_for_module(django_db_blocker) -> Iterator[World]:
    """A persona world built once for a whole test module. The permission matrices run
    hundreds of tests on one world: building it for each test was most of their time, on
    PostgreSQL above all."""
    with module_transaction(django_db_blocker):
        yield build_world()


def clients_for(world: World):
    """client_for("rep") → an APIClient logged in as that persona; None → anonymous.

    Session login (not force_authenticate) so every request loads the user afresh and
    recomputes their scope, as in production.
    """

    def client_for(persona: str | None) -> APIClient:
        client = APIClient()
        if persona is not None:
            client.force_login(world.users[persona])
        return client

    return client_for


@pytest.fixture
def api(world):
    """api("rep") → an APIClient logged in as that persona; api(None) → anonymous."""
    return clients_for(world)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (zh-hans): a request made with another
    Accept-Language leaves that language active in the thread, which would make later
    tests depend on the order they run in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
