import datetime as dt

import pytest
from django.utils import timezone

from gridsales.activities.choices import ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.care.cadence import State, contact_status, contact_statuses, overdue_count
from gridsales.care.models import CadencePolicy
from gridsales.customers.choices import CustomerStatus
from gridsales.customers.models import Customer

TODAY = dt.date(2026, 3, 31)


def at(day: dt.date, hour: int = 15) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def contacted(customer, day: dt.date, *, status=ActivityStatus.DONE, type=ActivityType.CALL):
    return Activity.objects.create(
        type=type,
        status=status,
        subject="call",
        customer=customer,
        owner_id=customer.owner_id,
        done_at=at(day) if status == ActivityStatus.DONE else None,
        planned_at=at(day),
    )


@pytest.fixture
def policies(world):
    CadencePolicy.objects.create(tier="A", interval_days=14)
    CadencePolicy.objects.create(tier="B", interval_days=30)
    CadencePolicy.objects.create(tier="C", interval_days=60)
    return world


def created_on(customer, day: dt.date):
    Customer.objects.filter(pk=customer.pk).update(created_at=at(day, 9))


def test_a_customer_is_due_interval_days_after_its_last_done_contact(policies):
    customer = policies.customers["CUS-G1"]  # tier A: 14 days
    created_on(customer, dt.date(2026, 1, 1))
    contacted(customer, dt.date(2026, 3, 10))
    contacted(customer, dt.date(2026, 3, 20), status=ActivityStatus.PLANNED)  # not a contact
    status = contact_status(customer, on=TODAY)
    assert (status.last_contact, status.due_on) == (dt.date(2026, 3, 10), dt.date(2026, 3, 24))
    assert (status.state, status.overdue_days) == (State.OVERDUE, 7)


def test_a_customer_never_contacted_is_due_interval_days_after_it_was_created(policies):
    customer = policies.customers["CUS-G2"]  # tier B: 30 days
    created_on(customer, dt.date(2026, 3, 20))
    status = contact_status(customer, on=TODAY)
    assert (status.last_contact, status.due_on, status.state) == (
        None,
        dt.date(2026, 4, 19),
        State.OK,
    )


def test_due_within_a_week_counts_as_due_and_the_due_day_itself_is_not_overdue(policies):
    customer = policies.customers["CUS-G1"]
    contacted(customer, dt.date(2026, 3, 17))  # due 03-31 = today
    assert contact_status(customer, on=TODAY).state == State.DUE
    assert contact_status(customer, on=TODAY + dt.timedelta(days=1)).state == State.OVERDUE
    assert contact_status(customer, on=dt.date(2026, 3, 24)).state == State.DUE
    assert contact_status(customer, on=dt.date(2026, 3, 23)).state == State.OK


def test_the_most_specific_policy_wins(policies):
    world = policies
    customer = world.customers["CUS-G1"]  # tier A in R1-A1-G1
    Customer.objects.filter(pk=customer.pk).update(industry="银行")
    CadencePolicy.objects.create(tier="A", industry="银行", interval_days=10)
    assert contact_status(customer, on=TODAY).interval_days == 10
    CadencePolicy.objects.create(tier="A", grid=world.grids["R1"], interval_days=9)
    assert contact_status(customer, on=TODAY).interval_days == 9
    CadencePolicy.objects.create(tier="A", grid=world.grids["R1-A1"], interval_days=8)
    assert contact_status(customer, on=TODAY).interval_days == 8  # the nearer grid
    CadencePolicy.objects.create(tier="A", grid=world.grids["R1"], industry="银行", interval_days=7)
    assert contact_status(customer, on=TODAY).interval_days == 7
    CadencePolicy.objects.filter(interval_days=7).update(is_active=False)
    assert contact_status(customer, on=TODAY).interval_days == 8
    # Another grid's or industry's policy never applies.
    other = world.customers["CUS-R2"]
    assert contact_status(other, on=TODAY).interval_days == 14


def test_tiers_without_a_policy_and_lost_customers_are_off_cadence(policies):
    world = policies
    nogrid = world.customers["CUS-NOGRID"]  # tier C: 60
    assert contact_status(nogrid, on=TODAY).interval_days == 60
    Customer.objects.filter(pk=nogrid.pk).update(tier="D")
    status = contact_status(nogrid, on=TODAY)
    assert (status.interval_days, status.state) == (None, State.NO_POLICY)
    Customer.objects.filter(pk=nogrid.pk).update(status=CustomerStatus.LOST)
    assert contact_status(nogrid, on=TODAY) is None


def test_overdue_count_counts_only_overdue_customers(policies, django_assert_num_queries):
    world = policies
    long_ago = dt.date(2025, 1, 1)
    for customer in world.customers.values():
        created_on(customer, long_ago)
    contacted(world.customers["CUS-G1"], dt.date(2026, 3, 30))  # due 04-13: fine
    with django_assert_num_queries(2):
        statuses = contact_statuses(Customer.objects.all(), on=TODAY)
    assert {s.customer_id: s.state for s in statuses} == {
        world.customers["CUS-G1"].pk: State.OK,
        world.customers["CUS-G2"].pk: State.OVERDUE,
        world.customers["CUS-R2"].pk: State.OVERDUE,
        world.customers["CUS-NOGRID"].pk: State.OVERDUE,
    }
    assert overdue_count(Customer.objects.all(), on=TODAY) == 3
