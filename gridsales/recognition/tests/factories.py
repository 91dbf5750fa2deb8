"""Recognition test world: March 2026 sales and targets of four reps with ties, and two
award types with rules.

    rep   R1-A1-G1  120,000.00 (60,000 on 03-05, 60,000 on 03-20)  target 100,000  → 1.2000
    rep3  R1-A1-G1   90,000.00 (80,000 on 03-10, 10,000 on 03-25)  target  75,000  → 1.2000
    rep2  R2-A1-G1  120,000.00 (03-12)                             no target       → none
    rep4  R1-A1-G2   30,000.00 (03-15)                             target 100,000  → 0.3000

Q1 targets equal the March ones (nothing was sold in January or February).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gridsales.recognition import services

MONTH = "2026-03"


def _order(number, customer, rep, day, amount):
    from gridsales.sales.tests.factories import OrderFactory, ProductFactory

    product = ProductFactory()
    line = {"product": product, "quantity": Decimal("1"), "unit_price": Decimal(amount)}
    return OrderFactory(number=number, customer=customer, rep=rep, order_date=day, lines=[line])


def recognition_world(world) -> dict[str, dict[str, int]]:
    """The sales above, rollups rebuilt, and the award types MONTH-CHAMP (top 1 by
    revenue, monthly), TOP3-ATTAIN (top 3 by attainment, monthly), FIRST-100 (first to
    100 % in a quarter) and BEST-NEWCOMER (manual); one manual award per rep and rep2 for
    2026-02. Made once per world."""
    cached = getattr(world, "_recognition", None)
    if cached is not None:
        return cached
    from gridsales.analytics.services import rollup_rebuild
    from gridsales.targets.choices import PlanStatus, VersionKind
    from gridsales.targets.models import PeriodKind, TargetLine, TargetPlanVersion
    from gridsales.targets.tests.factories import TargetPlanFactory
    from gridsales.team.tests.factories import MembershipFactory, RepFactory

    u, g, c = world.users, world.grids, world.customers
    if "rep3" not in u:
        u["rep3"] = RepFactory(username="rep3", role="rep")
        u["rep4"] = RepFactory(username="rep4", role="rep")
        MembershipFactory(user=u["rep3"], grid=g["R1-A1-G1"], role="member", share_pct=Decimal("0"))
        MembershipFactory(user=u["rep4"], grid=g["R1-A1-G2"], role="member")
    d = dt.date
    _order("RC-1", c["CUS-G1"], u["rep"], d(2026, 3, 5), "60000")
    _order("RC-2", c["CUS-G1"], u["rep"], d(2026, 3, 20), "60000")
    _order("RC-3", c["CUS-G1"], u["rep3"], d(2026, 3, 10), "80000")
    _order("RC-4", c["CUS-G1"], u["rep3"], d(2026, 3, 25), "10000")
    _order("RC-5", c["CUS-R2"], u["rep2"], d(2026, 3, 12), "120000")
    _order("RC-6", c["CUS-G2"], u["rep4"], d(2026, 3, 15), "30000")
    plan = TargetPlanFactory(code="RC-FY2026", year=2026, status=PlanStatus.APPROVED)
    version = TargetPlanVersion.objects.create(
        plan=plan, number=1, kind=VersionKind.IMPORT, total=plan.total
    )
    for name, grid, amount in [
        ("rep", "R1-A1-G1", "100000.00"),
        ("rep3", "R1-A1-G1", "75000.00"),
        ("rep4", "R1-A1-G2", "100000.00"),
    ]:
        for kind, period in [(PeriodKind.MONTH, MONTH), (PeriodKind.QUARTER, "Q1")]:
            TargetLine.objects.create(
                version=version,
                grid=g[grid],
                user=u[name],
                period_kind=kind,
                period=period,
                amount=Decimal(amount),
            )
    rollup_rebuild()
    types = {
        "MONTH-CHAMP": services.award_type_create(
            code="MONTH-CHAMP", name="月度销售冠军", rule="top_n", metric="revenue", top_n=1
        ),
        "TOP3-ATTAIN": services.award_type_create(
            code="TOP3-ATTAIN", name="月度达成前三", rule="top_n", metric="attainment", top_n=3
        ),
        "FIRST-100": services.award_type_create(
            code="FIRST-100",
            name="季度首个达成",
            rule="first_to",
            period_kind="quarter",
            threshold=Decimal("1.0"),
            colour="success",
            icon="🚀",
        ),
        "BEST-NEWCOMER": services.award_type_create(
            code="BEST-NEWCOMER", name="最佳新人", rule="manual", colour="primary", icon="🌱"
        ),
    }
    awards = {
        name: services.award_give(
            award_type=types["BEST-NEWCOMER"],
            rep=u[name],
            period="2026-02",
            citation=f"{name} 新人表现突出",
            user=u["director"],
        )
        for name in ("rep", "rep2")
    }
    world._recognition = {
        "types": {code: t.pk for code, t in types.items()},
        "awards": {name: a.pk for name, a in awards.items()},
    }
    return world._recognition


def crowd_recognition(world) -> None:
    """Enough rows for the list endpoints' N+1 check (test_api_lists): 11 award types and
    11 awards of rep (in R1-A1-G1), one per type."""
    from gridsales.recognition.models import Award, AwardType

    for i in range(11):
        award_type = AwardType.objects.create(code=f"CROWD-{i}", name=f"crowd {i}")
        Award.objects.create(
            award_type=award_type,
            rep=world.users["rep"],
            grid=world.grids["R1-A1-G1"],
            period="2025-01",
            given_by=world.users["director"],
        )
