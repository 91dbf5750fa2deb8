"""A district to redesign, inside the persona world (under R1, which `regional` manages).

    R1-D  121.40–121.46 E × 31.20–31.23 N
    ├── R1-D-W   121.40–121.42   repw (100 %), 6 customers
    └── R1-D-E   121.42–121.46   repe (50 %), 12 customers

18 tier-A customers on a lattice (6 columns 0.01° apart × 3 rows), A visited every 30
days: 365 / 30 × (60 + 30) / 60 = 18.25 hours a year each; West 109.5 h, East 219 h.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from gridsales.care.tests.factories import CadencePolicyFactory
from gridsales.customers.choices import CustomerStatus, Tier
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids.choices import GridLevel
from gridsales.grids.tests.factories import GridFactory
from gridsales.team.choices import MembershipRole
from gridsales.team.tests.factories import MembershipFactory, RepFactory


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def district_world(world) -> dict:
    parent = GridFactory(
        code="R1-D",
        name="徐汇片区",
        parent=world.grids["R1"],
        level=GridLevel.AREA,
        geometry=rect(121.40, 31.20, 121.46, 31.23),
    )
    west = GridFactory(
        code="R1-D-W", name="西网格", parent=parent, geometry=rect(121.40, 31.20, 121.42, 31.23)
    )
    east = GridFactory(
        code="R1-D-E", name="东网格", parent=parent, geometry=rect(121.42, 31.20, 121.46, 31.23)
    )
    CadencePolicyFactory(tier=Tier.A, interval_days=30)
    CadencePolicyFactory(tier=Tier.B, interval_days=73)
    customers = []
    for i in range(6):
        for j in range(3):
            customers.append(
                CustomerFactory(
                    code=f"D-{i}{j}",
                    name=f"片区客户 {i}{j}",
                    tier=Tier.A,
                    status=CustomerStatus.ACTIVE,
                    lng=121.405 + 0.01 * i,
                    lat=31.205 + 0.01 * j,
                )
            )
    start = timezone.localdate() - dt.timedelta(days=100)
    repw = RepFactory(username="repw")
    repe = RepFactory(username="repe")
    MembershipFactory(user=repw, grid=west, valid_from=start)
    MembershipFactory(user=repe, grid=east, valid_from=start, share_pct=Decimal("50"))
    MembershipFactory(
        user=world.users["gridmanager"], grid=east, valid_from=start, role=MembershipRole.MANAGER
    )
    return {"parent": parent, "west": west, "east": east, "customers": customers}


def scenario_on(grid, name: str, **fields):
    """A scenario row without a run (for lists and permission matrices)."""
    from gridsales.planning.models import Scenario

    return Scenario.objects.create(parent=grid, name=name, territories=2, **fields)


def planning_matrix_world(world) -> dict[str, int]:
    """One scenario on R1 (regional's) and one on R2 (nobody's but the company's)."""
    return {
        "R1 plan": scenario_on(world.grids["R1"], "R1 plan").pk,
        "R2 plan": scenario_on(world.grids["R2"], "R2 plan").pk,
    }


def crowd_planning(world) -> None:
    for i in range(12):
        scenario_on(world.grids["R1"], f"R1 plan {i}")
