"""Visit check-in and check-out: distance, flags, the radius setting, and every refusal."""

import datetime as dt
import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gridsales.activities import services
from gridsales.activities.choices import ActivityStatus, ActivityType, CheckInFlag
from gridsales.activities.models import Activity
from gridsales.activities.selectors import position_in_user_grids
from gridsales.activities.tests.factories import ActivityFactory
from gridsales.care.models import FollowUpRule
from gridsales.customers.models import Customer
from gridsales.grids.choices import GridKind
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import square

FAR, OUTSIDE, NO_LOCATION = (
    CheckInFlag.FAR.value,
    CheckInFlag.OUTSIDE_GRID.value,
    CheckInFlag.NO_CUSTOMER_LOCATION.value,
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def visit(world):
    # CUS-G1 stands at 31.0 N, 121.0 E; R1-A1-G1 has no boundary yet.
    Customer.objects.filter(pk=world.customers["CUS-G1"].pk).update(lat=31.0, lng=121.0)
    return ActivityFactory(
        customer=Customer.objects.get(code="CUS-G1"), owner=world.users["rep"], subject="拜访"
    )


def check_in(visit, world, lat, lng, persona="rep", **kwargs):
    return services.activity_check_in(
        activity=visit, lat=lat, lng=lng, user=world.users[persona], **kwargs
    )


def test_the_distance_is_exact_to_the_metre(visit, world):
    # 0.01° of latitude on the mean-radius sphere (6,371,008.8 m): 1,111.95 m.
    expected = 6_371_008.8 * math.radians(0.01)
    visit = check_in(visit, world, 31.01, 121.0, accuracy_m=12.5)
    assert round(visit.checkin_distance_m) == round(expected) == 1112
    assert (visit.checkin_lat, visit.checkin_lng, visit.checkin_accuracy_m) == (31.01, 121.0, 12.5)
    assert visit.checkin_at is not None


def test_a_known_pair_of_points_across_longitude(visit, world):
    # Same parallel, 0.001° of longitude apart at 31° N: R·cos(31°)·0.001 rad ≈ 95.31 m.
    visit = check_in(visit, world, 31.0, 121.001)
    assert round(visit.checkin_distance_m) == 95
    assert visit.checkin_flags == []


def test_a_check_in_beyond_the_radius_is_flagged_far(visit, world):
    visit = check_in(visit, world, 31.01, 121.0)
    assert visit.checkin_flags == [FAR]


def test_the_radius_setting_is_respected(visit, world, settings):
    settings.CHECKIN_RADIUS_M = 1200
    visit = check_in(visit, world, 31.01, 121.0)
    assert visit.checkin_flags == []


def test_a_distance_just_inside_the_radius_is_not_flagged(visit, world, settings):
    settings.CHECKIN_RADIUS_M = 1112
    assert check_in(visit, world, 31.01, 121.0).checkin_flags == []


def test_a_customer_without_location_is_flagged_and_has_no_distance(world):
    visit = ActivityFactory(customer=world.customers["CUS-NOGRID"], owner=world.users["rep"])
    visit = check_in(visit, world, 31.0, 121.0)
    assert visit.checkin_distance_m is None
    assert visit.checkin_flags == [NO_LOCATION]


@pytest.fixture
def drawn(world):
    """R1-A1-G1 covers 121.0–121.1 E × 31.0–31.1 N; R1-A1-G2 the square east of it."""
    grid_update(grid=world.grids["R1-A1-G1"], geometry=square(121.0, 31.0))
    grid_update(grid=world.grids["R1-A1-G2"], geometry=square(121.1, 31.0))
    return world


def test_a_check_in_inside_the_reps_grid_is_not_flagged_outside(visit, drawn):
    visit = check_in(visit, drawn, 31.0001, 121.0001)
    assert visit.checkin_flags == []


def test_a_check_in_outside_every_grid_of_the_rep_is_flagged(visit, drawn, settings):
    settings.CHECKIN_RADIUS_M = 100_000
    # In R1-A1-G2: a grid, but not the rep's.
    visit = check_in(visit, drawn, 31.05, 121.15)
    assert visit.checkin_flags == [OUTSIDE]


def test_a_check_in_on_the_border_of_the_grid_counts_as_inside(drawn):
    assert position_in_user_grids(user=drawn.users["rep"], lat=31.05, lng=121.1) is True


def test_a_manager_is_inside_anywhere_in_the_subtree(drawn):
    regional = drawn.users["regional"]
    assert position_in_user_grids(user=regional, lat=31.05, lng=121.15) is True
    assert position_in_user_grids(user=regional, lat=31.5, lng=121.5) is False


def test_grids_without_boundary_cannot_be_checked(world):
    # The persona grids have no geometry: nothing to test against, so no flag.
    assert position_in_user_grids(user=world.users["rep"], lat=40.0, lng=116.0) is None


def test_a_segment_grid_in_the_subtree_means_outside_cannot_be_told(drawn):
    g2 = drawn.grids["R1-A1-G2"]
    grid_update(grid=g2, kind=GridKind.SEGMENT, geometry=None)
    assert position_in_user_grids(user=drawn.users["regional"], lat=31.5, lng=121.5) is None


def test_people_without_grids_are_not_flagged_outside(drawn):
    assert position_in_user_grids(user=drawn.users["director"], lat=0.0, lng=0.0) is None
    assert position_in_user_grids(user=drawn.users["outsider"], lat=0.0, lng=0.0) is None


def test_all_three_flags_at_once(drawn):
    visit = ActivityFactory(customer=drawn.customers["CUS-NOGRID"], owner=drawn.users["rep"])
    visit = check_in(visit, drawn, 39.9, 116.4)
    assert visit.checkin_flags == [NO_LOCATION, OUTSIDE]


def refused(call, **kwargs):
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value


def test_checking_in_twice_is_refused(visit, world):
    visit = check_in(visit, world, 31.0, 121.0)
    first = timezone.localtime(visit.checkin_at).strftime("%Y-%m-%d %H:%M")
    error = refused(check_in, visit=visit, world=world, lat=31.0, lng=121.0)
    assert error.messages == [f"This visit was already checked in at {first}."]


def test_checking_out_without_check_in_is_refused(visit, world):
    error = refused(services.activity_check_out, activity=visit, user=world.users["rep"])
    assert error.messages == ["Check in before checking out: this visit has no check-in."]


def test_only_visits_are_checked_in(world):
    call = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], type=ActivityType.CALL
    )
    error = refused(check_in, visit=call, world=world, lat=31.0, lng=121.0)
    assert error.messages == ["Only visits are checked in and out; this is a phone call."]


def test_a_cancelled_visit_is_not_checked_in(visit, world):
    services.activity_cancel(activity=visit)
    error = refused(check_in, visit=visit, world=world, lat=31.0, lng=121.0)
    assert error.messages == ["This visit was cancelled: plan a new visit to check in."]


def test_a_done_visit_is_not_checked_in(visit, world):
    services.activity_complete(activity=visit)
    error = refused(check_in, visit=visit, world=world, lat=31.0, lng=121.0)
    assert error.messages == ["This visit is already done: there is nothing to check in."]


@pytest.mark.parametrize(
    ("lat", "lng", "field", "message"),
    [
        (91.0, 121.0, "lat", "Latitude 91.0 is out of range: it must be between -90 and 90."),
        (31.0, -180.5, "lng", "Longitude -180.5 is out of range: it must be between -180 and 180."),
        (
            float("nan"),
            121.0,
            "lat",
            "Latitude nan is out of range: it must be between -90 and 90.",
        ),
        (None, 121.0, "lat", "Latitude is missing: allow the browser to share your position."),
    ],
)
def test_positions_out_of_range_are_refused(visit, world, lat, lng, field, message):
    error = refused(check_in, visit=visit, world=world, lat=lat, lng=lng)
    assert error.message_dict == {field: [message]}
    visit.refresh_from_db()
    assert visit.checkin_at is None


def test_a_negative_accuracy_is_refused(visit, world):
    error = refused(check_in, visit=visit, world=world, lat=31.0, lng=121.0, accuracy_m=-3.0)
    assert error.message_dict == {
        "accuracy_m": ["The accuracy -3.0 is not a distance: give metres, 0 or more."]
    }


def test_a_check_in_in_the_future_is_refused(visit, world):
    later = timezone.now() + dt.timedelta(hours=2)
    error = refused(check_in, visit=visit, world=world, lat=31.0, lng=121.0, at=later)
    when = timezone.localtime(later).strftime("%Y-%m-%d %H:%M")
    assert error.messages == [f"{when} is in the future: check in and out when you are there."]


def test_checking_out_makes_the_visit_done_with_its_duration(visit, world):
    start = timezone.now() - dt.timedelta(minutes=47, seconds=10)
    check_in(visit, world, 31.0, 121.0, at=start)
    end = start + dt.timedelta(minutes=47)
    visit = services.activity_check_out(
        activity=visit, lat=31.0002, lng=121.0, at=end, user=world.users["rep"]
    )
    assert visit.status == ActivityStatus.DONE
    assert visit.done_at == visit.checkout_at == end
    assert (visit.checkout_lat, visit.checkout_lng) == (31.0002, 121.0)
    assert visit.duration_minutes == visit.visit_minutes == 47


def test_a_check_out_may_go_without_a_position(visit, world):
    check_in(visit, world, 31.0, 121.0)
    visit = services.activity_check_out(activity=visit, user=world.users["rep"])
    assert visit.checkout_at is not None and visit.checkout_lat is None


def test_checking_out_twice_is_refused(visit, world):
    check_in(visit, world, 31.0, 121.0)
    visit = services.activity_check_out(activity=visit, user=world.users["rep"])
    out = timezone.localtime(visit.checkout_at).strftime("%Y-%m-%d %H:%M")
    error = refused(services.activity_check_out, activity=visit, user=world.users["rep"])
    assert error.messages == [f"This visit was already checked out at {out}."]


def test_a_check_out_before_the_check_in_is_refused(visit, world):
    start = timezone.now() - dt.timedelta(minutes=5)
    check_in(visit, world, 31.0, 121.0, at=start)
    error = refused(
        services.activity_check_out,
        activity=visit,
        user=world.users["rep"],
        at=start - dt.timedelta(minutes=1),
    )
    assert "cannot be before the check-in" in error.messages[0]


def test_half_a_check_out_position_is_refused(visit, world):
    check_in(visit, world, 31.0, 121.0)
    error = refused(services.activity_check_out, activity=visit, user=world.users["rep"], lat=31.0)
    assert error.messages == ["Give both latitude and longitude of the check-out, or neither."]


def test_checking_out_schedules_the_follow_up(visit, world):
    FollowUpRule.objects.create(name="回访", trigger="visit", delay_days=2)
    check_in(visit, world, 31.0, 121.0)
    services.activity_check_out(activity=visit, user=world.users["rep"])
    services.activity_complete(activity=visit, outcome="签了")  # the log after it
    assert Activity.objects.filter(origin_activity=visit).count() == 1


def test_a_checked_in_visit_cannot_be_cancelled(visit, world):
    check_in(visit, world, 31.0, 121.0)
    error = refused(services.activity_cancel, activity=visit)
    assert error.messages == [
        "This visit has been checked in: check out and log it instead of cancelling it."
    ]


def test_checking_in_here_creates_an_unplanned_visit(world):
    customer = world.customers["CUS-G1"]
    visit = services.activity_check_in_here(
        customer=customer, lat=31.0, lng=121.0, user=world.users["rep"]
    )
    assert visit.type == ActivityType.VISIT
    assert visit.owner == world.users["rep"]
    assert visit.status == ActivityStatus.PLANNED
    assert visit.checkin_at == visit.planned_at
    assert visit.checkin_flags == [NO_LOCATION]
    assert visit.subject == "Visit: 客户 CUS-G1"


def test_checking_in_here_with_a_bad_position_creates_nothing(world):
    error = refused(
        services.activity_check_in_here,
        customer=world.customers["CUS-G1"],
        lat=100.0,
        lng=121.0,
        user=world.users["rep"],
    )
    assert list(error.message_dict) == ["lat"]
    assert not Activity.objects.exists()
