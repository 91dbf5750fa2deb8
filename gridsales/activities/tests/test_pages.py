"""Every activity page × every persona (200 / 403 / 404 / login), and the form flows."""

import csv
import io
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from gridsales.activities import services
from gridsales.activities.models import Activity
from gridsales.activities.tests.factories import ActivityFactory, activity_world
from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_api_permissions import ACTIVITY_CHANGE, ACTIVITY_VIEW
from gridsales.customers.tests.factories import ContactFactory

READ_ONLY = {"analyst", "finance"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


def expected(persona: str, key: str, allowed: dict | None = None) -> int:
    if key not in ACTIVITY_VIEW[persona]:
        return 404
    if allowed is not None and key not in allowed[persona]:
        return 403
    return 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_activity_pages_follow_the_scope(world, persona):
    activities = activity_world(world)
    client = client_for(world, persona)
    assert client.get("/activities/").status_code == 200
    assert client.get("/activities/today/").status_code == 200
    assert client.get("/activities/new/").status_code == (403 if persona in READ_ONLY else 200)
    for key, pk in activities.items():
        assert client.get(f"/activities/{pk}/").status_code == expected(persona, key), key
        for page in ("edit", "complete", "delete"):
            got = client.get(f"/activities/{pk}/{page}/").status_code
            assert got == expected(persona, key, ACTIVITY_CHANGE), (page, key)
        history = client.get(f"/audit/activities.activity/{pk}/").status_code
        assert history == expected(persona, key), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_shows_exactly_the_personas_activities(world, persona):
    activity_world(world)
    html = client_for(world, persona).get("/activities/", {"page_size": 200}).content.decode()
    shown = set(re.findall(r'<td class="wrap"><a href="/activities/\d+/">([^<]+)</a></td>', html))
    assert shown == ACTIVITY_VIEW[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_hold_exactly_the_personas_activities(world, persona):
    activity_world(world)
    client = client_for(world, persona)
    response = client.get("/export/activities.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["subject"] for r in rows} == ACTIVITY_VIEW[persona]
    xlsx = client.get("/export/activities.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == len(ACTIVITY_VIEW[persona]) + 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin", 200),
        ("director", 200),
        ("analyst", 200),
        ("finance", 200),
        ("regional", 200),
        ("gridmanager", 200),
        ("rep", 200),  # its own day
        ("rep2", 404),
        ("outsider", 404),
    ],
)
def test_whose_day_may_be_opened(world, persona, status):
    assert client_for(world, persona).get("/activities/today/?rep=rep").status_code == status


def test_a_manager_cannot_open_the_day_of_someone_out_of_sight(world):
    assert client_for(world, "gridmanager").get("/activities/today/?rep=rep2").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world):
    pk = activity_world(world)["V-G1"]
    client = Client()
    for path in ("/activities/", "/activities/today/", "/activities/new/", f"/activities/{pk}/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_flagged_check_ins_filter(world):
    activities = activity_world(world)
    services.activity_check_in(
        activity=Activity.objects.get(pk=activities["V-G1"]),
        lat=31.0,
        lng=121.0,
        user=world.users["rep"],
    )
    html = client_for(world, "regional").get("/activities/", {"flagged": "true"}).content.decode()
    assert "V-G1" in html and "V-G2" not in html
    assert "The customer has no location" in html


def test_a_rep_plans_a_visit_with_the_form(world):
    client = client_for(world, "rep")
    contact = world.contacts["Contact CUS-G1"]
    response = client.post(
        "/activities/new/",
        {
            "customer": "CUS-G1",
            "type": "visit",
            "purpose": "sales",
            "status": "planned",
            "subject": "",
            "contact": contact.pk,
            "planned_at": "2030-03-01T09:30",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert response["Location"] == f"/activities/{activity.pk}/"
    assert (activity.subject, activity.owner.username, activity.contact) == (
        "Visit: 客户 CUS-G1",
        "rep",
        contact,
    )


def test_the_form_names_what_to_fix(world):
    client = client_for(world, "rep")
    response = client.post(
        "/activities/new/",
        {"customer": "CUS-R2", "type": "call", "status": "done", "subject": "x"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "No customer with this code among yours: check the code." in html
    response = client.post(
        "/activities/new/",
        {"customer": "CUS-G1", "type": "call", "purpose": "contact", "status": "done"},
    )
    assert "A done activity needs the date and time it was done." in response.content.decode()


def test_choosing_a_customer_reloads_its_contacts(world):
    other = ContactFactory(customer=world.customers["CUS-NOGRID"], name="李四")
    client = client_for(world, "rep")
    html = client.get(
        "/activities/new/", {"customer": "CUS-NOGRID"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert f'value="{other.pk}"' in html
    assert f'value="{world.contacts["Contact CUS-G1"].pk}"' not in html


def test_editing_keeps_the_status_and_changes_the_fields(world):
    pk = activity_world(world)["V-G1"]
    response = client_for(world, "rep").post(
        f"/activities/{pk}/edit/",
        {
            "customer": "CUS-G1",
            "type": "visit",
            "purpose": "contact",
            "subject": "改过的拜访",
            "owner": world.users["rep"].pk,
            "planned_at": "2030-03-02T10:00",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(pk=pk)
    assert (activity.subject, activity.status) == ("改过的拜访", "planned")


def test_logging_the_outcome_returns_to_next(world):
    pk = activity_world(world)["V-G1"]
    response = client_for(world, "rep").post(
        f"/activities/{pk}/complete/?next=/activities/today/",
        {"outcome": "谈妥", "notes": "", "next_step": "寄合同", "next_step_due": "2030-01-09"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/activities/today/"
    activity = Activity.objects.get(pk=pk)
    assert (activity.status, activity.outcome, activity.next_step) == ("done", "谈妥", "寄合同")


def test_next_never_leads_off_the_site(world):
    pk = activity_world(world)["V-G1"]
    response = client_for(world, "rep").post(
        f"/activities/{pk}/complete/?next=https://evil.example/", {"outcome": "x"}
    )
    assert response["Location"] == f"/activities/{pk}/"


def test_cancel_and_next_step_buttons(world):
    activity = ActivityFactory(
        customer=world.customers["CUS-G1"], owner=world.users["rep"], next_step="打电话"
    )
    client = client_for(world, "rep")
    response = client.post(
        f"/activities/{activity.pk}/next-step-done/", {"next": "/activities/today/"}
    )
    assert response["Location"] == "/activities/today/"
    response = client.post(f"/activities/{activity.pk}/cancel/")
    assert response["Location"] == f"/activities/{activity.pk}/"
    activity.refresh_from_db()
    assert (activity.next_step_done, activity.status) == (True, "cancelled")
    # Cancelling again: the reason is shown, nothing changes.
    response = client.post(f"/activities/{activity.pk}/cancel/", follow=True)
    assert "This activity is already cancelled." in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_post_buttons_follow_the_scope(world, persona):
    activities = activity_world(world)
    client = client_for(world, persona)
    for key, pk in activities.items():
        for action in ("cancel", "next-step-done"):
            with transaction.atomic():
                got = client.post(f"/activities/{pk}/{action}/").status_code
                transaction.set_rollback(True)
            want = expected(persona, key, ACTIVITY_CHANGE)
            assert got == (302 if want == 200 else want), (action, key)


def test_deleting_through_the_page(world):
    pk = activity_world(world)["V-G1"]
    response = client_for(world, "gridmanager").post(f"/activities/{pk}/delete/")
    assert response["Location"] == "/activities/"
    assert not Activity.objects.filter(pk=pk).exists()


def test_the_detail_page_shows_the_check_in_numbers(world):
    activity = Activity.objects.get(pk=activity_world(world)["V-G1"])
    world.customers["CUS-G1"].__class__.objects.filter(code="CUS-G1").update(lat=31.0, lng=121.0)
    activity.customer.refresh_from_db()
    services.activity_check_in(activity=activity, lat=31.01, lng=121.0, user=world.users["rep"])
    html = client_for(world, "regional").get(f"/activities/{activity.pk}/").content.decode()
    assert re.search(r'data-testid="distance">1112 ', html)
    assert "Farther from the customer than the check-in radius" in html
    assert 'data-testid="checkin-map"' in html


@pytest.mark.parametrize(("persona", "shown"), [("rep", True), ("analyst", False)])
def test_the_check_in_here_tag_for_other_pages(world, rf, persona, shown):
    from django.template import Context, Template

    request = rf.get("/")
    request.user = world.users[persona]
    html = Template("{% load activities %}{% checkin_here customer %}").render(
        Context({"request": request, "customer": world.customers["CUS-G1"]})
    )
    assert ('data-customer="CUS-G1"' in html) is shown
    assert ('data-next="/activities/today/"' in html) is shown
    assert ("checkin.js" in html) is shown
