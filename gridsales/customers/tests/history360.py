"""A customer's history for the customer 360 tests: orders with lines, deals with stage
moves, activities, surveys — written straight to the tables, as the apps' services leave
them, so these tests do not depend on those services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from gridsales.activities.choices import ActivityStatus, ActivityType, CheckInFlag
from gridsales.activities.models import Activity
from gridsales.care.choices import SurveyChannel, SurveyStatus
from gridsales.care.models import Survey, SurveyTemplate
from gridsales.customers.models import CustomerGridAssignment
from gridsales.sales.choices import OrderLineStatus, StageKind
from gridsales.sales.models import (
    Opportunity,
    OpportunityStageChange,
    Order,
    OrderLine,
    Pipeline,
    Product,
    Stage,
)

CONFIRMED, CANCELLED, RETURNED = (
    OrderLineStatus.CONFIRMED,
    OrderLineStatus.CANCELLED,
    OrderLineStatus.RETURNED,
)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_order(customer, number, day, lines, *, rep, grid="customer"):
    """An order with lines [(amount, status, returned amount)], as the order services keep
    it: the order's amount and returns summarise its non-cancelled lines."""
    product, _ = Product.objects.get_or_create(code="C360-P", defaults={"name": "测试产品"})
    grid = customer.current_grid if grid == "customer" else grid
    live = [line for line in lines if line[1] != CANCELLED]
    statuses = {status for _a, status, _r in lines}
    status = (
        RETURNED if RETURNED in statuses else CANCELLED if statuses == {CANCELLED} else CONFIRMED
    )
    order = Order.objects.create(
        number=number,
        order_date=day,
        customer=customer,
        rep=rep,
        grid=grid,
        status=status,
        amount=sum((a for a, _s, _r in live), D(0)),
        returned_amount=sum((r for _a, _s, r in live), D(0)),
    )
    for line_no, (amount, line_status, returned) in enumerate(lines, 1):
        OrderLine.objects.create(
            order=order,
            line_no=line_no,
            product=product,
            quantity=D(1),
            unit_price=amount,
            amount=amount,
            status=line_status,
            returned_amount=returned,
            return_date=day if returned else None,
            order_date=day,
            customer=customer,
            grid=grid,
            rep=rep,
        )
    return order


def make_stages() -> dict[str, Stage]:
    """A pipeline of two open stages, a won and a lost one, by stage name."""
    pipeline = Pipeline.objects.create(code="C360", name="测试流程")
    made = {}
    for position, name, probability, kind in [
        (1, "初步接触", 10, StageKind.OPEN),
        (2, "方案报价", 30, StageKind.OPEN),
        (3, "赢单", 100, StageKind.WON),
        (4, "输单", 0, StageKind.LOST),
    ]:
        made[name] = Stage.objects.create(
            pipeline=pipeline, position=position, name=name, probability=probability, kind=kind
        )
    return made


def make_deal(customer, name, stage, amount, created, *, owner, moves=()):
    """A deal created in its first stage, then moved through `moves` [(stage, when)]."""
    deal = Opportunity.objects.create(
        name=name,
        customer=customer,
        owner=owner,
        pipeline=stage.pipeline,
        stage=stage,
        state=stage.kind,
        amount=amount,
        created_at=created,
    )
    OpportunityStageChange.objects.create(
        opportunity=deal, from_stage=None, to_stage=stage, changed_at=created, user=owner
    )
    previous = stage
    for to_stage, when in moves:
        OpportunityStageChange.objects.create(
            opportunity=deal,
            from_stage=previous,
            to_stage=to_stage,
            changed_at=when,
            user=owner,
            user_name=owner.username,
        )
        previous = to_stage
    if moves:
        Opportunity.objects.filter(pk=deal.pk).update(
            stage=previous,
            state=previous.kind,
            closed_on=None if previous.kind == StageKind.OPEN else moves[-1][1].date(),
        )
    return deal


def make_activity(customer, subject, *, owner, status=ActivityStatus.DONE, when, **extra):
    return Activity.objects.create(
        type=extra.pop("type", ActivityType.VISIT),
        status=status,
        subject=subject,
        customer=customer,
        owner=owner,
        grid=customer.current_grid,
        planned_at=when,
        done_at=when if status == ActivityStatus.DONE else None,
        **extra,
    )


def make_survey(customer, *, sent_by, sent, answered=None, csat=None, nps=None, comment=""):
    template, _ = SurveyTemplate.objects.get_or_create(code="C360-T", defaults={"name": "回访问卷"})
    return Survey.objects.create(
        template=template,
        customer=customer,
        channel=SurveyChannel.LINK,
        status=SurveyStatus.ANSWERED if answered else SurveyStatus.SENT,
        sent_by=sent_by,
        sent_at=sent,
        answered_at=answered,
        csat=csat,
        nps=nps,
        comment=comment,
    )


def make_history(world, stages) -> dict[str, set]:
    """A month of CUS-G1 (and a little of every other customer, which must never show on
    CUS-G1's page). Returns {customer code: {(kind, pk)}} of every timeline event."""
    u, c = world.users, world.customers
    g1 = c["CUS-G1"]
    events: dict[str, set] = {code: set() for code in c}

    def add(code, kind, obj):
        events[code].add((kind, obj.pk))
        return obj

    day = dt.date(2026, 3, 2)
    add(
        "CUS-G1",
        "order",
        make_order(g1, "SO-1", day, [(D("1000.10"), CONFIRMED, D(0))], rep=u["rep"]),
    )
    add(
        "CUS-G1",
        "order",
        make_order(
            g1,
            "SO-2",
            day + dt.timedelta(days=10),
            [
                (D("300.33"), RETURNED, D("100.11")),
                (D("200.05"), CANCELLED, D(0)),
            ],
            rep=u["rep"],
        ),
    )
    # Recorded in another region and credited to rep2: still part of CUS-G1's story.
    add(
        "CUS-G1",
        "order",
        make_order(
            g1,
            "SO-3",
            day + dt.timedelta(days=20),
            [(D("0.01"), CONFIRMED, D(0))],
            rep=u["rep2"],
            grid=world.grids["R2-A1-G1"],
        ),
    )
    add(
        "CUS-G1",
        "order",
        make_order(
            g1, "SO-4", day + dt.timedelta(days=25), [(D("999"), CANCELLED, D(0))], rep=u["rep"]
        ),
    )
    won = make_deal(
        g1,
        "二期扩容",
        stages["初步接触"],
        D("5000"),
        at(day, 9),
        owner=u["rep"],
        moves=[(stages["方案报价"], at(day, 15)), (stages["赢单"], at(day + dt.timedelta(days=5)))],
    )
    add("CUS-G1", "opportunity", won)
    for change in won.stage_changes.filter(from_stage__isnull=False):
        add("CUS-G1", "stage", change)
    for name, stage, amount in [
        ("年度框架", "方案报价", D("1000.00")),
        ("备件", "初步接触", D("333.33")),
    ]:
        add(
            "CUS-G1",
            "opportunity",
            make_deal(g1, name, stages[stage], amount, at(day, 11), owner=u["rep"]),
        )
    lost = make_deal(
        g1,
        "旧设备",
        stages["初步接触"],
        D("777"),
        at(day, 12),
        owner=u["rep2"],
        moves=[(stages["输单"], at(day, 13))],
    )
    add("CUS-G1", "opportunity", lost)
    add("CUS-G1", "stage", lost.stage_changes.get(from_stage__isnull=False))
    add(
        "CUS-G1",
        "activity",
        make_activity(
            g1,
            "上门拜访",
            owner=u["rep"],
            when=at(day + dt.timedelta(days=3), 14),
            outcome="客户有扩容意向",
            checkin_at=at(day + dt.timedelta(days=3), 14),
            checkin_distance_m=812.4,
            checkin_flags=[CheckInFlag.FAR],
        ),
    )
    add(
        "CUS-G1",
        "activity",
        make_activity(
            g1,
            "电话回访",
            owner=u["gridmanager"],
            when=at(day + dt.timedelta(days=30)),
            type=ActivityType.CALL,
        ),
    )
    old = make_survey(g1, sent_by=u["rep"], sent=at(day, 16), answered=at(day, 18), csat=3, nps=6)
    new = make_survey(
        g1,
        sent_by=u["rep"],
        sent=at(day + dt.timedelta(days=31)),
        answered=at(day + dt.timedelta(days=32)),
        csat=5,
        nps=None,
        comment="服务很好",
    )
    pending = make_survey(g1, sent_by=u["rep"], sent=at(day + dt.timedelta(days=33)))
    for survey in (old, new):
        add("CUS-G1", "survey_answered", survey)
    for survey in (old, new, pending):
        add("CUS-G1", "survey_sent", survey)
    for row in CustomerGridAssignment.objects.all():
        add(row.customer.code, "assignment", row)
    # Every other customer gets one of everything too.
    for code in ("CUS-G2", "CUS-R2", "CUS-NOGRID"):
        other = c[code]
        owner = other.owner or u["gridmanager"]
        add(
            code,
            "order",
            make_order(other, f"SO-{code}", day, [(D("50"), CONFIRMED, D(0))], rep=owner),
        )
        add(code, "activity", make_activity(other, f"拜访 {code}", owner=owner, when=at(day)))
        add(
            code,
            "opportunity",
            make_deal(other, f"商机 {code}", stages["初步接触"], D("10"), at(day), owner=owner),
        )
        survey = make_survey(other, sent_by=owner, sent=at(day), answered=at(day, 11), csat=1)
        add(code, "survey_sent", survey)
        add(code, "survey_answered", survey)
    return events
