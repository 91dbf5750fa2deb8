"""The Today page: what each persona finds there, empty states, and a fixed query count."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from gridsales.activities import services
from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.tests.factories import ActivityFactory, at
from gridsales.care.models import CadencePolicy
from gridsales.customers.models import Contact, Customer
from gridsales.customers.tests.factories import ContactFactory, CustomerFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


@pytest.fixture
def day(world):
    """Tier A every 7 days, tier C every 60. CUS-G1 (A, rep) was last called 10 days ago:
    3 days overdue; CUS-R2 (A, rep2) was created 5 days ago: due in 2 days; CUS-NOGRID (C)
    is fine. The rep's day: a visit at 15:00, one planned yesterday, one tomorrow, a
    follow-up, a cancelled visit, a checked-in visit and a next step due today."""
    w = world
    CadencePolicy.objects.create(tier="A", interval_days=7)
    CadencePolicy.objects.create(tier="C", interval_days=60)
    rep, g1 = w.users["rep"], w.customers["CUS-G1"]
    Customer.objects.filter(code="CUS-R2").update(created_at=timezone.now() - dt.timedelta(days=5))
    Contact.objects.filter(customer=g1).update(phone="13800000001")
    services.activity_create(
        user=rep,
        customer=g1,
        type=ActivityType.CALL,
        status=ActivityStatus.DONE,
        done_at=at(-10, 11),
        subject="上次电话",
    )
    w.today = {
        "today": ActivityFactory(customer=g1, owner=rep, subject="今天拜访", planned_at=at(0, 15)),
        "yesterday": ActivityFactory(customer=g1, owner=rep, subject="昨天没去", planned_at=at(-1)),
        "tomorrow": ActivityFactory(customer=g1, owner=rep, subject="明天拜访", planned_at=at(1)),
        "follow_up": ActivityFactory(
            customer=g1,
            owner=rep,
            type=ActivityType.CALL,
            purpose=ActivityPurpose.FOLLOW_UP,
            subject="回访电话",
            planned_at=at(0, 10),
        ),
        "cancelled": ActivityFactory(customer=g1, owner=rep, subject="取消的拜访"),
        "checked_in": ActivityFactory(
            customer=w.customers["CUS-NOGRID"], owner=rep, subject="进行中拜访", planned_at=at(0, 9)
        ),
        "next_step": ActivityFactory(
            customer=g1,
            owner=rep,
            type=ActivityType.EMAIL,
            subject="发资料",
            planned_at=at(3),
            next_step="寄报价单",
            next_step_due=timezone.localdate(),
        ),
        "next_step_later": ActivityFactory(
            customer=g1,
            owner=rep,
            type=ActivityType.EMAIL,
            subject="以后",
            planned_at=at(3),
            next_step="以后再说",
            next_step_due=timezone.localdate() + dt.timedelta(days=1),
        ),
    }
    services.activity_cancel(activity=w.today["cancelled"])
    services.activity_check_in(
        activity=w.today["checked_in"], lat=31.0, lng=121.0, user=rep, at=at(0, 0)
    )
    return w


def section(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def test_the_rep_sees_whom_to_contact_and_what_to_do(day):
    html = client_for(day, "rep").get("/activities/today/").content.decode()
    due = section(html, "due-list")
    assert "客户 CUS-G1" in due and "3 days overdue" in due
    assert 'href="tel:13800000001"' in due
    assert "CUS-R2" not in due and "CUS-NOGRID" not in due
    planned = section(html, "planned-list")
    assert "今天拜访" in planned and "昨天没去" in planned
    assert "明天拜访" not in planned and "取消的拜访" not in html
    assert planned.count('data-testid="checkin-button"') == 2
    in_progress = section(html, "in-progress-list")
    assert "进行中拜访" in in_progress
    assert 'data-testid="checkout-button"' in in_progress
    assert "The customer has no location" in in_progress
    following = section(html, "next-list")
    assert "回访电话" in following and "寄报价单" in following and "以后再说" not in following
    assert "Mark done" in following
    counts = re.findall(r'fs-4 fw-semibold[^"]*">(\d+)<', html)
    assert counts == ["1", "1", "3", "2"]  # overdue, to contact, planned, follow-ups


def test_overdue_planned_visits_are_marked(day):
    html = client_for(day, "rep").get("/activities/today/").content.decode()

    def card(key: str) -> str:
        start = html.index(f'data-testid="activity-{day.today[key].pk}"')
        return html[start : html.index('data-testid="checkin-button"', start)]

    assert "Overdue" in card("yesterday")
    assert "Overdue" not in card("today")


def test_rep2_sees_its_customer_due_soon(day):
    html = client_for(day, "rep2").get("/activities/today/").content.decode()
    due = section(html, "due-list")
    assert "客户 CUS-R2" in due and "Due soon" in due
    assert "CUS-G1" not in due
    assert 'data-testid="planned-empty"' in html
    assert 'data-testid="person-picker"' not in html


def test_a_grid_manager_sees_the_customers_of_its_grid(day):
    html = client_for(day, "gridmanager").get("/activities/today/").content.decode()
    assert "客户 CUS-G1" in section(html, "due-list")
    assert "今天拜访" not in html  # the rep's visits are the rep's day
    assert 'data-testid="person-picker"' in html


def test_a_manager_looks_at_a_reps_day_without_acting(day):
    html = client_for(day, "regional").get("/activities/today/?rep=rep").content.decode()
    assert "The day of" in html and "(read only)" in html
    assert "今天拜访" in html and "3 days overdue" in html
    assert 'data-testid="checkin-button"' not in html
    assert 'data-testid="checkin-here"' not in html
    assert "Mark done" not in html


def test_an_analyst_looks_but_does_not_act(day):
    html = client_for(day, "analyst").get("/activities/today/?rep=rep").content.decode()
    assert "今天拜访" in html
    assert 'data-testid="checkin-button"' not in html


def test_the_outsider_gets_the_empty_state(day):
    html = client_for(day, "outsider").get("/activities/today/").content.decode()
    assert 'data-testid="empty-state"' in html
    assert "Nothing due today." in html


def test_the_today_page_query_count_does_not_grow(day):
    client = client_for(day, "rep")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/activities/today/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count()
    rep, grid = day.users["rep"], day.grids["R1-A1-G1"]
    for i in range(8):
        customer = CustomerFactory(current_grid=grid, owner=rep, tier="A", code=f"CUS-X{i}")
        Customer.objects.filter(pk=customer.pk).update(
            created_at=timezone.now() - dt.timedelta(days=30)
        )
        ContactFactory(customer=customer, is_primary=True, phone=f"1390000000{i}")
        ActivityFactory(customer=customer, owner=rep, planned_at=at(0, 16))
        ActivityFactory(
            customer=customer,
            owner=rep,
            type=ActivityType.CALL,
            planned_at=at(2),
            next_step="跟进",
            next_step_due=timezone.localdate(),
        )
    # Session, user, savepoint, scope, cadence policies, customers' statuses, due customers,
    # their primary contacts, route of the day, planned activities, next steps, release.
    assert before == count() == 12
