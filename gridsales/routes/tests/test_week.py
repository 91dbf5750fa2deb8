"""A grid team's week: working days on the Chinese calendar, customers kept with their
owner (or not), planned visits fixed to their day, confirmed days kept, who may plan."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridsales.care.models import CadencePolicy
from gridsales.routes import services
from gridsales.routes import week as week_module
from gridsales.routes.models import RoutePlan, RouteStop
from gridsales.routes.tests.factories import appointment, placed
from gridsales.team.models import Membership, RepProfile
from gridsales.team.tests.factories import MembershipFactory, RepFactory

SEPT_28 = dt.date(2026, 9, 28)  # Mon–Wed work; Thu 1 October starts the National Day week
OCT_5 = dt.date(2026, 10, 5)  # Mon–Wed holidays; Thu, Fri and the make-up Saturday work
LIMIT = 1.0


@pytest.fixture
def team(world, monkeypatch):
    """ "Today" is 2026-09-01, so September's weeks can be planned. R1-A1-G1's reps: rep
    (home 8 km north) and rep3 (home 8 km south); four customers of each, due, rep's in
    the north and rep3's in the south, and X of rep's in the south; plus one of rep2 (not
    on the team) and one without a location."""
    monkeypatch.setattr(week_module, "today", lambda: dt.date(2026, 9, 1))
    g1 = world.grids["R1-A1-G1"]
    Membership.objects.update(valid_from=dt.date(2026, 1, 1), share_pct=50)
    rep, rep3 = world.users["rep"], RepFactory(username="rep3")
    MembershipFactory(user=rep3, grid=g1, valid_from=dt.date(2026, 1, 1), share_pct=50)
    CadencePolicy.objects.create(tier="A", interval_days=7)
    for user, north in ((rep, 8000), (rep3, -8000)):
        office = placed(f"HOME-{user.username}", north_m=north)  # just for its coordinates
        RepProfile.objects.filter(user=user).update(home_lat=office.lat, home_lng=office.lng)
        office.delete()
    for i in range(4):
        placed(f"N{i}", owner=rep, grid=g1, north_m=6000 + 500 * i, created_days_ago=120)
        placed(f"S{i}", owner=rep3, grid=g1, north_m=-6000 - 500 * i, created_days_ago=120)
    placed("X", owner=rep, grid=g1, north_m=-7200, created_days_ago=120)
    placed("OTHER", owner=world.users["rep2"], grid=g1, north_m=0, created_days_ago=120)
    placed("NOWHERE", owner=rep, grid=g1, north_m=None, created_days_ago=120)
    world.users["rep3"] = rep3
    return world


def plan_week(world, week_start=SEPT_28, user="gridmanager", **kw):
    return services.route_plan_week(
        grid=world.grids["R1-A1-G1"],
        week_start=week_start,
        user=world.users[user],
        time_limit=LIMIT,
        **kw,
    )


def visits(week, **plans):
    """{customer code: (rep, day)} of the week's planned visits (of its `plans`)."""
    plans = {f"plan__{k}": v for k, v in plans.items()}
    rows = RouteStop.objects.filter(
        plan__week=week, position__isnull=False, customer__isnull=False, **plans
    )
    return {
        s.customer.code: (s.plan.rep.username, s.plan.day)
        for s in rows.select_related("customer", "plan__rep")
    }


def test_the_working_days_follow_the_chinese_calendar():
    days = [SEPT_28 + dt.timedelta(days=i) for i in range(7)]
    assert [d for d in days if week_module.is_working_day(d)] == days[:3]


def test_holidays_are_skipped(team):
    week = plan_week(team)
    plans = RoutePlan.objects.filter(week=week)
    assert sorted({p.day for p in plans}) == [SEPT_28, dt.date(2026, 9, 29), dt.date(2026, 9, 30)]
    assert sorted({p.rep.username for p in plans}) == ["rep", "rep3"]
    assert plans.count() == 6 and all(p.status == "draft" for p in plans)


def test_a_make_up_saturday_is_a_working_day(team):
    week = plan_week(team, week_start=OCT_5)
    days = sorted({p.day for p in RoutePlan.objects.filter(week=week)})
    assert days == [dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 10)]


def test_each_customer_is_visited_once_by_its_owner(team):
    week = plan_week(team)
    seen = visits(week)
    assert set(seen) == {f"N{i}" for i in range(4)} | {f"S{i}" for i in range(4)} | {"X"}
    assert {seen[f"N{i}"][0] for i in range(4)} == {"rep"} and seen["X"][0] == "rep"
    assert {seen[f"S{i}"][0] for i in range(4)} == {"rep3"}
    assert {(u["code"], u["reason"]) for u in week.unplanned} == {
        ("OTHER", "no_rep"),
        ("NOWHERE", "no_location"),
    }
    assert week.keep_own_customers and week.seconds > 0


def test_without_keeping_owners_the_nearer_rep_visits(team):
    week = plan_week(team, keep_own_customers=False)
    seen = visits(week)
    assert seen["X"][0] == "rep3"  # 1 km from rep3's home, 15 km from rep's
    assert seen["OTHER"][0] in ("rep", "rep3")
    assert [u["code"] for u in week.unplanned] == ["NOWHERE"]
    assert not week.keep_own_customers


def test_a_planned_visit_stays_on_its_day_with_its_rep(team):
    customer = team.users["rep3"].customers.get(code="S3")
    appointment(customer, team.users["rep3"], dt.date(2026, 9, 29), "10:00")
    seen = visits(plan_week(team))
    assert seen["S3"] == ("rep3", dt.date(2026, 9, 29))
    stop = RouteStop.objects.get(customer=customer, position__isnull=False)
    assert (stop.kind, stop.start_time()) == ("appointment", "10:00")


def test_a_confirmed_day_is_kept_and_the_rest_replanned(team):
    week = plan_week(team)
    monday = RoutePlan.objects.get(week=week, rep=team.users["rep"], day=SEPT_28)
    services.route_plan_confirm(plan=monday)
    planned = monday.stops.filter(customer__isnull=False, position__isnull=False)
    kept = set(planned.values_list("customer__code", flat=True))
    assert kept
    again = plan_week(team)
    assert again.pk == week.pk
    monday.refresh_from_db()
    assert monday.status == "confirmed"
    drafts = RoutePlan.objects.filter(week=again, status="draft")
    assert not drafts.filter(rep=team.users["rep"], day=SEPT_28).exists()
    assert drafts.count() == 5
    assert not kept & set(visits(again, status="draft"))
    assert visits(again).keys() == {f"N{i}" for i in range(4)} | {f"S{i}" for i in range(4)} | {"X"}


@pytest.mark.parametrize(
    "week_start, message",
    [
        (dt.date(2026, 9, 29), "2026-09-29 is not a Monday: a week plan starts on a Monday."),
        (
            dt.date(2026, 8, 24),
            "The week of 2026-08-24 has no working day left to plan: choose a later week.",
        ),
    ],
)
def test_a_week_must_start_on_a_monday_with_days_left(team, week_start, message):
    with pytest.raises(ValidationError) as caught:
        plan_week(team, week_start=week_start)
    assert caught.value.message_dict["week_start"] == [message]


def test_a_grid_without_reps_says_so(team):
    with pytest.raises(ValidationError) as caught:
        services.route_plan_week(
            grid=team.grids["R1-A1-G2"], week_start=SEPT_28, user=team.users["regional"]
        )
    assert caught.value.messages == [
        "R1-A1-G2 has no reps this week: add members to the grid first."
    ]


@pytest.mark.parametrize(
    "persona, allowed",
    [
        ("admin", True),
        ("director", True),
        ("regional", True),
        ("gridmanager", True),
        ("analyst", False),
        ("finance", False),
        ("rep", False),
        ("rep2", False),
        ("outsider", False),
    ],
)
def test_only_the_grids_managers_plan_its_week(team, persona, allowed):
    if allowed:
        assert plan_week(team, user=persona).grid == team.grids["R1-A1-G1"]
    else:
        with pytest.raises(PermissionDenied):
            plan_week(team, user=persona)
