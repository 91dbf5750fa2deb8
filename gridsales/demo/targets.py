"""The demo's revenue target plan for this year: approved, split down the grid tree and
over the months, so that attainment (dashboards, rankings, commissions) has numbers."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from gridsales.analytics.models import SalesMonth
from gridsales.targets.choices import Metric, ReferenceSource
from gridsales.targets.models import TargetPlan
from gridsales.targets.services import (
    target_plan_approve,
    target_plan_create,
    target_plan_submit,
)
from gridsales.targets.versioning import target_plan_split

GROWTH = Decimal("1.15")  # this year's target: last year's revenue + 15 %
ROUND_TO = Decimal("10000")


def build_targets() -> TargetPlan | None:
    """Split last year's revenue + 15 % (rounded to 10,000 yuan) over the grids in
    proportion to their customers, and over the months flat; approve it. None when the
    demo has no sales last year."""
    year = timezone.localdate().year
    last = SalesMonth.objects.filter(month__year=year - 1).aggregate(
        sales=Sum("sales"), returned=Sum("returned")
    )
    revenue = (last["sales"] or 0) - (last["returned"] or 0)
    if revenue <= 0:
        return None
    total = (Decimal(revenue) * GROWTH / ROUND_TO).quantize(Decimal(1), ROUND_HALF_UP) * ROUND_TO
    plan = target_plan_create(
        code=f"revenue-{year}",
        name=f"{year}年销售目标",
        metric=Metric.REVENUE,
        year=year,
        total=total,
        reference_source=ReferenceSource.CUSTOMER_COUNT,
    )
    target_plan_split(plan=plan, note="演示数据")
    target_plan_submit(plan=plan)
    return target_plan_approve(plan=plan)
