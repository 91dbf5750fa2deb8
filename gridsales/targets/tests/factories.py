import datetime
from decimal import Decimal

import factory

from gridsales.targets.models import Actual, TargetPlan


class TargetPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetPlan

    code = factory.Sequence(lambda n: f"FY2027-{n}")
    name = factory.Sequence(lambda n: f"2027 目标 {n}")
    year = 2027
    total = Decimal("100000.00")
    level_methods = ["reference"]
    seasonality = []


class ActualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actual

    date = datetime.date(2026, 3, 1)
    amount = Decimal("1000.00")


MATRIX_PLAN = "MATRIX-2027"


def target_world(world) -> dict[str, dict[str, int]]:
    """Target objects for the API permission matrix, made once per world: a draft plan with
    version 1 (year rows only), proposals for R1-A1-G1 and R2-A1-G1, an input for R1-A1-G2,
    actuals for R1-A1-G1 and for rep2 in R2-A1-G1. Returns {route: {key: pk}}."""
    cached = getattr(world, "_targets", None)
    if cached is not None:
        return cached
    from gridsales.targets.choices import VersionKind
    from gridsales.targets.models import (
        PeriodKind,
        TargetLine,
        TargetPlanVersion,
        TargetProposal,
        TargetUnitInput,
    )

    g, u = world.grids, world.users
    plan = TargetPlanFactory(code=MATRIX_PLAN, name="矩阵计划")
    version = TargetPlanVersion.objects.create(
        plan=plan, number=1, kind=VersionKind.IMPORT, total=plan.total
    )
    lines = {}
    for code, grid in g.items():
        lines[code] = TargetLine.objects.create(
            version=version, grid=grid, period_kind=PeriodKind.YEAR, period="2027", amount=1
        ).pk
    for key, grid, user in (
        ("R1-A1-G1/rep", "R1-A1-G1", "rep"),
        ("R2-A1-G1/rep2", "R2-A1-G1", "rep2"),
    ):
        lines[key] = TargetLine.objects.create(
            version=version,
            grid=g[grid],
            user=u[user],
            period_kind=PeriodKind.YEAR,
            period="2027",
            amount=1,
        ).pk
    proposals = {
        code: TargetProposal.objects.create(
            plan=plan, grid=g[code], amount=Decimal("10.00"), submitted_by=u["director"]
        ).pk
        for code in ("R1-A1-G1", "R2-A1-G1")
    }
    inputs = {
        "R1-A1-G2": TargetUnitInput.objects.create(plan=plan, grid=g["R1-A1-G2"], weight=2).pk
    }
    actuals = {
        "A-R1-A1-G1": ActualFactory(grid=g["R1-A1-G1"]).pk,
        "A-R2-A1-G1/rep2": ActualFactory(grid=g["R2-A1-G1"], user=u["rep2"]).pk,
    }
    world._targets = {
        "plans": {MATRIX_PLAN: plan.pk},
        "versions": {"v1": version.pk},
        "lines": lines,
        "proposals": proposals,
        "inputs": inputs,
        "actuals": actuals,
    }
    return world._targets


def crowd_targets(world) -> None:
    """Enough target rows inside R1 for the list endpoints' N+1 check (test_api_lists):
    11 plans, 11 versions, and a proposal, an input and an actual per grid of R1-A1."""
    from gridsales.grids.models import Grid
    from gridsales.targets.choices import VersionKind
    from gridsales.targets.models import (
        PeriodKind,
        TargetLine,
        TargetPlanVersion,
        TargetProposal,
        TargetUnitInput,
    )

    plans = [TargetPlanFactory(code=f"CROWD-{i}") for i in range(11)]
    grids = list(Grid.objects.filter(path__startswith=world.grids["R1-A1"].path))
    for number in range(1, 12):
        version = TargetPlanVersion.objects.create(
            plan=plans[0], number=number, kind=VersionKind.IMPORT, total=0
        )
    TargetLine.objects.bulk_create(
        TargetLine(version=version, grid=g, period_kind=PeriodKind.YEAR, period="2027", amount=1)
        for g in grids
    )
    for g in grids:
        TargetProposal.objects.create(plan=plans[0], grid=g, amount=1)
        TargetUnitInput.objects.create(plan=plans[0], grid=g, weight=1)
        ActualFactory(grid=g)
