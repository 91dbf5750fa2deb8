"""Activity services: plan, log, complete, cancel, next steps, follow-ups after a visit."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gridsales.activities import services
from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.activities.tests.factories import ActivityFactory, at
from gridsales.care.models import FollowUpRule
from gridsales.customers.tests.factories import ContactFactory
from gridsales.sales.models import Opportunity, Pipeline, Stage


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def messages_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def test_a_new_activity_takes_the_customers_grid_and_the_user_as_owner(world):
    activity = services.activity_create(
        user=world.users["rep"],
        customer=world.customers["CUS-G1"],
        type=ActivityType.CALL,
        planned_at=at(1),
    )
    assert activity.grid == world.grids["R1-A1-G1"]
    assert activity.owner == world.users["rep"]
    assert activity.status == ActivityStatus.PLANNED
    assert activity.subject == "Phone call: 客户 CUS-G1"


def test_an_owner_given_wins_over_the_user(world):
    activity = ActivityFactory(
        user=world.users["gridmanager"],
        owner=world.users["rep"],
        customer=world.customers["CUS-G1"],
    )
    assert activity.owner == world.users["rep"]


def test_a_planned_activity_needs_its_date(world):
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"], owner=world.users["rep"], planned_at=None
        )
    assert messages_of(exc) == {
        "planned_at": ["A planned activity needs the date and time it is planned for."]
    }


def test_a_done_activity_cannot_be_done_in_the_future(world):
    tomorrow = at(1, 9)
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"],
            owner=world.users["rep"],
            status=ActivityStatus.DONE,
            done_at=tomorrow,
        )
    when = timezone.localtime(tomorrow).strftime("%Y-%m-%d %H:%M")
    assert messages_of(exc) == {
        "done_at": [
            f"{when} is in the future: a done activity cannot have been done later than now."
        ]
    }


def test_a_done_activity_needs_when_it_was_done(world):
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"], owner=world.users["rep"], status=ActivityStatus.DONE
        )
    assert messages_of(exc) == {"done_at": ["A done activity needs the date and time it was done."]}


def test_a_new_activity_cannot_start_cancelled(world):
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"], owner=world.users["rep"], status="cancelled"
        )
    assert messages_of(exc) == {
        "status": ["A new activity is either planned or done, not cancelled."]
    }


def test_a_next_step_due_needs_a_next_step(world):
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"],
            owner=world.users["rep"],
            next_step_due=dt.date(2030, 1, 1),
        )
    assert messages_of(exc) == {"next_step": ["Describe the next step, or clear its due date."]}


def test_the_contact_must_be_the_customers(world):
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"],
            owner=world.users["rep"],
            contact=world.contacts["Contact CUS-G2"],
        )
    assert messages_of(exc) == {
        "contact": [
            "The contact Contact CUS-G2 belongs to another customer: choose a contact of 客户 CUS-G1."
        ]
    }


def test_the_opportunity_must_be_the_customers(world):
    pipeline = Pipeline.objects.create(code="P1", name="标准流程")
    stage = Stage.objects.create(pipeline=pipeline, position=1, name="线索", probability=10)
    deal = Opportunity.objects.create(
        name="大单",
        customer=world.customers["CUS-G2"],
        owner=world.users["regional"],
        pipeline=pipeline,
        stage=stage,
        created_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as exc:
        ActivityFactory(
            customer=world.customers["CUS-G1"], owner=world.users["rep"], opportunity=deal
        )
    assert messages_of(exc) == {
        "opportunity": ["The opportunity 大单 is another customer's: choose one of 客户 CUS-G1."]
    }


def test_updating_the_customer_brings_its_grid(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["regional"])
    services.activity_update(activity=activity, customer=world.customers["CUS-G2"], notes="x")
    activity.refresh_from_db()
    assert (activity.grid, activity.notes) == (world.grids["R1-A1-G2"], "x")


def test_update_ignores_the_check_in_and_the_status(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_update(activity=activity, status="done", checkin_distance_m=1.0)
    activity.refresh_from_db()
    assert (activity.status, activity.checkin_distance_m) == ("planned", None)


def test_completing_logs_outcome_and_next_step(world):
    activity = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], type=ActivityType.CALL
    )
    done = at(0, 0)
    services.activity_complete(
        activity=activity,
        done_at=done,
        outcome="答应下周下单",
        notes="采购经理在",
        next_step="发报价单",
        next_step_due=dt.date(2030, 1, 5),
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE
    assert activity.done_at == done
    assert (activity.outcome, activity.notes) == ("答应下周下单", "采购经理在")
    assert (activity.next_step, activity.next_step_due, activity.next_step_done) == (
        "发报价单",
        dt.date(2030, 1, 5),
        False,
    )


def test_a_cancelled_activity_cannot_be_completed(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_cancel(activity=activity)
    with pytest.raises(ValidationError) as exc:
        services.activity_complete(activity=activity)
    assert exc.value.messages == [
        "This activity was cancelled: plan a new one instead of completing it."
    ]


@pytest.fixture
def visit_rule(db):
    return FollowUpRule.objects.create(
        name="拜访后回访", trigger="visit", delay_days=3, activity_type=ActivityType.CALL
    )


def test_a_done_visit_schedules_its_follow_up(world, visit_rule):
    visit = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_complete(activity=visit, outcome="ok")
    follow_up = Activity.objects.get(origin_activity=visit)
    assert follow_up.purpose == ActivityPurpose.FOLLOW_UP
    assert follow_up.type == ActivityType.CALL
    assert follow_up.owner == world.users["rep"]
    assert timezone.localtime(follow_up.planned_at).date() == timezone.localdate() + dt.timedelta(
        days=3
    )
    # Logging the visit again plans nothing twice.
    services.activity_complete(activity=visit, outcome="ok, again")
    assert Activity.objects.filter(origin_activity=visit).count() == 1


def test_a_done_call_schedules_no_visit_follow_up(world, visit_rule):
    call = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], type=ActivityType.CALL
    )
    services.activity_complete(activity=call)
    assert not Activity.objects.filter(origin_activity=call).exists()


def test_a_visit_logged_as_done_at_creation_schedules_its_follow_up(world, visit_rule):
    visit = ActivityFactory(
        customer=world.customers["CUS-G1"],
        owner=world.users["rep"],
        status=ActivityStatus.DONE,
        done_at=timezone.now(),
    )
    assert Activity.objects.filter(origin_activity=visit).count() == 1


def test_without_a_rule_a_done_visit_schedules_nothing(world):
    visit = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_complete(activity=visit)
    assert Activity.objects.count() == 1


def test_cancelling_a_done_activity_is_refused(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_complete(activity=activity)
    with pytest.raises(ValidationError) as exc:
        services.activity_cancel(activity=activity)
    assert exc.value.messages == ["This activity is already done: it cannot be cancelled."]


def test_cancelling_twice_is_refused(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_cancel(activity=activity)
    assert activity.status == ActivityStatus.CANCELLED
    with pytest.raises(ValidationError) as exc:
        services.activity_cancel(activity=activity)
    assert exc.value.messages == ["This activity is already cancelled."]


def test_a_next_step_is_marked_done(world):
    activity = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], next_step="寄样品"
    )
    services.next_step_complete(activity=activity)
    activity.refresh_from_db()
    assert activity.next_step_done is True


def test_there_is_no_next_step_to_mark_done(world):
    activity = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    with pytest.raises(ValidationError) as exc:
        services.next_step_complete(activity=activity)
    assert exc.value.messages == ["This activity has no next step to mark as done."]


def test_a_new_next_step_is_open_again(world):
    activity = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], next_step="寄样品"
    )
    services.next_step_complete(activity=activity)
    services.activity_complete(activity=activity, next_step="签合同", next_step_due=None)
    assert activity.next_step_done is False


def test_deleting_keeps_the_follow_ups_unlinked(world, visit_rule):
    visit = ActivityFactory(customer=world.customers["CUS-G1"], owner=world.users["rep"])
    services.activity_complete(activity=visit)
    services.activity_delete(activity=visit)
    assert list(Activity.objects.values_list("origin_activity", flat=True)) == [None]


def test_a_contact_of_the_customer_is_accepted(world):
    contact = ContactFactory(customer=world.customers["CUS-G1"], name="王经理")
    activity = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], contact=contact
    )
    assert activity.contact == contact
