"""Deals: creation (grid, state, first history row), updates, moves, closing, deleting."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridsales.activities.models import Activity
from gridsales.customers.models import CustomerGridAssignment
from gridsales.sales import opportunities, pipelines
from gridsales.sales.models import Opportunity, OpportunityStageChange
from gridsales.sales.tests.factories import OpportunityFactory, stage_at


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


@pytest.fixture
def deal(world):
    return OpportunityFactory(
        name="年度饮料采购",
        customer=world.customers["CUS-G1"],
        owner=world.users["rep"],
        amount=D("12345.67"),
        user=world.users["rep"],
    )


def history(deal) -> list[tuple]:
    return list(
        deal.stage_changes.order_by("changed_at", "pk").values_list(
            "from_stage__name", "to_stage__name", "user_name"
        )
    )


def test_a_new_deal_starts_in_the_first_open_stage_of_the_default_pipeline(deal, world):
    assert (deal.pipeline.code, deal.stage.name, deal.state) == ("standard", "线索", "open")
    assert deal.grid == world.grids["R1-A1-G1"]  # the customer's grid
    assert deal.closed_on is None
    assert abs((timezone.now() - deal.created_at).total_seconds()) < 60
    change = deal.stage_changes.get()
    assert (change.from_stage, change.to_stage, change.user) == (
        None,
        stage_at(1),
        world.users["rep"],
    )
    assert change.changed_at == deal.created_at


def test_a_deal_created_in_the_past_takes_the_customers_grid_of_that_day(world):
    customer = world.customers["CUS-G1"]
    CustomerGridAssignment.objects.filter(customer=customer).update(valid_from=at("2026-01-01"))
    CustomerGridAssignment.objects.create(
        customer=customer,
        grid=world.grids["R2-A1-G1"],
        valid_from=at("2025-01-01"),
        valid_to=at("2026-01-01"),
        reason="manual",
    )
    old = OpportunityFactory(customer=customer, created_at=at("2025-06-01"), stage=stage_at(3))
    assert old.grid == world.grids["R2-A1-G1"]
    assert old.created_at == at("2025-06-01")
    assert old.stage_changes.get().changed_at == at("2025-06-01")
    new = OpportunityFactory(customer=customer)
    assert new.grid == world.grids["R1-A1-G1"]


def test_a_deal_of_a_customer_without_grid_has_no_grid(world):
    deal = OpportunityFactory(customer=world.customers["CUS-NOGRID"])
    assert deal.grid is None


def test_a_deal_created_lost_needs_a_reason_and_is_closed_that_day(world):
    with pytest.raises(ValidationError) as caught:
        OpportunityFactory(customer=world.customers["CUS-G1"], stage=stage_at(6))
    assert caught.value.message_dict == {
        "loss_reason": [
            "Give a loss reason: “输单” marks the deal as lost, and the reason is what the team "
            "learns from."
        ]
    }
    deal = OpportunityFactory(
        customer=world.customers["CUS-G1"],
        stage=stage_at(6),
        loss_reason=" 价格太高 ",
        created_at=at("2026-02-03"),
    )
    assert (deal.state, deal.closed_on, deal.loss_reason) == (
        "lost",
        dt.date(2026, 2, 3),
        "价格太高",
    )


def test_a_stage_and_a_pipeline_must_match(world):
    other = pipelines.pipeline_create(code="KA", name="大客户流程")
    with pytest.raises(ValidationError) as caught:
        OpportunityFactory(customer=world.customers["CUS-G1"], pipeline=other, stage=stage_at(2))
    assert caught.value.message_dict == {
        "stage": [
            "Stage “需求确认” belongs to pipeline “标准销售流程”, not to the deal's pipeline "
            "“大客户流程”: choose one of its stages."
        ]
    }


def test_a_move_is_recorded_with_from_to_when_and_who(deal, world):
    before = timezone.now()
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(3), user=world.users["gridmanager"]
    )
    deal.refresh_from_db()
    assert (deal.stage.name, deal.state, deal.closed_on) == ("方案报价", "open", None)
    assert history(deal) == [(None, "线索", "rep"), ("线索", "方案报价", "gridmanager")]
    last = deal.stage_changes.order_by("pk").last()
    assert last.changed_at >= before
    assert last.user == world.users["gridmanager"]


def test_moving_to_the_stage_it_is_in_changes_nothing(deal, world):
    opportunities.opportunity_move(opportunity=deal, stage=stage_at(1), user=world.users["rep"])
    assert deal.stage_changes.count() == 1


def test_winning_closes_the_deal_today(deal, world):
    opportunities.opportunity_move(opportunity=deal, stage=stage_at(5), user=world.users["rep"])
    deal.refresh_from_db()
    assert (deal.state, deal.closed_on) == ("won", timezone.localdate())


def test_losing_needs_a_reason(deal, world):
    with pytest.raises(ValidationError) as caught:
        opportunities.opportunity_move(
            opportunity=deal, stage=stage_at(6), user=world.users["rep"], loss_reason="  "
        )
    assert caught.value.message_dict == {
        "loss_reason": [
            "Give a loss reason: “输单” marks the deal as lost, and the reason is what the team "
            "learns from."
        ]
    }
    deal.refresh_from_db()
    assert (deal.stage.name, deal.state) == ("线索", "open")
    assert deal.stage_changes.count() == 1
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(6), user=world.users["rep"], loss_reason="预算取消"
    )
    deal.refresh_from_db()
    assert (deal.state, deal.closed_on, deal.loss_reason) == (
        "lost",
        timezone.localdate(),
        "预算取消",
    )


def test_reopening_a_lost_deal_clears_its_close_date_and_reason(deal, world):
    rep = world.users["rep"]
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(6), user=rep, loss_reason="预算取消"
    )
    opportunities.opportunity_move(opportunity=deal, stage=stage_at(2), user=rep)
    deal.refresh_from_db()
    assert (deal.state, deal.closed_on, deal.loss_reason) == ("open", None, "")
    assert history(deal)[-1] == ("输单", "需求确认", "rep")


def test_a_deal_moves_only_within_its_pipeline(deal, world):
    other = pipelines.pipeline_create(code="KA", name="大客户流程")
    with pytest.raises(ValidationError) as caught:
        opportunities.opportunity_move(
            opportunity=deal, stage=other.stages.get(position=2), user=world.users["rep"]
        )
    assert caught.value.message_dict == {
        "stage": [
            "Stage “需求确认” belongs to pipeline “大客户流程”, not to the deal's pipeline "
            "“标准销售流程”: choose one of its stages."
        ]
    }


def test_a_move_can_be_dated_for_imports_and_the_demo(deal, world):
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(5), user=None, moved_at=at("2026-03-04", 15)
    )
    deal.refresh_from_db()
    assert deal.closed_on == dt.date(2026, 3, 4)
    last = deal.stage_changes.order_by("pk").last()
    assert (last.changed_at, last.user, last.user_name) == (at("2026-03-04", 15), None, "system")


def test_an_update_changes_fields_but_never_the_stage(deal, world):
    opportunities.opportunity_update(
        opportunity=deal,
        name="年度饮料采购（二期）",
        amount=D("20000.10"),
        expected_close=dt.date(2026, 12, 31),
        stage=stage_at(5),
        competitor="农夫山泉",
    )
    deal.refresh_from_db()
    assert (deal.name, deal.amount, deal.expected_close, deal.competitor) == (
        "年度饮料采购（二期）",
        D("20000.10"),
        dt.date(2026, 12, 31),
        "农夫山泉",
    )
    assert deal.stage == stage_at(1)


def test_only_a_lost_deal_has_a_loss_reason_and_it_cannot_be_blanked(deal, world):
    opportunities.opportunity_update(opportunity=deal, loss_reason="不该保存")
    deal.refresh_from_db()
    assert deal.loss_reason == ""  # an open deal has none
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(6), user=None, loss_reason="价格"
    )
    with pytest.raises(ValidationError) as caught:
        opportunities.opportunity_update(opportunity=deal, loss_reason="")
    assert list(caught.value.message_dict) == ["loss_reason"]
    opportunities.opportunity_update(opportunity=deal, loss_reason="价格高于竞品 8%")
    deal.refresh_from_db()
    assert deal.loss_reason == "价格高于竞品 8%"


def test_a_new_customer_brings_its_grid(deal, world):
    opportunities.opportunity_update(opportunity=deal, customer=world.customers["CUS-R2"])
    deal.refresh_from_db()
    assert deal.grid == world.grids["R2-A1-G1"]


def test_a_negative_amount_is_refused(world):
    with pytest.raises(ValidationError) as caught:
        OpportunityFactory(customer=world.customers["CUS-G1"], amount=D("-1.00"))
    assert caught.value.message_dict == {
        "amount": ["Ensure this value is greater than or equal to 0."]
    }


def test_deleting_a_deal_removes_its_history_and_unlinks_its_activities(deal, world):
    activity = Activity.objects.create(
        type="visit",
        subject="拜访",
        customer=deal.customer,
        owner=world.users["rep"],
        opportunity=deal,
    )
    opportunities.opportunity_delete(opportunity=deal)
    assert not Opportunity.objects.filter(pk=deal.pk).exists()
    assert not OpportunityStageChange.objects.filter(opportunity_id=deal.pk).exists()
    activity.refresh_from_db()
    assert activity.opportunity is None
