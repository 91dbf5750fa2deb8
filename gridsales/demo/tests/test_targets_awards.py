"""The demo's target plan, status history and awards: attainment and recognition have
numbers from the first login."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from gridsales.accounts.choices import Role
from gridsales.analytics.models import SalesMonth
from gridsales.customers.models import Customer, CustomerStatusChange
from gridsales.grids.models import Grid
from gridsales.recognition.models import Award, AwardType
from gridsales.targets.choices import PlanStatus
from gridsales.targets.models import TargetLine, TargetPlan

pytestmark = pytest.mark.django_db


def test_this_years_revenue_plan_is_approved_and_adds_up(demo):
    year = timezone.localdate().year
    plan = TargetPlan.objects.get(code=f"revenue-{year}")
    assert plan.status == PlanStatus.APPROVED
    last = SalesMonth.objects.filter(month__year=year - 1).aggregate(
        s=Sum("sales"), r=Sum("returned")
    )
    revenue = last["s"] - last["r"]
    # Last year's revenue + 15 %, rounded to 10,000 yuan.
    assert plan.total % 10000 == 0
    assert abs(plan.total - revenue * Decimal("1.15")) <= 5000
    version = plan.versions.order_by("-number").first()
    root = Grid.objects.get(parent=None)
    months = TargetLine.objects.filter(
        version=version, grid=root, user=None, period_kind="month"
    ).aggregate(total=Sum("amount"))
    assert months["total"] == plan.total  # the months add up to the year, to the fen
    reps = TargetLine.objects.filter(version=version, user__isnull=False, period_kind="month")
    assert reps.exists()


def test_every_customer_has_its_creation_status(demo):
    assert CustomerStatusChange.objects.filter(previous="").count() == Customer.objects.count()
    assert not Customer.objects.exclude(status_changes__previous="").exists()


def test_the_rules_gave_awards_to_reps_once_each(demo):
    assert AwardType.objects.count() == 4
    awards = list(Award.objects.select_related("rep", "award_type"))
    assert awards, "the rules gave nothing"
    assert all(a.rep.role == Role.REP for a in awards)
    keys = [(a.award_type_id, a.rep_id, a.period) for a in awards]
    assert len(keys) == len(set(keys))
    monthly = [a for a in awards if a.award_type.code == "monthly-champion"]
    assert len({a.period for a in monthly}) == len(monthly)  # one champion a month
