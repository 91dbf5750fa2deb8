"""Activity API: check-in/out and complete actions, filters, exports, query counts.
(Who may do what on every route is in gridsales/core/tests/test_api_permissions.py.)"""

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from gridsales.activities import services
from gridsales.activities.choices import ActivityType
from gridsales.activities.models import Activity
from gridsales.activities.tests.factories import ActivityFactory, activity_world, at
from gridsales.customers.models import Customer


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def visit(world):
    Customer.objects.filter(code="CUS-G1").update(lat=31.0, lng=121.0)
    return ActivityFactory(
        customer=Customer.objects.get(code="CUS-G1"), owner=world.users["rep"], subject="拜访 G1"
    )


def url(pk=None, action=None):
    path = "/api/v1/activities/"
    if pk is not None:
        path += f"{pk}/"
    if action:
        path += f"{action}/"
    return path


def test_check_in_answers_the_distance_and_the_flags(visit, api):
    response = api("rep").post(
        url(visit.pk, "check-in"), {"lat": 31.01, "lng": 121.0, "accuracy_m": 8}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert round(body["checkin_distance_m"]) == 1112
    assert body["checkin_flags"] == ["far"]
    assert body["checkin_flag_labels"] == ["Farther from the customer than the check-in radius"]
    assert body["checkin_accuracy_m"] == 8.0


def test_check_in_refusals_are_400_with_the_reason(visit, api):
    client = api("rep")
    response = client.post(url(visit.pk, "check-in"), {"lat": 95, "lng": 121}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "lat": ["Latitude 95.0 is out of range: it must be between -90 and 90."]
    }
    first = client.post(url(visit.pk, "check-in"), {"lat": 31, "lng": 121}, format="json")
    assert first.status_code == 200
    again = client.post(url(visit.pk, "check-in"), {"lat": 31, "lng": 121}, format="json")
    assert again.status_code == 400
    assert again.json()["non_field_errors"][0].startswith("This visit was already checked in at")


def test_a_missing_position_is_a_field_error(visit, api):
    response = api("rep").post(url(visit.pk, "check-in"), {"lat": 31}, format="json")
    assert response.status_code == 400
    assert response.json() == {"lng": ["This field is required."]}


def test_check_out_then_complete_logs_the_visit(visit, api):
    client = api("rep")
    client.post(url(visit.pk, "check-in"), {"lat": 31.0, "lng": 121.0}, format="json")
    out = client.post(url(visit.pk, "check-out"), {"lat": 31.0, "lng": 121.0}, format="json")
    assert out.status_code == 200
    assert out.json()["status"] == "done"
    assert out.json()["visit_minutes"] == 0
    done = client.post(
        url(visit.pk, "complete"),
        {"outcome": "下单", "next_step": "送货", "next_step_due": "2030-01-02"},
        format="json",
    )
    assert done.status_code == 200
    body = done.json()
    assert (body["outcome"], body["next_step"], body["next_step_due"]) == (
        "下单",
        "送货",
        "2030-01-02",
    )
    assert body["done_at"] == out.json()["done_at"]


def test_complete_keeps_what_it_is_not_given(visit, api):
    services.activity_complete(activity=visit, outcome="first", next_step="call back")
    response = api("rep").post(url(visit.pk, "complete"), {"notes": "more"}, format="json")
    assert response.status_code == 200
    assert (response.json()["outcome"], response.json()["next_step"]) == ("first", "call back")


def test_the_status_is_not_changed_by_editing(visit, api):
    response = api("rep").patch(url(visit.pk), {"status": "done"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "status": ["Change the status with POST …/complete/ or …/cancel/, not by editing."]
    }


def test_check_in_here_creates_the_visit(world, api):
    response = api("rep").post(
        url(action="check-in-here"),
        {"customer": "CUS-G1", "lat": 31.0, "lng": 121.0},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["type"], body["owner"], body["customer"]) == ("visit", "rep", "CUS-G1")
    assert body["checkin_flags"] == ["no_customer_location"]


def test_check_in_here_does_not_reach_customers_out_of_scope(world, api):
    response = api("rep").post(
        url(action="check-in-here"),
        {"customer": "CUS-R2", "lat": 31.0, "lng": 121.0},
        format="json",
    )
    assert response.status_code == 400
    assert not Activity.objects.exists()


def test_a_contact_of_another_customer_is_refused(world, api):
    response = api("rep").post(
        url(),
        {
            "customer": "CUS-G1",
            "type": "call",
            "planned_at": "2030-01-01T09:00:00+08:00",
            "contact": world.contacts["Contact CUS-NOGRID"].pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "contact": [
            "The contact Contact CUS-NOGRID belongs to another customer: choose a contact of 客户 CUS-G1."
        ]
    }


def subjects(response) -> set[str]:
    assert response.status_code == 200
    return {row["subject"] for row in response.json()["results"]}


def test_filters_of_the_list(world, api):
    activity_world(world)
    client = api("admin")
    services.activity_check_in(
        activity=Activity.objects.get(subject="V-R2"),
        lat=0.0,
        lng=0.0,
        user=world.users["rep2"],
    )
    assert subjects(client.get(url(), {"flagged": "true"})) == {"V-R2"}
    assert subjects(client.get(url(), {"flag": "no_customer_location"})) == {"V-R2"}
    assert subjects(client.get(url(), {"flag": "far"})) == set()
    assert subjects(client.get(url(), {"grid": "R1"})) == {"V-G1", "V-G2"}
    assert subjects(client.get(url(), {"owner": "rep"})) == {"V-G1", "V-NOGRID"}
    assert subjects(client.get(url(), {"customer": "CUS-R2"})) == {"V-R2", "V-OUT"}
    today = at(0).date().isoformat()
    assert len(subjects(client.get(url(), {"date_from": today, "date_to": today}))) == 5
    tomorrow = at(1).date().isoformat()
    assert subjects(client.get(url(), {"date_from": tomorrow})) == set()
    assert subjects(client.get(url(), {"type": "call"})) == set()
    assert len(subjects(client.get(url(), {"status": "planned", "purpose": "contact"}))) == 5


def test_the_export_holds_what_the_caller_sees(world, api):
    activity_world(world)
    response = api("rep").get("/api/v1/activities/export/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["subject"] for r in rows} == {"V-G1", "V-NOGRID"}
    assert {r["grid_code"] for r in rows} == {"R1-A1-G1", ""}
    xlsx = api("rep").get("/api/v1/activities/export/", {"format": "xlsx", "owner": "rep"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 3  # header + two


def test_list_query_count_does_not_grow_with_rows(world, api, django_assert_max_num_queries):
    activity_world(world)
    client = api("regional")
    client.get(url())  # warm the session
    for i in range(20):
        ActivityFactory(
            customer=world.customers["CUS-G2"],
            owner=world.users["regional"],
            type=ActivityType.CALL,
            subject=f"call {i}",
        )
    # Session, user, savepoint, scope, count, page, release: no query per row.
    with django_assert_max_num_queries(7):
        response = client.get(url(), {"page_size": 100})
    assert response.json()["count"] == 22


def test_the_command_line_exports_every_activity(world, tmp_path):
    from django.core.management import call_command

    activity_world(world)
    out = tmp_path / "activities.xlsx"
    call_command("export", "activities", "--format", "xlsx", "--output", str(out))
    sheet = load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header[:6] == ["id", "type", "status", "purpose", "subject", "customer_code"]
    assert sorted(row[4].value for row in sheet.iter_rows(min_row=2)) == sorted(
        ["V-G1", "V-G2", "V-R2", "V-NOGRID", "V-OUT"]
    )
