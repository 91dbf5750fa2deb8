"""A rep's day on a tiny instance whose best route is obvious: exact order, times and
distance; what is left out and why; reorder, optimise, confirm, re-plan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridsales.routes import services
from gridsales.routes.choices import RoutePlanStatus, StopKind
from gridsales.routes.messages import drop_message
from gridsales.routes.models import RoutePlan
from gridsales.routes.tests.factories import appointment, tiny_day, tomorrow
from gridsales.team.models import RepProfile

LIMIT = 0.3


@pytest.fixture
def day(world):
    return tiny_day(world)


def plan_of(world, **kw):
    return services.route_plan_day(
        rep=world.users["rep"], day=world.day, user=world.users["rep"], time_limit=LIMIT, **kw
    )


def planned(plan):
    return [("lunch" if s.is_lunch else s.name[3:]) for s in plan.stops.in_order()]


def times(plan):
    return [(s.arrival_time(), s.start_time(), s.end_time()) for s in plan.stops.in_order()]


def test_the_day_follows_the_appointments_and_keeps_the_more_important_due_customer(day):
    plan = plan_of(day)
    assert planned(plan) == ["T-A", "T-B", "lunch", "T-C", "T-D"]
    stops = list(plan.stops.in_order())
    assert [s.kind for s in stops] == ["appointment"] * 2 + ["lunch", "appointment", "due"]
    assert times(plan)[:2] == [("09:00", "09:00", "09:30"), ("09:33", "10:00", "10:30")]
    assert [t[1:] for t in times(plan)[2:]] == [
        ("12:00", "12:45"),
        ("14:00", "14:30"),
        ("15:00", "15:45"),
    ]
    assert stops[1].arrival == pytest.approx(572.6)
    assert stops[1].wait == pytest.approx(27.4)
    assert stops[4].arrival == pytest.approx(872.6)
    # Leaves 2.6 minutes before 09:00, back 5.2 minutes after 15:45; 8 km × 1.3 by road.
    assert plan.depart == pytest.approx(537.4)
    assert plan.back == pytest.approx(950.2)
    assert (plan.depart_time(), plan.back_time()) == ("08:57", "15:50")
    assert plan.distance_m == pytest.approx(10_400.0)
    assert plan.drive_minutes == pytest.approx(20.8)
    assert not any(s.is_late for s in stops)
    assert (plan.status, plan.depot_kind, plan.rep, plan.day) == (
        "draft",
        "office",
        day.users["rep"],
        day.day,
    )


def test_what_does_not_fit_is_left_out_with_its_reason(day):
    plan = plan_of(day)
    left = {s.name[3:]: s for s in plan.stops.dropped()}
    assert set(left) == {"T-E", "T-F", "T-G"}
    assert left["T-E"].drop_reason == "full"
    assert left["T-F"].drop_reason == "window"
    assert left["T-G"].drop_reason == "no_location"
    assert left["T-G"].kind == StopKind.APPOINTMENT and left["T-G"].required
    assert drop_message(left["T-F"].drop_reason, left["T-F"].drop_params) == (
        "It can start only between 19:00 and 19:40: the working day does not reach it in "
        "time, even as the only visit."
    )
    assert drop_message(left["T-E"].drop_reason, left["T-E"].drop_params) == (
        "The day is full: it fits nowhere in the route without breaking a window, the "
        "working hours or the lunch break."
    )
    assert drop_message("no_location", {}) == (
        "The customer has no location: add its coordinates to plan visits to it."
    )


def test_stops_keep_their_customer_visit_window_and_priority(day):
    plan = plan_of(day)
    by_name = {s.name[3:]: s for s in plan.stops.exclude(kind="lunch")}
    a, d, e = by_name["T-A"], by_name["T-D"], by_name["T-E"]
    assert (a.customer, a.activity, a.required) == (day.c["A"], day.visits["A"], True)
    assert (a.window_text(), a.service) == ("09:00–09:15", 30)
    # Tier A, 23 days overdue: 4 + 3 full weeks; tier D: 1 + 3. Service by tier.
    assert (d.priority, d.service, d.window_text()) == (7, 45, "15:00–15:15")
    assert (e.priority, e.service, e.window_text()) == (4, 15, "15:00–15:30")


def test_appointments_that_clash_keep_one_and_say_why_the_other_is_left_out(day):
    appointment(day.c["D"], day.users["rep"], day.day, "09:00", subject="冲突")
    plan = plan_of(day)
    assert planned(plan)[0] in ("T-A", "T-D")
    clash = [s for s in plan.stops.dropped() if s.kind == StopKind.APPOINTMENT and s.lat]
    assert len(clash) == 1 and clash[0].drop_reason == "full"


def test_a_rep_with_a_home_location_starts_and_ends_there(day):
    RepProfile.objects.filter(user=day.users["rep"]).update(
        home_lat=day.c["B"].lat, home_lng=day.c["B"].lng
    )
    plan = plan_of(day)
    assert plan.depot_kind == "home"
    assert (plan.depot_lat, plan.depot_lng) == (day.c["B"].lat, day.c["B"].lng)
    # From B, A is 1 000 m away as from the office: the same departure; back home from D
    # (4 km) instead of the office (2 km).
    assert planned(plan)[:2] == ["T-A", "T-B"]
    assert plan.depart == pytest.approx(537.4)
    assert plan.back == pytest.approx(945 + 10.4)


def test_planning_again_rewrites_the_draft_in_place(day):
    first = plan_of(day)
    again = plan_of(day)
    assert again.pk == first.pk
    assert RoutePlan.objects.filter(rep=day.users["rep"], day=day.day).count() == 1
    assert planned(again) == ["T-A", "T-B", "lunch", "T-C", "T-D"]


def test_a_confirmed_plan_stays_while_a_new_draft_is_planned(day):
    first = services.route_plan_confirm(plan=plan_of(day))
    assert (first.status, first.confirmed_at is not None) == ("confirmed", True)
    draft = plan_of(day)
    assert draft.pk != first.pk and draft.status == RoutePlanStatus.DRAFT
    services.route_plan_confirm(plan=draft)
    assert list(RoutePlan.objects.filter(day=day.day).values_list("pk", "status")) == [
        (draft.pk, "confirmed")
    ]


def test_reordering_recomputes_the_times_and_marks_late_visits(day):
    plan = plan_of(day)
    ids = {("lunch" if s.is_lunch else s.name[3:]): s.pk for s in plan.stops.in_order()}
    order = [ids[k] for k in ("T-B", "T-A", "lunch", "T-C", "T-D")]
    plan = services.route_plan_reorder(plan=plan, stop_ids=order)
    assert plan.reordered
    assert planned(plan) == ["T-B", "T-A", "lunch", "T-C", "T-D"]
    b, a = list(plan.stops.in_order())[:2]
    # B opens at 10:00 and takes 30 minutes; A is then 2.6 minutes away, 77.6 min late.
    assert (b.start_time(), b.end_time(), b.is_late) == ("10:00", "10:30", False)
    assert a.start == pytest.approx(632.6)
    assert (a.is_late, round(a.late_by, 1)) == (True, 77.6)
    assert plan.depart == pytest.approx(600 - 5.2)


def test_reordering_without_the_lunch_puts_it_where_it_fits(day):
    plan = plan_of(day)
    visits = [s.pk for s in plan.stops.in_order() if not s.is_lunch]
    plan = services.route_plan_reorder(plan=plan, stop_ids=visits)
    assert planned(plan) == ["T-A", "T-B", "lunch", "T-C", "T-D"]
    lunch = plan.stops.get(kind="lunch")
    assert (lunch.start_time(), lunch.end_time(), lunch.is_late) == ("12:00", "12:45", False)


def test_a_reorder_must_list_every_planned_stop_once(day):
    plan = plan_of(day)
    visits = [s.pk for s in plan.stops.in_order() if not s.is_lunch]
    dropped = plan.stops.dropped().first().pk
    with pytest.raises(ValidationError) as caught:
        services.route_plan_reorder(plan=plan, stop_ids=[*visits[1:], dropped])
    assert caught.value.message_dict["stop_ids"] == [
        "List every planned stop of the route once, in the new order. Missing: "
        f"{visits[0]}; not planned or twice: {dropped}."
    ]


def test_optimising_again_restores_the_best_order(day):
    plan = plan_of(day)
    stops = list(plan.stops.in_order())
    services.route_plan_reorder(plan=plan, stop_ids=[s.pk for s in reversed(stops)])
    again = services.route_plan_optimise(plan=plan, user=day.users["rep"], time_limit=LIMIT)
    assert again.pk == plan.pk and not again.reordered
    assert planned(again) == ["T-A", "T-B", "lunch", "T-C", "T-D"]
    assert {s.name[3:] for s in again.stops.dropped()} == {"T-E", "T-F", "T-G"}


def test_optimising_a_confirmed_plan_makes_a_draft(day):
    confirmed = services.route_plan_confirm(plan=plan_of(day))
    draft = services.route_plan_optimise(plan=confirmed, user=day.users["rep"], time_limit=LIMIT)
    assert draft.pk != confirmed.pk and draft.status == "draft"
    assert planned(draft) == planned(confirmed)


def test_a_day_in_the_past_is_not_planned(day):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        services.route_plan_day(rep=day.users["rep"], day=yesterday, user=day.users["rep"])
    assert caught.value.message_dict["day"] == [
        f"{yesterday:%Y-%m-%d} is in the past: plan today or a later day."
    ]


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("rep", True),
        ("gridmanager", True),
        ("regional", True),
        ("admin", True),
        ("director", True),
        ("analyst", False),
        ("finance", False),
        ("rep2", False),
        ("outsider", False),
    ],
)
def test_who_may_plan_the_reps_day(world, persona, allowed):
    rep = world.users["rep"]
    if allowed:
        plan = services.route_plan_day(
            rep=rep, day=tomorrow(), user=world.users[persona], time_limit=0.05
        )
        assert plan.rep == rep
    else:
        with pytest.raises(PermissionDenied):
            services.route_plan_day(rep=rep, day=tomorrow(), user=world.users[persona])


def test_the_demo_gets_a_plan_of_today_for_each_rep(day):
    plans = services.route_plans_for_today(reps=[day.users["rep"], day.users["rep2"]])
    assert [(p.rep.username, p.day) for p in plans] == [
        ("rep", timezone.localdate()),
        ("rep2", timezone.localdate()),
    ]
    # rep's customers are due today too (the appointments are tomorrow's).
    assert {s.name[3:] for s in plans[0].stops.exclude(kind="lunch")} >= {"T-D", "T-E"}
