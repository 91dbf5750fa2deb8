"""The demo's CRM history keeps the invariants the models state, on a small demo."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, Max, Min, Q, Sum
from django.utils import timezone, translation

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.activities.today import today_for
from gridsales.care.choices import QuestionKind, SurveyChannel, SurveyStatus
from gridsales.care.models import CadencePolicy, FollowUpRule, Survey, SurveyTemplate
from gridsales.core.money import to_fen
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.customers.selectors import grids_on
from gridsales.demo.builder import build_demo
from gridsales.demo.care import interval_days
from gridsales.demo.history import Calendar
from gridsales.demo.sales import SPRING_FESTIVAL, day_weights
from gridsales.demo.tests.conftest import DEMO_CUSTOMERS, flush_database, settle_constraints
from gridsales.grids.spatial import haversine_m
from gridsales.sales.choices import OrderLineStatus, OrderSource, StageKind
from gridsales.sales.models import (
    Opportunity,
    OpportunityStageChange,
    Order,
    OrderLine,
    Pipeline,
    ProductCategory,
)
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership

pytestmark = pytest.mark.django_db


def local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def test_the_catalogue_has_about_forty_products_in_categories_with_new_products(demo):
    categories = ProductCategory.objects.all()
    assert 6 <= categories.count() <= 8
    assert categories.filter(code="NEW-PRODUCT").exists()
    products = [p for c in categories for p in c.products.all()]
    assert 35 <= len(products) <= 45
    assert all(p.list_price > 0 and p.unit for p in products)
    assert demo.crm.products == len(products)


def test_every_line_amount_is_quantity_times_price_minus_discount_to_the_fen(demo):
    lines = list(OrderLine.objects.values_list("quantity", "unit_price", "discount", "amount"))
    assert abs(len(lines) - DEMO_CUSTOMERS * 10) < DEMO_CUSTOMERS * 10 * 0.15
    for quantity, price, discount, amount in lines:
        assert amount == to_fen(quantity * price) - discount
        assert Decimal(0) <= discount < to_fen(quantity * price)
    # Some lines have a discount, some a negotiated price, some a fractional quantity.
    assert any(d for _q, _p, d, _a in lines)
    assert any(q != q.to_integral_value() for q, _p, _d, _a in lines)


def test_order_amount_is_the_sum_of_its_live_lines_and_its_status_summarises_them(demo):
    totals = defaultdict(lambda: [Decimal(0), Decimal(0), set()])
    for order_id, amount, returned, status in OrderLine.objects.values_list(
        "order_id", "amount", "returned_amount", "status"
    ):
        entry = totals[order_id]
        if status != OrderLineStatus.CANCELLED:
            entry[0] += amount
            entry[1] += returned
        entry[2].add(status)
    orders = list(Order.objects.values_list("pk", "amount", "returned_amount", "status"))
    assert len(orders) == len(totals) == demo.crm.orders
    for pk, amount, returned, status in orders:
        live, back, statuses = totals[pk]
        assert (amount, returned) == (live, back)
        if OrderLineStatus.RETURNED in statuses:
            assert status == OrderLineStatus.RETURNED
        elif statuses == {OrderLineStatus.CANCELLED}:
            assert status == OrderLineStatus.CANCELLED
        else:
            assert status == OrderLineStatus.CONFIRMED
    assert {status for *_rest, status in orders} == set(OrderLineStatus.values)


def test_lines_copy_their_orders_date_customer_grid_and_rep(demo):
    lines = OrderLine.objects.all()
    assert not lines.exclude(order_date=F("order__order_date")).exists()
    assert not lines.exclude(customer=F("order__customer")).exists()
    assert not lines.exclude(grid=F("order__grid")).exists()
    assert not lines.exclude(rep=F("order__rep")).exists()
    line_numbers = Counter(lines.values_list("order_id", "line_no"))
    assert set(line_numbers.values()) == {1}
    assert set(lines.values_list("line_no", flat=True)) <= {1, 2, 3, 4}


def test_every_order_carries_the_customers_grid_on_its_date(demo):
    orders = list(Order.objects.values_list("customer_id", "order_date", "grid_id"))
    found = grids_on((c, d) for c, d, _g in orders)
    assert all(found[(c, d)] == g for c, d, g in orders)


def test_orders_span_two_years_up_to_today_with_cancellations_and_returns(demo):
    today = timezone.localdate()
    assert Order.objects.aggregate(latest=Max("order_date"))["latest"] <= today
    assert not Order.objects.filter(order_date__lt=today - dt.timedelta(days=729)).exists()
    assert Order.objects.filter(order_date__lt=today - dt.timedelta(days=600)).exists()
    assert set(Order.objects.values_list("source", flat=True)) == {OrderSource.IMPORT}
    lines = OrderLine.objects.all()
    n = lines.count()
    cancelled = lines.filter(status=OrderLineStatus.CANCELLED).count()
    returned = lines.filter(status=OrderLineStatus.RETURNED)
    assert 0.005 * n < cancelled < 0.05 * n
    assert 0.003 * n < returned.count() < 0.04 * n
    assert not returned.filter(
        Q(returned_amount__gt=F("amount"))
        | Q(returned_amount__lte=0)
        | Q(return_date__lte=F("order_date"))
        | Q(return_date__gt=today)
    ).exists()
    not_returned = lines.exclude(status=OrderLineStatus.RETURNED)
    assert not not_returned.filter(Q(returned_amount__gt=0) | Q(return_date__isnull=False)).exists()


def test_bigger_tiers_buy_more_per_customer(demo):
    revenue = dict(
        OrderLine.objects.exclude(status=OrderLineStatus.CANCELLED)
        .values_list("customer__tier")
        .annotate(total=Sum("amount"))
    )
    customers = Counter(Customer.objects.values_list("tier", flat=True))
    per_customer = [revenue[t] / customers[t] for t in "ABCD"]
    assert per_customer == sorted(per_customer, reverse=True)


def test_seasons_show_the_spring_festival_dip_and_the_month_end_peak():
    calendar = Calendar(today=dt.date(2026, 11, 27), now=timezone.now())
    weights = day_weights(calendar)
    day = calendar.index
    festival = SPRING_FESTIVAL[2026]
    week = weights[day(festival) : day(festival) + 5]
    assert week.mean() < 0.5 * weights.mean()
    # Wednesday 30 September 2026 (quarter end) against Wednesday 16 September.
    assert weights[day(dt.date(2026, 9, 30))] > 1.5 * weights[day(dt.date(2026, 9, 16))]
    assert weights[day(dt.date(2026, 9, 19))] < weights[day(dt.date(2026, 9, 16))]  # Saturday


def test_moved_customers_keep_their_old_grid_and_rep_before_the_move(demo):
    stays = defaultdict(list)
    for row in CustomerGridAssignment.objects.order_by("valid_from", "pk"):
        stays[row.customer_id].append(row)
    moved = {c: rows for c, rows in stays.items() if len(rows) == 2}
    assert len(moved) == demo.crm.moved_customers == round(DEMO_CUSTOMERS * 0.02)
    before = after = 0
    for customer_id, (old, new) in moved.items():
        customer = Customer.objects.get(pk=customer_id)
        assert old.valid_to == new.valid_from and new.valid_to is None
        assert new.grid_id == customer.current_grid_id != old.grid_id
        assert old.valid_from <= customer.created_at
        moved_on = local_day(new.valid_from)
        for order in Order.objects.filter(customer_id=customer_id):
            if order.order_date < moved_on:
                before += 1
                assert order.grid_id == old.grid_id
            else:
                after += 1
                assert order.grid_id == new.grid_id
                assert order.rep_id == customer.owner_id
    assert before and after


def test_customers_existed_before_their_history_and_so_did_their_first_grid_stay(demo):
    first_stay = {}
    for customer_id, valid_from in CustomerGridAssignment.objects.order_by(
        "customer_id", "-valid_from"
    ).values_list("customer_id", "valid_from"):
        first_stay[customer_id] = valid_from
    created = dict(Customer.objects.values_list("pk", "created_at"))
    assert first_stay == created
    first_order = dict(Order.objects.values_list("customer_id").annotate(first=Min("order_date")))
    for customer_id, day in first_order.items():
        assert local_day(created[customer_id]) <= day


def test_orders_are_credited_to_a_member_of_their_grid_once_the_team_was_staffed(demo):
    staffed = Membership.objects.filter(
        role=MembershipRole.MEMBER, valid_to__isnull=True
    ).aggregate(since=Max("valid_from"))["since"]
    members = defaultdict(list)
    for row in Membership.objects.filter(role=MembershipRole.MEMBER):
        members[(row.user_id, row.grid_id)].append((row.valid_from, row.valid_to))
    for rep_id, grid_id, day in Order.objects.filter(order_date__gte=staffed).values_list(
        "rep_id", "grid_id", "order_date"
    ):
        periods = members[(rep_id, grid_id)]
        assert any(a <= day and (b is None or day <= b) for a, b in periods)


def test_the_standard_pipeline_has_the_default_stages_and_a_renewal_pipeline_exists(demo):
    standard = Pipeline.objects.get(code="standard")
    assert standard.is_default
    assert list(standard.stages.values_list("position", "name", "probability", "kind")) == [
        (1, "线索", 10, "open"),
        (2, "需求确认", 25, "open"),
        (3, "方案报价", 50, "open"),
        (4, "商务谈判", 75, "open"),
        (5, "赢单", 100, "won"),
        (6, "输单", 0, "lost"),
    ]
    renewal = Pipeline.objects.get(code="renewal")
    assert renewal.opportunities.exists()


def test_stage_histories_are_consistent_with_each_deal(demo):
    deals = Opportunity.objects.select_related("stage").prefetch_related("stage_changes__to_stage")
    assert deals.count() == demo.crm.opportunities == round(DEMO_CUSTOMERS * 0.15)
    now = timezone.now()
    created = [(d.customer_id, local_day(d.created_at)) for d in deals]
    grids = grids_on(created)
    for deal in deals:
        changes = list(deal.stage_changes.all())
        assert changes[0].from_stage_id is None
        assert changes[0].changed_at == deal.created_at
        for previous, change in zip(changes, changes[1:], strict=False):
            assert change.from_stage_id == previous.to_stage_id
            assert change.changed_at > previous.changed_at
        assert changes[-1].to_stage_id == deal.stage_id and changes[-1].changed_at < now
        assert {c.to_stage.pipeline_id for c in changes} == {deal.pipeline_id}
        assert all(c.user_id == deal.owner_id for c in changes)
        assert deal.state == deal.stage.kind
        if deal.state == StageKind.OPEN:
            assert deal.closed_on is None and not deal.loss_reason
        else:
            assert deal.closed_on == local_day(changes[-1].changed_at)
        assert bool(deal.loss_reason) == (deal.state == StageKind.LOST)
        assert deal.grid_id == grids[(deal.customer_id, local_day(deal.created_at))]


def test_deals_pass_through_every_stage_and_end_open_won_or_lost(demo):
    reached = set(OpportunityStageChange.objects.values_list("to_stage__name", flat=True))
    assert {"线索", "需求确认", "方案报价", "商务谈判", "赢单", "输单"} <= reached
    states = Counter(Opportunity.objects.values_list("state", flat=True))
    assert set(states) == {"open", "won", "lost"}
    lost = Opportunity.objects.filter(state=StageKind.LOST)
    assert lost.exclude(competitor="").exists()


def test_activities_number_about_two_per_customer_of_every_kind(demo):
    activities = Activity.objects.all()
    assert abs(activities.count() - 2 * DEMO_CUSTOMERS) < 0.15 * 2 * DEMO_CUSTOMERS
    assert activities.count() == demo.crm.activities
    kinds = set(activities.filter(status=ActivityStatus.DONE).values_list("type", flat=True))
    assert kinds == set(ActivityType.values)
    assert set(activities.values_list("status", flat=True)) == set(ActivityStatus.values)
    assert set(activities.values_list("purpose", flat=True)) == set(ActivityPurpose.values)
    done = activities.filter(status=ActivityStatus.DONE)
    assert not done.filter(Q(done_at__isnull=True) | Q(done_at__gt=timezone.now())).exists()
    assert not done.filter(done_at__lt=F("planned_at")).exists()
    assert not activities.exclude(status=ActivityStatus.DONE).filter(done_at__isnull=False).exists()


def test_activities_carry_the_customers_grid_on_their_day(demo):
    rows = list(
        Activity.objects.filter(status=ActivityStatus.DONE).values_list(
            "customer_id", "done_at", "grid_id"
        )
    )
    found = grids_on((c, local_day(when)) for c, when, _g in rows)
    assert all(found[(c, local_day(when))] == g for c, when, g in rows)


def test_visit_check_ins_lie_near_the_customer_and_far_ones_are_flagged(demo):
    visits = Activity.objects.filter(checkin_at__isnull=False).select_related("customer")
    assert visits.exists()
    assert not visits.exclude(type=ActivityType.VISIT).exists()
    movers = set(
        CustomerGridAssignment.objects.filter(valid_to__isnull=False).values_list(
            "customer_id", flat=True
        )
    )
    flagged = 0
    for visit in visits:
        assert visit.checkout_at == visit.done_at and visit.checkin_at == visit.planned_at
        far = "far" in visit.checkin_flags
        assert far == (visit.checkin_distance_m > settings.CHECKIN_RADIUS_M)
        flagged += far
        if visit.customer_id not in movers:
            c = visit.customer
            metres = float(haversine_m(c.lng, c.lat, visit.checkin_lng, visit.checkin_lat))
            assert visit.checkin_distance_m == pytest.approx(metres, abs=0.1)
    assert 0 < flagged < 0.15 * visits.count()


def test_follow_ups_point_at_their_order_or_visit_and_come_after_it(demo):
    after_orders = Activity.objects.filter(origin_order__isnull=False).select_related(
        "origin_order"
    )
    assert after_orders.filter(status=ActivityStatus.DONE).exists()
    assert after_orders.filter(status=ActivityStatus.PLANNED).exists()
    for activity in after_orders:
        assert activity.purpose == ActivityPurpose.FOLLOW_UP
        assert activity.customer_id == activity.origin_order.customer_id
        assert local_day(activity.planned_at) == activity.origin_order.order_date + dt.timedelta(
            days=7
        )
    after_visits = Activity.objects.filter(origin_activity__isnull=False).select_related(
        "origin_activity", "customer"
    )
    assert after_visits.exists()
    for activity in after_visits:
        assert activity.origin_activity.type == ActivityType.VISIT
        assert activity.customer.tier == "A"
        assert activity.planned_at > activity.origin_activity.done_at


def test_planned_activities_fill_the_next_two_weeks_and_some_are_overdue(demo):
    today = timezone.localdate()
    planned = Activity.objects.filter(status=ActivityStatus.PLANNED)
    days = {local_day(a) for a in planned.values_list("planned_at", flat=True)}
    assert max(days) <= today + dt.timedelta(days=16)
    assert any(d > today + dt.timedelta(days=7) for d in days)
    assert any(d < today for d in days)
    assert planned.exclude(next_step="").count() == 0
    steps = Activity.objects.exclude(next_step="")
    assert not steps.filter(next_step_due__isnull=True).exists()
    assert (
        steps.filter(next_step_done=True).exists() and steps.filter(next_step_done=False).exists()
    )


def current_reps():
    """Reps who are members of a grid today and have customers to look after."""
    today = timezone.localdate()
    rows = Membership.objects.active(today).filter(role=MembershipRole.MEMBER, user__role=Role.REP)
    grids = defaultdict(set)
    for user_id, grid_id in rows.values_list("user_id", "grid_id"):
        grids[user_id].add(grid_id)
    return {
        user_id: g
        for user_id, g in grids.items()
        if Customer.objects.filter(Q(owner_id=user_id) | Q(current_grid_id__in=g)).exists()
    }


def overdue_customers(today: dt.date) -> set[int]:
    last = dict(
        Activity.objects.filter(status=ActivityStatus.DONE)
        .values_list("customer_id")
        .annotate(last=Max("done_at"))
    )
    overdue = set()
    for pk, tier, industry, code, created in Customer.objects.exclude(
        status=CustomerStatus.LOST
    ).values_list("pk", "tier", "industry", "current_grid__code", "created_at"):
        start = local_day(last.get(pk) or created)
        if start + dt.timedelta(days=interval_days(tier, industry, code)) < today:
            overdue.add(pk)
    return overdue


def test_every_rep_has_something_on_today_s_list(demo):
    today = timezone.localdate()
    reps = current_reps()
    assert len(reps) > 40
    overdue = overdue_customers(today)
    for rep_id in reps:
        mine = Activity.objects.filter(owner_id=rep_id)
        planned = mine.filter(status=ActivityStatus.PLANNED)
        assert any(local_day(p) == today for p in planned.values_list("planned_at", flat=True))
        assert any(local_day(p) < today for p in planned.values_list("planned_at", flat=True))
        owned = Customer.objects.filter(owner_id=rep_id)
        if owned.exists():
            assert mine.filter(next_step_due=today, next_step_done=False).exists()
        if owned.exclude(status=CustomerStatus.LOST).exists():
            assert set(owned.values_list("pk", flat=True)) & overdue, rep_id


def test_every_rep_s_today_page_has_planned_work_and_customers_to_contact(demo):
    users = User.objects.in_bulk(list(current_reps()))
    for user in users.values():
        today = today_for(viewer=user)
        assert today.planned and today.overdue, user.username
        owned = Customer.objects.filter(owner=user)
        if owned.exists():
            assert today.next_steps, user.username
        if owned.exclude(status=CustomerStatus.LOST).exists():
            assert today.overdue_total > 0, user.username


def test_some_customers_are_overdue_on_their_cadence_and_most_are_not(demo):
    overdue = overdue_customers(timezone.localdate())
    on_cadence = Customer.objects.exclude(status=CustomerStatus.LOST).count()
    assert 0.05 * on_cadence < len(overdue) < 0.35 * on_cadence


def test_care_policies_rules_and_the_standard_survey(demo):
    base = CadencePolicy.objects.filter(grid__isnull=True, industry="")
    assert dict(base.values_list("tier", "interval_days")) == {"A": 14, "B": 30, "C": 60, "D": 90}
    assert CadencePolicy.objects.filter(grid__code="SH-HP", tier="A", interval_days=7).exists()
    assert CadencePolicy.objects.filter(industry="金融", tier="B", interval_days=21).exists()
    assert set(FollowUpRule.objects.values_list("trigger", "delay_days")) == {
        ("order", 7),
        ("visit", 3),
    }
    template = SurveyTemplate.objects.get(code="csat-standard")
    assert template.name == "客户满意度调查"
    assert list(template.questions.values_list("kind", "text")) == [
        (QuestionKind.CSAT, "您对我们的服务满意吗?"),
        (QuestionKind.NPS, "您有多大可能向朋友推荐我们?"),
        (QuestionKind.TEXT, "您还有什么建议?"),
    ]


def test_answered_surveys_copy_their_scores_and_links_expire(demo):
    surveys = Survey.objects.prefetch_related("answers__question")
    assert surveys.count() == demo.crm.surveys == round(DEMO_CUSTOMERS * 0.15)
    statuses = Counter(surveys.values_list("channel", "status"))
    assert (
        statuses[(SurveyChannel.LINK, SurveyStatus.ANSWERED)]
        > statuses[(SurveyChannel.LINK, SurveyStatus.SENT)]
        > 0
    )
    assert statuses[(SurveyChannel.VISIT, SurveyStatus.ANSWERED)] > 0
    now = timezone.now()
    link_days = dt.timedelta(days=settings.SURVEY_LINK_DAYS)
    for survey in surveys:
        scores = {a.question.kind: a.score for a in survey.answers.all()}
        if survey.status == SurveyStatus.ANSWERED:
            assert scores[QuestionKind.CSAT] == survey.csat and 1 <= survey.csat <= 5
            assert scores[QuestionKind.NPS] == survey.nps and 0 <= survey.nps <= 10
            assert survey.sent_at <= survey.answered_at <= now
        else:
            assert not scores and survey.csat is None and survey.answered_at is None
        if survey.channel == SurveyChannel.LINK:
            assert len(survey.token) >= 43 and survey.expires_at == survey.sent_at + link_days
            if survey.answered_at:
                assert survey.answered_at < survey.expires_at
        else:
            assert survey.token is None and survey.activity.type == ActivityType.VISIT
            assert survey.activity.customer_id == survey.customer_id
            assert survey.answered_at == survey.sent_at == survey.activity.done_at
    assert surveys.exclude(comment="").exists()
    rows = list(surveys.values_list("customer_id", "sent_at", "grid_id"))
    found = grids_on((c, local_day(s)) for c, s, _g in rows)
    assert all(found[(c, local_day(s))] == g for c, s, g in rows)


def test_the_same_seed_gives_the_same_history(demo, forget_content_types):
    def snapshot():
        return (
            list(
                Order.objects.order_by("number").values_list("number", "customer__code", "amount")
            ),
            list(
                OrderLine.objects.order_by("order__number", "line_no").values_list(
                    "product__code", "quantity", "unit_price", "discount", "status"
                )
            ),
            sorted(Opportunity.objects.values_list("name", "stage__name", "amount")),
            Counter(Activity.objects.values_list("customer__code", "type", "status")),
            sorted(Survey.objects.values_list("customer__code", "channel", "status", "csat")),
        )

    first = snapshot()
    flush_database()
    build_demo(customers=DEMO_CUSTOMERS)
    assert snapshot() == first


def run_demo(*args) -> str:
    out = io.StringIO()
    # The CI also runs the suite on a PostgreSQL test database, which is fine to empty.
    yes = [] if connection.vendor == "sqlite" else ["--yes-flush"]
    # Commands speak the active language; the assertions read the English summary.
    with translation.override("en"):
        call_command("demo", "--no-serve", *args, *yes, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_command_scales_the_orders_and_reports_the_history(demo, forget_content_types):
    settle_constraints()
    output = run_demo("--customers", "200", "--lines-per-customer", "3")
    lines = OrderLine.objects.count()
    assert abs(lines - 600) < 100
    assert f"{Order.objects.count()} " in output and f"({lines} " in output
    assert f"{Activity.objects.count()} " in output


def test_the_demo_command_rejects_a_negative_number_of_lines():
    with pytest.raises(CommandError, match="--lines-per-customer") as error:
        run_demo("--customers", "10", "--lines-per-customer", "-1")
    assert error.value.returncode == 2


def test_the_demo_rep_finds_today_s_route_already_planned(demo):
    from django.utils import timezone

    from gridsales.routes.models import RoutePlan

    plan = RoutePlan.objects.get(rep__username="rep", day=timezone.localdate())
    assert plan.stops.exists()


def test_the_demo_builds_the_kpi_rollups_of_its_orders(demo):
    from django.db.models import Sum

    from gridsales.analytics.models import SalesMonth

    live = OrderLine.objects.exclude(status=OrderLineStatus.CANCELLED)
    totals = SalesMonth.objects.aggregate(sales=Sum("sales"), returned=Sum("returned"))
    assert totals == {
        "sales": live.aggregate(s=Sum("amount"))["s"],
        "returned": live.aggregate(s=Sum("returned_amount"))["s"],
    }
