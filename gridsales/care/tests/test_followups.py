import datetime as dt

import pytest
from django.utils import timezone

from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.care.choices import FollowUpTrigger
from gridsales.care.followups import FollowUpEvent, followups_schedule
from gridsales.care.models import FollowUpRule

TODAY = dt.date(2026, 3, 31)


@pytest.fixture
def rules(world):
    FollowUpRule.objects.create(
        name="订单回访",
        trigger=FollowUpTrigger.ORDER,
        delay_days=7,
        activity_type=ActivityType.CALL,
    )
    FollowUpRule.objects.create(
        name="重点客户拜访回访",
        trigger=FollowUpTrigger.VISIT,
        delay_days=3,
        activity_type=ActivityType.VISIT,
        tiers=["A"],
    )
    return world


def order_event(world, code="CUS-G1", on=TODAY, order_id=None):
    customer = world.customers[code]
    return FollowUpEvent(
        trigger=FollowUpTrigger.ORDER,
        customer_id=customer.pk,
        owner_id=world.users["rep"].pk,
        on=on,
        order_id=order_id,
    )


def test_an_order_plans_a_follow_up_call_delay_days_later_for_the_rep(rules):
    assert followups_schedule(events=[order_event(rules)], today=TODAY) == 1
    follow_up = Activity.objects.get()
    assert (follow_up.type, follow_up.status, follow_up.purpose) == (
        ActivityType.CALL,
        ActivityStatus.PLANNED,
        ActivityPurpose.FOLLOW_UP,
    )
    assert timezone.localtime(follow_up.planned_at).date() == dt.date(2026, 4, 7)
    assert follow_up.owner == rules.users["rep"]
    assert follow_up.grid == rules.grids["R1-A1-G1"]
    assert "订单回访" in follow_up.subject and "客户 CUS-G1" in follow_up.subject


def test_a_rule_limited_to_tiers_skips_other_tiers(rules):
    world = rules
    visit_a = FollowUpEvent(
        trigger=FollowUpTrigger.VISIT,
        customer_id=world.customers["CUS-G1"].pk,  # tier A
        owner_id=world.users["rep"].pk,
        on=TODAY,
    )
    visit_b = FollowUpEvent(
        trigger=FollowUpTrigger.VISIT,
        customer_id=world.customers["CUS-G2"].pk,  # tier B
        owner_id=world.users["rep"].pk,
        on=TODAY,
    )
    assert followups_schedule(events=[visit_a, visit_b], today=TODAY) == 1
    assert Activity.objects.get().customer == world.customers["CUS-G1"]


def test_past_follow_ups_are_not_planned_and_inactive_rules_do_nothing(rules):
    old = order_event(rules, on=TODAY - dt.timedelta(days=8))
    assert followups_schedule(events=[old], today=TODAY) == 0
    assert (
        followups_schedule(
            events=[order_event(rules, on=TODAY - dt.timedelta(days=7))], today=TODAY
        )
        == 1
    )
    FollowUpRule.objects.update(is_active=False)
    assert followups_schedule(events=[order_event(rules, code="CUS-R2")], today=TODAY) == 0


def test_the_same_event_never_gets_the_same_follow_up_twice(rules):
    from gridsales.sales.choices import OrderLineStatus
    from gridsales.sales.models import Order

    world = rules
    order = Order.objects.create(
        number="SO-1",
        order_date=TODAY,
        customer=world.customers["CUS-G1"],
        rep=world.users["rep"],
        status=OrderLineStatus.CONFIRMED,
    )
    event = order_event(world, order_id=order.pk)
    assert followups_schedule(events=[event, event], today=TODAY) == 1
    assert followups_schedule(events=[event], today=TODAY) == 0
    assert Activity.objects.get().origin_order == order
