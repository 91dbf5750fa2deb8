"""Issue 6's "done when", as one story in a real Chromium: a regional manager finds the
three worst grids by attainment in two clicks (dashboard → ranking sorted ascending), sees
why (win rate, funnel, cycle, coverage), exports the table, and the exported numbers match
a recomputation from the raw order lines, deals and targets."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from gridsales.analytics.tests.factories import moment
from gridsales.core.tests.test_browser import ARTIFACTS, browser, live_world, log_in  # noqa: F401
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import GridFactory, square
from gridsales.sales import opportunities, orders
from gridsales.sales.models import Opportunity, OrderLine
from gridsales.sales.tests.factories import OpportunityFactory, ProductFactory, stage_at
from gridsales.targets.models import TargetLine, TargetPlan, TargetPlanVersion

pytestmark = pytest.mark.browser

# grid: (revenue, target, deals won, deals lost) this month
PLAN = {
    "R1-A1-G1": (100, 1000, 0, 2),
    "R1-A1-G2": (300, 1000, 1, 1),
    "R1-A1-G3": (500, 1000, 2, 0),
    "R1-A1-G4": (200, 1000, 1, 2),
    "R1-A1-G5": (900, 1000, 3, 1),
    "R1-A1-G6": (1200, 1000, 1, 0),
}
WORST = ["R1-A1-G1", "R1-A1-G4", "R1-A1-G2"]  # attainment 10 %, 20 %, 30 %


def build_month(world) -> dt.date:
    today = timezone.localdate()
    first = today.replace(day=1)
    label = first.strftime("%Y-%m")
    for n, code in enumerate(PLAN):
        if code not in world.grids:
            world.grids[code] = GridFactory(
                code=code, name=f"网格 {code}", parent=world.grids["R1-A1"]
            )
        grid_update(grid=world.grids[code], geometry=square(121.0 + n * 0.1, 31.0))
    product = ProductFactory(code="STORY-P")
    plan = TargetPlan.objects.create(
        code="STORY", name="story", year=first.year, total=Decimal("6000"), status="approved"
    )
    version = TargetPlanVersion.objects.create(
        plan=plan, number=1, kind="split", total=Decimal("6000")
    )
    for n, (code, (revenue, target, won, lost)) in enumerate(PLAN.items()):
        grid = world.grids[code]
        customer = CustomerFactory(code=f"STORY-{n}", current_grid=grid, owner=world.users["rep"])
        orders.order_create(
            number=f"STORY-O{n}",
            order_date=first,
            customer=customer,
            rep=world.users["rep"],
            lines=[{"product": product, "quantity": Decimal(1), "unit_price": Decimal(revenue)}],
        )
        TargetLine.objects.create(
            version=version, grid=grid, period_kind="month", period=label, amount=Decimal(target)
        )
        for i, stage in enumerate([stage_at(5)] * won + [stage_at(6)] * lost):
            deal = OpportunityFactory(
                customer=customer, created_at=moment(first - dt.timedelta(days=10 + i))
            )
            opportunities.opportunity_move(
                opportunity=deal,
                stage=stage,
                user=world.users["rep"],
                loss_reason="价格" if stage.kind == "lost" else "",
                moved_at=moment(first, 0, 30),
            )
        OpportunityFactory(customer=customer, stage=stage_at(3), created_at=moment(first))
    return first


def recomputed(first: dt.date, code: str) -> dict[str, str]:
    """revenue, attainment and win rate of a grid from the raw facts (docs/kpis.md)."""
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    lines = OrderLine.objects.exclude(status="cancelled").filter(grid__code=code)
    sold = lines.filter(order_date__range=(first, last)).aggregate(s=Sum("amount"))["s"] or 0
    back = (
        lines.filter(return_date__range=(first, last)).aggregate(s=Sum("returned_amount"))["s"] or 0
    )
    revenue = Decimal(sold) - Decimal(back)
    target = TargetLine.objects.get(grid__code=code, period=first.strftime("%Y-%m")).amount
    closed = Opportunity.objects.filter(grid__code=code, closed_on__range=(first, last))
    won = closed.filter(state="won").count()
    lost = closed.filter(state="lost").count()
    four = Decimal("0.0001")
    return {
        "revenue": str(revenue.quantize(Decimal("0.01"))),
        "attainment": str((revenue / target).quantize(four, rounding=ROUND_HALF_UP)),
        "win_rate": str((Decimal(won) / (won + lost)).quantize(four, rounding=ROUND_HALF_UP)),
    }


def test_a_regional_manager_finds_the_worst_grids_and_exports_them(
    browser,  # noqa: F811
    live_server,
    live_world,  # noqa: F811
):
    first = build_month(live_world)
    context = browser.new_context(
        locale="en-US", viewport={"width": 1366, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    log_in(page, live_server.url, "regional")

    # Click 1: the dashboard (the region, this month, its grids ranked).
    page.get_by_test_id("nav-dashboard").click()
    page.wait_for_selector("[data-testid=ranking-table]")
    assert "Region dashboard" in page.get_by_test_id("dashboard-title").inner_text()
    # Click 2: sort by attainment, ascending (worst first).
    page.get_by_test_id("sort-attainment").click()
    page.wait_for_url("**sort=attainment**")
    rows = page.locator("[data-testid=ranking-table] tbody tr")
    keys = [rows.nth(i).get_attribute("data-key") for i in range(3)]
    assert keys == WORST
    cells = rows.nth(0).locator("td[data-metric=attainment]").inner_text()
    assert cells == "10.0 %"
    assert rows.nth(0).locator("td[data-metric=win_rate]").inner_text() == "0.0 %"
    # The map: the six grids coloured by attainment, with the quantile legend.
    page.wait_for_selector("[data-testid=dashboard-map] path.grid-shape")
    assert page.locator("[data-testid=dashboard-map] path.grid-shape").count() == 6
    assert "Attainment" in page.locator(".map-legend").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-worst-grids.png"), full_page=True)

    # The table exported as it is shown (sorted), numbers recomputed from the raw facts.
    with page.expect_download() as download:
        page.get_by_test_id("ranking-export-csv").click()
    path = download.value.path()
    with open(path, encoding="utf-8-sig") as handle:
        exported = list(csv.DictReader(handle))
    assert [row["grid"] for row in exported[:3]] == WORST
    for row in exported:
        facts = recomputed(first, row["grid"])
        assert {k: row[k] for k in facts} == facts, row["grid"]

    # Why: the worst grid's own dashboard — funnel, sales cycle, coverage.
    page.locator("[data-testid=ranking-table] tbody tr").nth(0).get_by_test_id("drill").click()
    page.wait_for_selector("[data-testid=funnel-table]")
    assert "Grid dashboard" in page.get_by_test_id("dashboard-title").inner_text()
    assert "0 won, 2 lost" in page.get_by_test_id("funnel-closed").inner_text()
    assert page.locator("[data-testid=funnel-table] tbody tr").count() == 1
    page.wait_for_selector("#funnel-chart canvas")
    for metric in ("avg_cycle_days", "visit_coverage", "win_rate"):
        assert page.get_by_test_id(f"card-{metric}").is_visible()
    assert page.get_by_test_id("card-win_rate").get_by_test_id("value").inner_text() == "0.0 %"
    page.screenshot(path=str(ARTIFACTS / "dashboard-grid-why.png"), full_page=True)
    context.close()
