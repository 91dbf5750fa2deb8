"""The team pool and the draw in the product's commission runs: memberships and their
shares, hire dates and balances carried from approved runs; statements, pages and XLSX."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from gridsales.incentives import services
from gridsales.incentives.models import CommissionRun, IncentivePlan, Statement
from gridsales.incentives.tests.factories import PERIOD, incentive_world
from gridsales.incentives.tests.test_calculator import ISSUE_PLAN

LONG_AGO = datetime.date(2025, 1, 1)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def _rules(**extra) -> None:
    """A version of the issue's plan with `extra`, in force from March."""
    plan = IncentivePlan.objects.get(code="ISSUE-PLAN")
    services.incentive_plan_version_create(
        plan=plan, definition={**ISSUE_PLAN, **extra}, effective_from=PERIOD
    )


def _pool_world(world) -> None:
    """rep (share 60) and outsider (share 30) in R1-A1-G1, rep2 (100) in R2-A1-G1, all
    since 2025; every March line carries its customer's grid."""
    from gridsales.sales.models import OrderLine
    from gridsales.team.models import Membership
    from gridsales.team.tests.factories import MembershipFactory

    incentive_world(world)
    Membership.objects.filter(user__username__in=["rep", "rep2"]).update(valid_from=LONG_AGO)
    Membership.objects.filter(user__username="rep").update(share_pct=Decimal("60"))
    MembershipFactory(
        user=world.users["outsider"],
        grid=world.grids["R1-A1-G1"],
        share_pct=Decimal("30"),
        valid_from=LONG_AGO,
    )
    OrderLine.objects.filter(rep=world.users["rep"]).update(grid=world.grids["R1-A1-G1"])
    OrderLine.objects.filter(rep=world.users["rep2"]).update(grid=world.grids["R2-A1-G1"])


def _statement(world, username, period=PERIOD) -> Statement:
    return Statement.objects.get(run__period=period, rep=world.users[username])


def _recalculate(period=PERIOD) -> CommissionRun:
    return services.commission_run_calculate(run=CommissionRun.objects.get(period=period))


def test_the_grid_pool_is_split_by_membership_share(world):
    _pool_world(world)
    _rules(team_pool={"rate": "0.005"})
    run = _recalculate()
    # R1-A1-G1 sold 125,000.00 in March (the cancelled line and rep's February line do not
    # count): a pool of 625.00; rep 60/90 = 416.666… and outsider 30/90 = 208.333…;
    # the fen left over goes to the larger remainder (rep).
    rep, outsider, rep2 = (_statement(world, u) for u in ("rep", "outsider", "rep2"))
    assert (rep.pool, outsider.pool, rep2.pool) == (
        Decimal("416.67"),
        Decimal("208.33"),
        Decimal("45.00"),  # R2-A1-G1: 0.5% of 9,000.00, rep2 alone
    )
    assert rep.total == Decimal("8352.67")  # 7,936.00 + 416.67
    assert (outsider.total, outsider.grid) == (Decimal("208.33"), world.grids["R1-A1-G1"])
    assert run.total == Decimal("8352.67") + Decimal("208.33") + Decimal("45.00")
    line = rep.lines.get(kind="pool")
    assert (line.base, line.amount, line.rate) == (
        Decimal("625.00"),
        Decimal("416.67"),
        Decimal("0.6666666667"),
    )
    assert line.explanation == (
        "Team pool of grid R1-A1-G1: the grid sold 125000.00 in 2026-03; 0.5% of it is a "
        "pool of 625.00, split by membership share: 60 of the 90 share points of the grid's reps = "
        "416.67."
    )
    # The grid manager's membership is not a rep's: not in the pool.
    assert not Statement.objects.filter(run=run, rep=world.users["gridmanager"]).exists()


def test_the_pool_is_paid_above_the_cap(world):
    _pool_world(world)
    _rules(team_pool={"rate": "0.005"}, cap="6000.00")
    _recalculate()
    rep = _statement(world, "rep")
    # 3,136.00 + 5,000.00 capped at 6,000.00 (−2,136.00); pool 416.67; clawback −200.00.
    assert (rep.cap_adjustment, rep.pool, rep.total) == (
        Decimal("-2136.00"),
        Decimal("416.67"),
        Decimal("6216.67"),
    )


def _hire(world, username, day) -> None:
    from gridsales.team.models import RepProfile

    RepProfile.objects.update_or_create(user=world.users[username], defaults={"hire_date": day})


def _april_order(world) -> None:
    from gridsales.incentives.tests.factories import _line, _order
    from gridsales.sales.models import OrderLine, Product

    std = Product.objects.get(code="STD-1")
    _order(
        "SO-A1",
        world.customers["CUS-R2"],
        world.users["rep2"],
        datetime.date(2026, 4, 10),
        [_line(std, "50000")],
    )
    OrderLine.objects.filter(order__number="SO-A1").update(grid=world.grids["R2-A1-G1"])


def test_a_recoverable_draw_is_paid_then_recovered_from_the_next_approved_month(world):
    _pool_world(world)
    _rules(
        team_pool={"rate": "0.005"},
        draw={"amount": "3000.00", "months": 1, "recoverable": True},
    )
    _hire(world, "rep2", datetime.date(2026, 3, 1))
    _recalculate()
    rep2 = _statement(world, "rep2")
    # March is rep2's first month: pool 45.00, topped up to 3,000.00.
    assert (rep2.pool, rep2.draw, rep2.total, rep2.draw_balance) == (
        Decimal("45.00"),
        Decimal("2955.00"),
        Decimal("3000.00"),
        Decimal("2955.00"),
    )
    assert rep2.lines.get(kind="draw").explanation == (
        "Draw: month 1 of the 1 guaranteed months after hiring on 2026-03-01. The total so "
        "far, 45.00, is below the guaranteed 3000.00, so 2955.00 tops it up. The draw is "
        "recoverable: it is taken back from later months' earnings (outstanding now: 2955.00)."
    )
    # April: rep2's pool of 0.5% × 50,000.00 = 250.00. While March is only calculated,
    # its balance is not carried.
    _april_order(world)
    april = services.commission_run_create(period="2026-04")
    services.commission_run_calculate(run=april)
    assert _statement(world, "rep2", "2026-04").total == Decimal("250.00")
    services.commission_run_approve(run=CommissionRun.objects.get(period=PERIOD), user=None)
    services.commission_run_calculate(run=april)
    rep2 = _statement(world, "rep2", "2026-04")
    assert (rep2.pool, rep2.draw_recovery, rep2.total, rep2.draw_balance) == (
        Decimal("250.00"),
        Decimal("-250.00"),
        Decimal("0.00"),
        Decimal("2705.00"),
    )
    assert rep2.lines.get(kind="draw_recovery").explanation == (
        "Draw recovery: 2955.00 of draws paid earlier is outstanding; 250.00 is recovered "
        "from this month's 250.00, never below zero (outstanding now: 2705.00)."
    )


def test_a_non_recoverable_draw_leaves_no_balance(world):
    incentive_world(world)
    _rules(draw={"amount": "3000.00", "months": 3, "recoverable": False})
    _hire(world, "rep2", datetime.date(2026, 1, 15))
    _hire(world, "outsider", datetime.date(2026, 3, 31))
    _recalculate()
    rep2, outsider = _statement(world, "rep2"), _statement(world, "outsider")
    # rep2 (month 3, no target: 0.00) and outsider (hired on the last day of March, no
    # sales) get the whole guarantee; nothing is outstanding.
    assert (rep2.draw, rep2.total, rep2.draw_balance) == (
        Decimal("3000.00"),
        Decimal("3000.00"),
        Decimal("0.00"),
    )
    assert (outsider.draw, outsider.total) == (Decimal("3000.00"), Decimal("3000.00"))
    assert _statement(world, "rep").draw == Decimal("0.00")  # no hire date


def test_the_statement_page_and_xlsx_show_pool_and_draw(world):
    from openpyxl import load_workbook

    _pool_world(world)
    _rules(
        team_pool={"rate": "0.005"},
        draw={"amount": "3000.00", "months": 1, "recoverable": True},
    )
    _hire(world, "rep2", datetime.date(2026, 3, 1))
    run = _recalculate()
    client = Client()
    client.force_login(world.users["rep2"])
    statement = _statement(world, "rep2")
    page = client.get(f"/incentives/statements/{statement.pk}/").content.decode()
    assert 'data-testid="pool">45.00<' in page
    assert 'data-testid="draw">2955.00<' in page
    assert 'data-testid="draw-balance">2955.00<' in page
    assert "Team pool of grid R2-A1-G1" in page
    assert "so 2955.00 tops it up" in page
    content = client.get(f"/incentives/statements/{statement.pk}/export.xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert [(r[0], r[6]) for r in rows[1:]] == [
        ("Order line", 0.0),
        ("Team pool", 45.0),
        ("Draw", 2955.0),
    ]
    finance = Client()
    finance.force_login(world.users["finance"])
    content = finance.get(f"/incentives/runs/{run.pk}/export.xlsx").content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = rows[0]
    by_rep = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert (by_rep["rep2"]["Team pool"], by_rep["rep2"]["Draw"]) == (45.0, 2955.0)
    assert by_rep["rep2"]["Draw outstanding"] == 2955.0
    payroll = finance.get(f"/incentives/runs/{run.pk}/payroll.csv").content.decode("utf-8-sig")
    rows = [line.split(",") for line in payroll.splitlines()[1:]]
    assert [(r[1], r[4], r[5]) for r in rows] == [
        ("outsider", "R1-A1-G1", "208.33"),
        ("rep", "R1-A1-G1", "8352.67"),
        ("rep2", "R2-A1-G1", "3000.00"),  # the draw is paid with the rest
    ]


def test_the_api_statement_shows_the_new_columns(world, api):
    _pool_world(world)
    _rules(team_pool={"rate": "0.005"})
    _recalculate()
    body = api("rep").get(f"/api/v1/statements/{_statement(world, 'rep').pk}/").json()
    assert (body["pool"], body["draw"], body["draw_balance"], body["total"]) == (
        "416.67",
        "0.00",
        "0.00",
        "8352.67",
    )
    first, pool = body["lines"][0], body["lines"][4]
    assert (first["order_no"], first["line_no"], first["base"], first["rate"]) == (
        "SO-1",
        1,
        "60000.00",
        "0.0224000000",
    )
    assert (first["multiplier"], first["amount"]) == ("1.0000", "1344.00")
    assert (pool["kind"], pool["amount"], pool["order_no"]) == ("pool", "416.67", "")
