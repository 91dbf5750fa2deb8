"""Analytics test helpers: a snapshot of every rollup table, and a small world of facts
with known KPIs (kpi_world)."""

import datetime as dt
from decimal import Decimal as D

from django.utils import timezone

from gridsales.activities.choices import ActivityStatus, ActivityType
from gridsales.activities.services import activity_create
from gridsales.analytics.models import CustomerFirstOrder, CustomerMonth, SalesDay, SalesMonth
from gridsales.analytics.services import rollup_rebuild
from gridsales.care.models import Survey
from gridsales.care.services import survey_record
from gridsales.care.tests.factories import template_with_questions
from gridsales.sales import opportunities, orders
from gridsales.sales.tests.factories import OpportunityFactory, ProductFactory, stage_at


def rollup_snapshot() -> dict[str, list[tuple]]:
    """Every rollup row, without ids, in a stable order."""
    fields = {
        SalesDay: ("day", "grid_id", "rep_id", "sales", "returned", "orders", "lines"),
        SalesMonth: ("month", "grid_id", "rep_id", "sales", "returned", "orders", "lines"),
        CustomerMonth: (
            "month",
            "customer_id",
            "grid_id",
            "rep_id",
            "sales",
            "returned",
            "orders",
            "lines",
        ),
        CustomerFirstOrder: ("customer_id", "day", "grid_id", "rep_id"),
    }
    return {
        model.__name__: sorted(
            model.objects.values_list(*names), key=lambda row: tuple(str(v) for v in row)
        )
        for model, names in fields.items()
    }


def recomputed() -> dict[str, list[tuple]]:
    """What a rebuild from the lines gives (the rollups are rebuilt in place)."""
    rollup_rebuild()
    return rollup_snapshot()


def moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def kpi_world(world) -> dict:
    """The facts of docs/kpis.md's worked example (all amounts in yuan):

    February 2026: O0 CUS-G1 (R1-A1-G1, rep) 02-10, 40.00; 5.00 of it returned 03-03.
    March 2026:
    - O1 CUS-G1 (rep) 03-02: 2 × 50.00 + 1 × 33.33 = 133.33
    - O2 CUS-G1 (rep) 03-10: 3 × 10.00 − 1.50 = 28.50, 10.00 returned 03-20
    - O3 CUS-G2 (R1-A1-G2, regional) 03-05: 200.00, and a cancelled line of 999.00
    - O4 CUS-R2 (R2-A1-G1, rep2) 03-15: 80.00
    - O5 CUS-G2 (regional) 03-20: all cancelled (999.00)
    Deals (CUS-G1, rep): won 03-11 after 10 days, won 03-12 after 20 days, lost 03-13;
    one open deal of 10,000.00 in stage 3 (50 %) at the end of March.
    Activities (CUS-G1, rep): visits done 03-04 10:00 and 03-31 23:30, a call done 03-05,
    a visit done 04-01 00:30 and a planned visit (neither counts in March).
    Surveys answered in March: CUS-G1 CSAT 5 / NPS 10 and 4 / 8 (rep), CUS-G2 2 / 3
    (regional).
    """
    u, c = world.users, world.customers
    product = ProductFactory(code="KPI-P")

    def line(quantity, price, **extra):
        return {"product": product, "quantity": D(quantity), "unit_price": D(price), **extra}

    def order(number, day, customer, rep, lines):
        return orders.order_create(
            number=number, order_date=day, customer=c[customer], rep=u[rep], lines=lines
        )

    made = {
        "O0": order("O0", dt.date(2026, 2, 10), "CUS-G1", "rep", [line("1", "40")]),
        "O1": order(
            "O1", dt.date(2026, 3, 2), "CUS-G1", "rep", [line("2", "50"), line("1", "33.33")]
        ),
        "O2": order(
            "O2", dt.date(2026, 3, 10), "CUS-G1", "rep", [line("3", "10", discount=D("1.50"))]
        ),
        "O3": order(
            "O3",
            dt.date(2026, 3, 5),
            "CUS-G2",
            "regional",
            [line("1", "200"), line("1", "999", status="cancelled")],
        ),
        "O4": order("O4", dt.date(2026, 3, 15), "CUS-R2", "rep2", [line("1", "80")]),
        "O5": order(
            "O5", dt.date(2026, 3, 20), "CUS-G2", "regional", [line("1", "999", status="cancelled")]
        ),
    }
    orders.order_line_return(line=made["O0"].lines.get(), amount=D("5.00"), on=dt.date(2026, 3, 3))
    orders.order_line_return(
        line=made["O2"].lines.get(), amount=D("10.00"), on=dt.date(2026, 3, 20)
    )
    won, lost = stage_at(5), stage_at(6)
    for created, closed, stage in (
        (dt.date(2026, 3, 1), dt.date(2026, 3, 11), won),
        (dt.date(2026, 2, 20), dt.date(2026, 3, 12), won),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 13), lost),
    ):
        deal = OpportunityFactory(customer=c["CUS-G1"], created_at=moment(created))
        opportunities.opportunity_move(
            opportunity=deal,
            stage=stage,
            user=u["rep"],
            loss_reason="价格" if stage == lost else "",
            moved_at=moment(closed),
        )
    OpportunityFactory(
        customer=c["CUS-G1"], stage=stage_at(3), created_at=moment(dt.date(2026, 3, 3))
    )
    for kind, status, at in (
        (ActivityType.VISIT, ActivityStatus.DONE, moment(dt.date(2026, 3, 4))),
        (ActivityType.VISIT, ActivityStatus.DONE, moment(dt.date(2026, 3, 31), 23, 30)),
        (ActivityType.CALL, ActivityStatus.DONE, moment(dt.date(2026, 3, 5))),
        (ActivityType.VISIT, ActivityStatus.DONE, moment(dt.date(2026, 4, 1), 0, 30)),
        (ActivityType.VISIT, ActivityStatus.PLANNED, None),
    ):
        activity_create(
            user=u["rep"],
            customer=c["CUS-G1"],
            owner=u["rep"],
            type=kind,
            status=status,
            done_at=at,
            planned_at=at or moment(dt.date(2026, 3, 6)),
        )
    template = template_with_questions()
    for customer, user, csat, nps, day in (
        ("CUS-G1", "rep", 5, 10, 6),
        ("CUS-G1", "rep", 4, 8, 7),
        ("CUS-G2", "regional", 2, 3, 8),
    ):
        survey = survey_record(
            template=template, customer=c[customer], answers={1: csat, 2: nps}, user=u[user]
        )
        Survey.objects.filter(pk=survey.pk).update(answered_at=moment(dt.date(2026, 3, day)))
    return made


def recomputed_in_python() -> tuple[dict, dict]:
    """The SalesDay cells and the first orders recomputed from the lines in Python, by
    the definitions in docs/kpis.md (independently of the SQL of the rollups)."""
    from collections import defaultdict

    from gridsales.sales.models import OrderLine

    cells: dict = defaultdict(lambda: [D("0"), D("0"), set(), 0])
    first: dict = {}
    lines = OrderLine.objects.exclude(status="cancelled").order_by(
        "order_date", "order_id", "line_no"
    )
    for line in lines:
        cell = cells[(line.order_date, line.grid_id, line.rep_id)]
        cell[0] += line.amount
        cell[2].add(line.order_id)
        cell[3] += 1
        if line.return_date is not None:
            cells[(line.return_date, line.grid_id, line.rep_id)][1] += line.returned_amount
        first.setdefault(line.customer_id, (line.order_date, line.grid_id, line.rep_id))
    days = {key: (sales, back, len(orders), n) for key, (sales, back, orders, n) in cells.items()}
    return days, first


def rollups_as_python() -> tuple[dict, dict]:
    days = {
        (row.day, row.grid_id, row.rep_id): (row.sales, row.returned, row.orders, row.lines)
        for row in SalesDay.objects.all()
    }
    first = {
        row.customer_id: (row.day, row.grid_id, row.rep_id)
        for row in CustomerFirstOrder.objects.all()
    }
    return days, first
