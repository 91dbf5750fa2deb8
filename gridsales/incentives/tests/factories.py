"""Incentive objects for tests: the issue's plan assigned to reps, March 2026 orders and
targets (the calculator's worked example, docs/incentives.md), and a calculated run."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gridsales.incentives import services
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN

PERIOD = "2026-03"


def _order(number, customer, rep, day, lines):
    from gridsales.sales.tests.factories import OrderFactory

    return OrderFactory(number=number, customer=customer, rep=rep, order_date=day, lines=lines)


def _line(product, amount, **extra):
    return {"product": product, "quantity": Decimal("1"), "unit_price": Decimal(amount), **extra}


def sales_facts(world) -> None:
    """rep (R1-A1-G1): March 60,000 STD + 30,000 NEW-PRODUCT + 45,000 STD (10,000 returned in
    March); a cancelled 5,000; a February 50,000 with 20,000 returned on 5 March. rep2
    (R2-A1-G1): March 9,000, no target. Targets: rep 100,000 in February and in March."""
    from gridsales.sales.tests.factories import ProductCategoryFactory, ProductFactory
    from gridsales.targets.choices import PlanStatus, VersionKind
    from gridsales.targets.models import PeriodKind, TargetLine, TargetPlanVersion
    from gridsales.targets.tests.factories import TargetPlanFactory

    c, u = world.customers, world.users
    std = ProductFactory(code="STD-1", category=ProductCategoryFactory(code="STD"))
    new = ProductFactory(code="NEW-1", category=ProductCategoryFactory(code="NEW-PRODUCT"))
    d = datetime.date
    _order(
        "SO-1",
        c["CUS-G1"],
        u["rep"],
        d(2026, 3, 5),
        [_line(std, "60000"), _line(new, "30000")],
    )
    _order(
        "SO-2",
        c["CUS-G1"],
        u["rep"],
        d(2026, 3, 10),
        [
            _line(
                std,
                "45000",
                status="returned",
                returned_amount=Decimal("10000"),
                return_date=d(2026, 3, 20),
            )
        ],
    )
    _order("SO-3", c["CUS-G1"], u["rep"], d(2026, 3, 12), [_line(std, "5000", status="cancelled")])
    _order(
        "SO-F1",
        c["CUS-G1"],
        u["rep"],
        d(2026, 2, 10),
        [
            _line(
                std,
                "50000",
                status="returned",
                returned_amount=Decimal("20000"),
                return_date=d(2026, 3, 5),
            )
        ],
    )
    _order("SO-R2", c["CUS-R2"], u["rep2"], d(2026, 3, 8), [_line(std, "9000")])
    plan = TargetPlanFactory(code="FY2026", year=2026, status=PlanStatus.APPROVED)
    version = TargetPlanVersion.objects.create(
        plan=plan, number=1, kind=VersionKind.IMPORT, total=plan.total
    )
    for period in ("2026-02", "2026-03"):
        TargetLine.objects.create(
            version=version,
            grid=world.grids["R1-A1-G1"],
            user=u["rep"],
            period_kind=PeriodKind.MONTH,
            period=period,
            amount=Decimal("100000.00"),
        )


def incentive_world(world) -> dict[str, dict[str, int]]:
    """The sales facts, the issue's plan (ISSUE-PLAN) for the role rep from January 2026, and
    the March run, calculated. Made once per world. Returns {route: {key: pk}}."""
    cached = getattr(world, "_incentives", None)
    if cached is not None:
        return cached
    from gridsales.incentives.models import Statement

    sales_facts(world)
    plan = services.incentive_plan_create(
        code="ISSUE-PLAN",
        name="2026 rep plan",
        definition=ISSUE_PLAN,
        effective_from="2026-01",
        user=world.users["finance"],
    )
    assignment = services.plan_assignment_create(plan=plan, role="rep", valid_from="2026-01")
    run = services.commission_run_create(period=PERIOD)
    services.commission_run_calculate(run=run)
    statements = {s.rep.username: s for s in Statement.objects.filter(run=run)}
    world._incentives = {
        "plans": {"ISSUE-PLAN": plan.pk},
        "versions": {"v1": plan.versions.get().pk},
        "assignments": {"rep": assignment.pk},
        "runs": {PERIOD: run.pk},
        "statements": {name: s.pk for name, s in statements.items()},
        "lines": {name: s.lines.order_by("position").first().pk for name, s in statements.items()},
    }
    return world._incentives


def dispute_world(world) -> dict[str, dict[str, int]]:
    """incentive_world plus, for the API matrix, an adjustment of rep's statement and rep's
    open dispute of its second line."""
    cached = getattr(world, "_incentive_disputes", None)
    if cached is not None:
        return cached
    from gridsales.incentives.models import CommissionRun, StatementLine

    made = incentive_world(world)
    run = CommissionRun.objects.get(pk=made["runs"][PERIOD])
    adjustment = services.adjustment_create(
        run=run,
        rep=world.users["rep"],
        amount=Decimal("10.00"),
        reason="Sample stock",
        user=world.users["finance"],
    )
    line = StatementLine.objects.get(statement_id=made["statements"]["rep"], position=2)
    dispute = services.dispute_open(line=line, user=world.users["rep"], message="1.5?")
    world._incentive_disputes = {
        "adjustments": {"rep": adjustment.pk},
        "disputes": {"rep": dispute.pk},
    }
    return world._incentive_disputes


def crowd_incentives(world) -> None:
    """Enough incentive rows for the list endpoints' N+1 check (test_api_lists): 11 plans
    with a version and an assignment, 11 runs each with a statement of rep (in
    R1-A1-G1) with a line, an adjustment and a dispute."""
    from gridsales.incentives.models import (
        Adjustment,
        CommissionRun,
        Dispute,
        IncentivePlan,
        IncentivePlanVersion,
        PlanAssignment,
        Statement,
        StatementLine,
    )

    rep, finance = world.users["rep"], world.users["finance"]
    zero = Decimal("0.00")
    for i in range(11):
        plan = IncentivePlan.objects.create(code=f"CROWD-{i}", name=f"crowd {i}")
        version = IncentivePlanVersion.objects.create(
            plan=plan, number=1, effective_from="2025-01", definition=ISSUE_PLAN, created_by=finance
        )
        PlanAssignment.objects.create(plan=plan, role="rep", valid_from="2025-01")
        run = CommissionRun.objects.create(period=f"2025-{i + 1:02d}", approved_by=finance)
        statement = Statement.objects.create(
            run=run,
            rep=rep,
            grid=world.grids["R1-A1-G1"],
            plan_version=version,
            base=zero,
            tier_commission=zero,
            bonus=zero,
            cap_adjustment=zero,
            clawback=zero,
            total=zero,
        )
        line = StatementLine.objects.create(
            statement=statement, position=1, kind="bonus", amount_fen=0, template="x", params={}
        )
        Adjustment.objects.create(run=run, rep=rep, amount=zero, reason="x", created_by=finance)
        Dispute.objects.create(
            statement=statement, line=line, line_text="x", message="x", raised_by=rep
        )
