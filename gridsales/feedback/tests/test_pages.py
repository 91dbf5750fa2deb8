"""Feedback pages per persona: the list (and "my feedback"), raising from a page with the
grid and customer prefilled, the triage form, withdrawal and the export."""

import pytest
from django.test import Client

from gridsales.conftest import PERSONAS
from gridsales.feedback.models import Feedback
from gridsales.feedback.tests.factories import MATRIX_FEEDBACK, feedback_world

LISTED = {
    **{p: set(MATRIX_FEEDBACK) for p in ("admin", "director", "analyst", "finance")},
    "regional": {"F-rep-G1", "F-gm-G2"},
    "gridmanager": {"F-rep-G1", "F-gm-G2"},
    "rep": {"F-rep-G1"},
    "rep2": {"F-rep2-R2"},
    "outsider": {"F-outsider"},
}
TRIAGED_BY = {"admin", "director", "regional", "gridmanager"}  # F-rep-G1


def client_for(world, persona):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_lists_and_opens_exactly_its_feedback(world, persona):
    items = feedback_world(world)
    client = client_for(world, persona)
    html = client.get("/feedback/", {"page_size": 200}).content.decode()
    shown = {text for text in MATRIX_FEEDBACK if text in html}
    assert shown == LISTED[persona]
    for text, pk in items.items():
        status = client.get(f"/feedback/{pk}/").status_code
        assert status == (200 if text in LISTED[persona] else 404), text
    triage = client.post(f"/feedback/{items['F-rep-G1']}/triage/", {"status": "in_progress"})
    expected = (
        302
        if persona in TRIAGED_BY
        else 403
        if persona in LISTED and "F-rep-G1" in LISTED[persona]
        else 404
    )
    assert triage.status_code == expected


@pytest.mark.parametrize(
    ("persona", "status"),
    [("rep", 200), ("gridmanager", 200), ("admin", 200), ("analyst", 403), ("finance", 403)],
)
def test_who_opens_the_form(world, persona, status):
    assert client_for(world, persona).get("/feedback/new/").status_code == status


def test_the_form_is_prefilled_from_the_page_and_returns_there(world):
    client = client_for(world, "rep")
    page = f"/customers/{world.customers['CUS-G1'].pk}/"
    form = client.get("/feedback/new/", {"customer": "CUS-G1", "page": page}).content.decode()
    assert 'value="CUS-G1"' in form
    response = client.post(
        "/feedback/new/",
        {
            "category": "customer",
            "text": "客户希望增加送货频次",
            "customer": "CUS-G1",
            "page": page,
        },
    )
    assert response.status_code == 302 and response["Location"] == page
    item = Feedback.objects.get()
    assert (item.grid.code, item.customer.code, item.author.username, item.page) == (
        "R1-A1-G1",
        "CUS-G1",
        "rep",
        page,
    )


def test_bad_input_is_shown_on_the_form(world):
    client = client_for(world, "rep")
    response = client.post(
        "/feedback/new/",
        {"category": "price", "text": "贵", "grid": "R2-A1-G1", "page": "https://evil.example/"},
    )
    assert response.status_code == 400
    assert "No grid with the code “R2-A1-G1” among yours." in response.content.decode()
    response = client.post(
        "/feedback/new/", {"category": "price", "text": "贵", "page": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response["Location"] == Feedback.objects.get().get_absolute_url()  # never off-site


def test_triage_on_the_page_and_the_author_sees_the_response(world):
    items = feedback_world(world)
    pk = items["F-rep-G1"]
    manager = client_for(world, "gridmanager")
    assert "triage-form" in manager.get(f"/feedback/{pk}/").content.decode()
    missing = manager.post(f"/feedback/{pk}/triage/", {"status": "resolved", "response": ""})
    assert missing.status_code == 400
    assert "Write a response for the author" in missing.content.decode()
    manager.post(
        f"/feedback/{pk}/triage/", {"status": "resolved", "response": "已处理：价格已调整"}
    )
    author_page = client_for(world, "rep").get(f"/feedback/{pk}/").content.decode()
    assert "已处理：价格已调整" in author_page and "triage-form" not in author_page
    mine = client_for(world, "rep").get("/feedback/", {"mine": "true"}).content.decode()
    assert "F-rep-G1" in mine and "Resolved" in mine


def test_the_author_withdraws_a_new_item(world):
    items = feedback_world(world)
    client = client_for(world, "rep")
    assert client.post(f"/feedback/{items['F-rep-G1']}/delete/").status_code == 302
    assert not Feedback.objects.filter(pk=items["F-rep-G1"]).exists()
    assert (
        client_for(world, "rep2").post(f"/feedback/{items['F-gm-G2']}/delete/").status_code == 404
    )


def test_the_export_has_what_the_list_shows(world):
    feedback_world(world)
    response = client_for(world, "regional").get("/export/feedback.csv")
    lines = b"".join(response.streaming_content if response.streaming else [response.content])
    text = lines.decode("utf-8-sig").splitlines()
    assert text[0].startswith("id,created_at,category,status,grid,customer,author,text")
    assert sorted(line.split(",")[7] for line in text[1:]) == ["F-gm-G2", "F-rep-G1"]


def test_the_button_on_customer_and_dashboard_pages_prefills_the_form(world):
    client = client_for(world, "rep")
    customer_page = client.get(f"/customers/{world.customers['CUS-G1'].pk}/").content.decode()
    assert "/feedback/new/?page=/customers/" in customer_page
    assert "&amp;customer=CUS-G1" in customer_page
    dashboard = client_for(world, "regional").get("/analytics/").content.decode()
    assert "/feedback/new/?page=/analytics/&amp;grid=R1" in dashboard


def test_read_only_roles_get_no_button(world):
    page = client_for(world, "analyst").get(f"/customers/{world.customers['CUS-G1'].pk}/")
    assert "feedback-button" not in page.content.decode()
