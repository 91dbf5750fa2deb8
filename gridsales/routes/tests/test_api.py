"""The route plan API beyond the permission matrix: plan a day, reorder, optimise,
confirm, plan a team week; times as HH:MM, navigation links, messages that say what to fix."""

import pytest
from django.utils import timezone

from gridsales.care.models import CadencePolicy
from gridsales.routes.models import RoutePlan, WeekPlan
from gridsales.routes.tests.factories import next_monday, placed, tiny_day


@pytest.fixture
def day(world):
    return tiny_day(world)


def plan_day(api, world, persona="rep", rep="rep"):
    return api(persona).post(
        "/api/v1/route-plans/plan-day/",
        {"rep": rep, "day": world.day.isoformat(), "time_limit": 0.3},
        format="json",
    )


def test_planning_a_day_answers_the_route(day, api):
    response = plan_day(api, day)
    assert response.status_code == 201
    body = response.json()
    assert (body["rep"], body["day"], body["status"]) == ("rep", day.day.isoformat(), "draft")
    assert (body["depart"], body["back"], body["distance_km"]) == ("08:57", "15:50", 10.4)
    assert (body["visit_count"], body["dropped_count"]) == (4, 3)
    assert [(s["name"], s["start"], s["end"]) for s in body["stops"]] == [
        ("客户 T-A", "09:00", "09:30"),
        ("客户 T-B", "10:00", "10:30"),
        ("", "12:00", "12:45"),
        ("客户 T-C", "14:00", "14:30"),
        ("客户 T-D", "15:00", "15:45"),
    ]
    first = body["stops"][0]
    assert (first["customer"], first["window"], first["wait_minutes"]) == (
        "T-A",
        ["09:00", "09:15"],
        0,
    )
    assert first["navigate"]["amap"].startswith("https://uri.amap.com/marker?position=")
    assert "coord_type=bd09ll" in first["navigate"]["baidu"]
    assert body["stops"][2]["kind"] == "lunch" and body["stops"][2]["navigate"] is None
    reasons = {s["customer"]: (s["drop_reason"], s["drop_message"]) for s in body["dropped"]}
    assert reasons["T-F"] == (
        "window",
        "It can start only between 19:00 and 19:40: the working day does not reach it in "
        "time, even as the only visit.",
    )
    assert reasons["T-G"][0] == "no_location" and reasons["T-E"][0] == "full"


def test_reordering_recomputes_and_reports_lateness(day, api):
    body = plan_day(api, day).json()
    ids = [s["id"] for s in body["stops"]]
    response = api("rep").post(
        f"/api/v1/route-plans/{body['id']}/reorder/",
        {"stop_ids": [ids[1], ids[0], *ids[2:]]},
        format="json",
    )
    assert response.status_code == 200
    stops = response.json()["stops"]
    assert [(s["customer"], s["start"], s["late_by_minutes"]) for s in stops[:2]] == [
        ("T-B", "10:00", 0),
        ("T-A", "10:33", 78),
    ]
    assert response.json()["reordered"] is True


def test_a_reorder_that_forgets_a_stop_says_which(day, api):
    body = plan_day(api, day).json()
    ids = [s["id"] for s in body["stops"] if s["kind"] != "lunch"]
    response = api("rep").post(
        f"/api/v1/route-plans/{body['id']}/reorder/", {"stop_ids": ids[1:]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "stop_ids": [
            "List every planned stop of the route once, in the new order. Missing: "
            f"{ids[0]}; not planned or twice: -."
        ]
    }


def test_confirm_then_optimise_gives_a_new_draft(day, api):
    body = plan_day(api, day).json()
    client = api("rep")
    confirmed = client.post(f"/api/v1/route-plans/{body['id']}/confirm/", {}, format="json")
    assert confirmed.json()["status"] == "confirmed"
    draft = client.post(
        f"/api/v1/route-plans/{body['id']}/optimise/", {"time_limit": 0.3}, format="json"
    ).json()
    assert draft["id"] != body["id"] and draft["status"] == "draft"
    listed = client.get("/api/v1/route-plans/", {"day_from": day.day.isoformat()}).json()
    assert {(p["id"], p["status"]) for p in listed["results"]} == {
        (body["id"], "confirmed"),
        (draft["id"], "draft"),
    }


def test_a_rep_plans_only_their_own_days(day, api):
    assert plan_day(api, day, "rep", "gridmanager").status_code == 403  # visible, not theirs
    response = plan_day(api, day, "rep", "rep2")  # not even visible
    assert response.status_code == 400
    assert "rep" in response.json()
    assert plan_day(api, day, "gridmanager", "rep").status_code == 201
    assert plan_day(api, day, "analyst", "rep").status_code == 403
    assert RoutePlan.objects.filter(rep=day.users["rep"]).count() == 1


def test_a_grid_manager_plans_the_teams_week(world, api):
    CadencePolicy.objects.create(tier="A", interval_days=7)
    rep, g1 = world.users["rep"], world.grids["R1-A1-G1"]
    for i in range(3):
        placed(f"W{i}", owner=rep, grid=g1, north_m=1000 * (i + 1), created_days_ago=60)
    monday = next_monday()
    response = api("gridmanager").post(
        "/api/v1/week-plans/plan-week/",
        {"grid": "R1-A1-G1", "week_start": monday.isoformat(), "time_limit": 1.5},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    week = WeekPlan.objects.get(pk=body["id"])
    assert (body["grid"], body["week_start"], body["keep_own_customers"]) == (
        "R1-A1-G1",
        monday.isoformat(),
        True,
    )
    assert sorted(body["days"]) == sorted(week.days.values_list("pk", flat=True))
    assert body["unplanned"] == [
        {
            "customer": world.customers["CUS-G1"].pk,
            "code": "CUS-G1",
            "name": "客户 CUS-G1",
            "reason": "no_location",
            "message": "The customer has no location: add its coordinates to plan visits to it.",
        }
    ]
    visited = api("gridmanager").get("/api/v1/route-plans/", {"week": week.pk}).json()
    assert sum(p["visit_count"] for p in visited["results"]) == 3
    assert all(
        p["rep"] == "rep" and p["day"] >= timezone.localdate().isoformat()
        for p in visited["results"]
    )


def test_a_rep_cannot_plan_a_week(world, api):
    response = api("rep").post(
        "/api/v1/week-plans/plan-week/",
        {"grid": "R1-A1-G1", "week_start": next_monday().isoformat()},
        format="json",
    )
    assert response.status_code == 403
    response = api("regional").post(
        "/api/v1/week-plans/plan-week/",
        {"grid": "R2-A1-G1", "week_start": next_monday().isoformat()},
        format="json",
    )
    assert response.status_code == 400  # R2 is not the regional manager's to name
