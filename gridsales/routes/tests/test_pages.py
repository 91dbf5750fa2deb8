"""Every route page × every persona (200 / 302 / 403 / 404 exactly), and what the pages
show: the route with times, navigation and left-out reasons, reordering, the calendar
file, plan versus actual, the Today page's route, the team week."""

import dataclasses
import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from gridsales.activities import services as activity_services
from gridsales.care.models import CadencePolicy
from gridsales.conftest import PERSONAS
from gridsales.grids import crs
from gridsales.routes import services
from gridsales.routes.models import RoutePlan, WeekPlan
from gridsales.routes.tests.factories import (
    OFFICE,
    next_monday,
    placed,
    route_world,
    tiny_day,
    week_world,
)

READ_ALL = {"admin", "director", "analyst", "finance"}
SEES_REP = READ_ALL | {"regional", "gridmanager", "rep"}
CHANGES_REP = {"admin", "director", "regional", "gridmanager", "rep"}
MANAGERS = {"admin", "director", "regional", "gridmanager"}


def client_for(world, persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


def expected(persona, sees, allowed=None, ok=200):
    if persona not in sees:
        return 404
    if allowed is not None and persona not in allowed:
        return 403
    return ok


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_route_page_answers_exactly_by_persona(persona, world):
    plan = route_world(world)["rep"]
    week = week_world(world)["R1-A1-G1"]
    client = client_for(world, persona)
    gets = {
        "/routes/": 200,
        "/routes/plan/": 403 if persona in {"analyst", "finance"} else 200,
        f"/routes/{plan}/": expected(persona, SEES_REP),
        f"/routes/{plan}/day.ics": expected(persona, SEES_REP),
        "/routes/weeks/": 200 if persona in READ_ALL | MANAGERS else 403,
        f"/routes/weeks/{week}/": expected(persona, READ_ALL | {"regional", "gridmanager"}),
    }
    posts = {
        f"/routes/{plan}/confirm/": expected(persona, SEES_REP, CHANGES_REP, 302),
        f"/routes/{plan}/reorder/": expected(persona, SEES_REP, CHANGES_REP, 302),
        f"/routes/{plan}/optimise/": expected(persona, SEES_REP, CHANGES_REP, 302),
    }
    problems = []
    for url, want in gets.items():
        got = client.get(url).status_code
        if got != want:
            problems.append(f"GET {url}: {got}, expected {want}")
    for url, want in posts.items():
        got = client.post(url, {"order": ""}).status_code
        if got != want:
            problems.append(f"POST {url}: {got}, expected {want}")
    assert not problems, "\n".join(problems)


def test_anonymous_visitors_are_sent_to_log_in(world):
    plan = route_world(world)["rep"]
    for url in ("/routes/", f"/routes/{plan}/", f"/routes/{plan}/day.ics", "/routes/weeks/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.fixture
def day(world):
    world = tiny_day(world)
    world.plan = services.route_plan_day(
        rep=world.users["rep"], day=world.day, user=world.users["rep"], time_limit=0.3
    )
    return world


def stop_ids(plan):
    return {("lunch" if s.is_lunch else s.name[3:]): s.pk for s in plan.stops.in_order()}


def test_the_route_page_shows_the_stops_in_order_with_times_and_navigation(day):
    html = client_for(day, "rep").get(f"/routes/{day.plan.pk}/").content.decode()
    names = re.findall(r'data-testid="stop-name">客户 (T-\w)<', html)
    assert names == ["T-A", "T-B", "T-C", "T-D"]
    assert re.findall(r'data-testid="stop-time">([\d:–]+)<', html) == [
        "09:00–09:30",
        "10:00–10:30",
        "12:00–12:45",
        "14:00–14:30",
        "15:00–15:45",
    ]
    assert 'data-testid="depart">08:57<' in html and 'data-testid="back">15:50<' in html
    assert 'data-testid="distance">10.4 km<' in html
    assert html.count('data-testid="nav-amap"') == 4 and html.count('data-testid="nav-baidu"') == 4
    a = day.c["A"]
    g_lng, g_lat = crs.wgs84_to_gcj02(a.lng, a.lat)
    assert f"https://uri.amap.com/marker?position={g_lng:.6f},{g_lat:.6f}&amp;name=" in html
    assert "It can start only between 19:00 and 19:40" in html
    assert "The customer has no location" in html
    assert 'data-testid="late-alert"' not in html
    assert 'data-testid="confirm"' in html and 'data-testid="optimise"' in html


def test_the_map_gets_the_tiles_coordinates(day, settings):
    def depot(html):
        data = re.search(r'id="route-data" type="application/json">(.*?)</script>', html).group(1)
        return json.loads(data)["depot"]

    assert depot(client_for(day, "rep").get(f"/routes/{day.plan.pk}/").content.decode()) == [
        pytest.approx(OFFICE[0]),
        pytest.approx(OFFICE[1]),
    ]
    settings.MAP_TILES_CRS = "gcj02"
    lng, lat = crs.wgs84_to_gcj02(OFFICE[1], OFFICE[0])
    html = client_for(day, "rep").get(f"/routes/{day.plan.pk}/").content.decode()
    assert depot(html) == [pytest.approx(lat, abs=1e-6), pytest.approx(lng, abs=1e-6)]


def test_a_manager_sees_the_route_but_an_analyst_cannot_change_it(day):
    html = client_for(day, "analyst").get(f"/routes/{day.plan.pk}/").content.decode()
    assert 'data-testid="stop-list"' in html
    assert 'data-testid="confirm"' not in html and 'data-testid="up"' not in html
    html = client_for(day, "gridmanager").get(f"/routes/{day.plan.pk}/").content.decode()
    assert 'data-testid="confirm"' in html and 'draggable="true"' in html


def test_reordering_from_the_page_answers_the_new_times_with_late_stops_in_red(day):
    ids = stop_ids(day.plan)
    order = ",".join(str(ids[k]) for k in ("T-B", "T-A", "lunch", "T-C", "T-D"))
    response = client_for(day, "rep").post(
        f"/routes/{day.plan.pk}/reorder/", {"order": order}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'data-testid="stop-name">客户 (T-\w)<', html)[:2] == ["T-B", "T-A"]
    assert 'data-testid="late-alert"' in html
    assert "1 stop starts after its window closes." in html
    assert "Late by 78 min: the window is 09:00–09:15." in html
    assert "<html" not in html  # only the refreshed part


def test_a_bad_order_is_explained(day):
    response = client_for(day, "rep").post(
        f"/routes/{day.plan.pk}/reorder/", {"order": "1,x"}, HTTP_X_REQUESTED_WITH="fetch"
    )
    assert response.status_code == 400
    assert "Send the new order as stop ids separated by commas, e.g. 12,15,13." in (
        response.content.decode()
    )


def test_the_up_and_down_buttons_move_a_stop(day):
    ids = stop_ids(day.plan)
    response = client_for(day, "rep").post(
        f"/routes/{day.plan.pk}/reorder/", {"stop": ids["T-B"], "direction": "up"}
    )
    assert response.status_code == 302
    assert list(stop_ids(day.plan)) == ["T-B", "T-A", "lunch", "T-C", "T-D"]
    client_for(day, "rep").post(
        f"/routes/{day.plan.pk}/reorder/", {"stop": ids["T-B"], "direction": "down"}
    )
    assert list(stop_ids(day.plan)) == ["T-A", "T-B", "lunch", "T-C", "T-D"]


def test_confirm_and_optimise_again(day):
    client = client_for(day, "rep")
    assert client.post(f"/routes/{day.plan.pk}/confirm/").status_code == 302
    day.plan.refresh_from_db()
    assert day.plan.status == "confirmed"
    response = client.post(f"/routes/{day.plan.pk}/optimise/")
    draft = RoutePlan.objects.get(rep=day.users["rep"], day=day.day, status="draft")
    assert response["Location"] == f"/routes/{draft.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "Planned 4 visits, 3 left out" in html
    assert "See the confirmed route of this day" in html


def test_planning_a_day_from_the_form(world):
    client = client_for(world, "gridmanager")
    response = client.post(
        "/routes/plan/", {"rep": world.users["rep"].pk, "day": timezone.localdate().isoformat()}
    )
    plan = RoutePlan.objects.get(rep=world.users["rep"])
    assert response["Location"] == f"/routes/{plan.pk}/"
    # rep2 is not among the reps the grid manager may plan for.
    response = client.post(
        "/routes/plan/", {"rep": world.users["rep2"].pk, "day": timezone.localdate().isoformat()}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()


def test_a_day_in_the_past_is_refused_on_the_form(world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client_for(world, "rep").post(
        "/routes/plan/", {"rep": world.users["rep"].pk, "day": yesterday.isoformat()}
    )
    assert response.status_code == 400
    assert f"{yesterday:%Y-%m-%d} is in the past: plan today or a later day." in (
        response.content.decode()
    )


def test_the_calendar_file_has_one_event_per_visit(day):
    response = client_for(day, "rep").get(f"/routes/{day.plan.pk}/day.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    name = f"route-rep-{day.day:%Y-%m-%d}.ics"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    text = response.content.decode().replace("\r\n ", "")
    assert text.count("BEGIN:VEVENT") == 4
    ymd = f"{day.day:%Y%m%d}"
    assert f"DTSTART;TZID=Asia/Shanghai:{ymd}T090000" in text
    assert f"DTEND;TZID=Asia/Shanghai:{ymd}T154500" in text
    rep = day.users["rep"]
    assert f"UID:gridsales-route-{rep.pk}-{ymd}-activity-{day.visits['A'].pk}@gridsales" in text
    assert f"UID:gridsales-route-{rep.pk}-{ymd}-customer-{day.c['D'].pk}@gridsales" in text
    assert "SUMMARY:1. 客户 T-A" in text and "SUMMARY:4. 客户 T-D" in text
    assert f"GEO:{day.c['A'].lat:.6f};{day.c['A'].lng:.6f}" in text
    assert "DESCRIPTION:Window 09:00–09:15 · 30 min · Appointment\\nAmap: https://" in text


def test_check_ins_are_compared_with_the_plan(day):
    rep = day.users["rep"]
    plan = day.plan
    stops = {s.name[3:]: s for s in plan.stops.in_order() if not s.is_lunch}
    # The plan's day already happened: A checked in at 09:05 (on time), B at 10:40 (late),
    # C never: missed.
    RoutePlan.objects.filter(pk=plan.pk).update(day=timezone.localdate() - dt.timedelta(days=1))
    plan.refresh_from_db()
    for key, hhmm in (("A", "09:05"), ("B", "10:40")):
        activity = day.visits[key]
        at = timezone.make_aware(dt.datetime.combine(plan.day, dt.time.fromisoformat(hhmm)))
        activity_services.activity_check_in(
            activity=activity, user=rep, lat=day.c[key].lat, lng=day.c[key].lng, at=at
        )
    html = client_for(day, "rep").get(f"/routes/{plan.pk}/").content.decode()

    def actual(key):
        start = html.index(f'data-testid="stop-{stops[key].pk}"')
        part = html[start : html.index("</li>", start)]
        return re.sub(
            r"\s+", " ", re.search(r'data-testid="actual">(.*?)</div>', part, re.S).group(1)
        ).strip()

    assert re.sub(r"<[^>]+>", "", actual("T-A")) == "Checked in 09:05 · 0 m away · on time"
    assert re.sub(r"<[^>]+>", "", actual("T-B")) == "Checked in 10:40 · 0 m away · 40 min late"
    assert re.sub(r"<[^>]+>", "", actual("T-C")) == "Missed: no check-in"


def test_the_today_page_shows_the_route_of_the_day(world):
    world = tiny_day(world, on=timezone.localdate())
    client = client_for(world, "rep")
    html = client.get("/activities/today/").content.decode()
    assert 'data-testid="route-empty"' in html and 'data-testid="plan-route"' in html
    response = client.post(
        "/routes/plan/", {"rep": world.users["rep"].pk, "day": timezone.localdate().isoformat()}
    )
    plan = RoutePlan.objects.get(rep=world.users["rep"])
    html = client.get("/activities/today/").content.decode()
    assert f'href="/routes/{plan.pk}/" data-testid="route-link"' in html
    assert re.findall(r'data-testid="route-time">([\d:]+)<', html) == [
        "09:00",
        "10:00",
        "12:00",
        "14:00",
        "15:00",
    ]
    assert response.status_code == 302
    # A manager looking at the rep's day sees the route, without the button to plan it.
    html = client_for(world, "gridmanager").get("/activities/today/?rep=rep").content.decode()
    assert 'data-testid="route-link"' in html and 'data-testid="plan-route"' not in html


def test_the_week_pages_plan_and_show_a_team_week(world, settings):
    settings.ROUTES = dataclasses.replace(settings.ROUTES, week_time_limit=1.5)
    CadencePolicy.objects.create(tier="A", interval_days=7)
    g1, rep = world.grids["R1-A1-G1"], world.users["rep"]
    for i in range(3):
        placed(f"W{i}", owner=rep, grid=g1, north_m=1000 * (i + 1), created_days_ago=60)
    client = client_for(world, "gridmanager")
    html = client.get("/routes/weeks/").content.decode()
    assert 'data-testid="plan-week-form"' in html
    monday = next_monday()
    response = client.post(
        "/routes/weeks/",
        {"grid": g1.pk, "week_start": monday.isoformat(), "keep_own_customers": "on"},
    )
    week = WeekPlan.objects.get(grid=g1, week_start=monday)
    assert response["Location"] == f"/routes/weeks/{week.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="week-row-rep"' in html
    assert 'data-testid="total-rep">3 stops' in html
    assert 'data-testid="replan-week"' in html
    assert RoutePlan.objects.filter(week=week).count() == len(
        {p.day for p in RoutePlan.objects.filter(week=week)}
    )


def test_a_week_that_does_not_start_on_monday_is_refused_on_the_form(world):
    g1 = world.grids["R1-A1-G1"]
    tuesday = next_monday() + dt.timedelta(days=1)
    response = client_for(world, "gridmanager").post(
        "/routes/weeks/", {"grid": g1.pk, "week_start": tuesday.isoformat()}
    )
    assert response.status_code == 400
    assert f"{tuesday:%Y-%m-%d} is not a Monday: a week plan starts on a Monday." in (
        response.content.decode()
    )


def test_the_week_pages_are_not_for_reps(world):
    client = client_for(world, "rep")
    assert client.get("/routes/weeks/").status_code == 403
    assert client.post("/routes/weeks/", {}).status_code == 403
