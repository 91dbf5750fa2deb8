"""Permission matrix for every web page: what each persona sees, and 404 outside scope.

Pages that list things are checked for the exact set of rows; pages about one object are
checked for every object of the persona world: 200 inside the scope, 404 outside, 403 for
an edit page of an object that is visible but not editable.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gridsales.conftest import PERSONAS

ALL_GRIDS = {"HQ", "R1", "R1-A1", "R1-A1-G1", "R1-A1-G2", "R2", "R2-A1", "R2-A1-G1"}
ALL_CUSTOMERS = {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"}
ALL_USERS = set(PERSONAS)
READ_ALL = ("admin", "director", "analyst", "finance")

VISIBLE_GRIDS = {
    **{p: ALL_GRIDS for p in READ_ALL},
    "regional": {"R1", "R1-A1", "R1-A1-G1", "R1-A1-G2"},
    "gridmanager": {"R1-A1-G1"},
    "rep": {"R1-A1-G1"},
    "rep2": {"R2-A1-G1"},
    "outsider": set(),
}
VISIBLE_CUSTOMERS = {
    **{p: ALL_CUSTOMERS for p in READ_ALL},
    "regional": {"CUS-G1", "CUS-G2"},
    "gridmanager": {"CUS-G1"},
    "rep": {"CUS-G1", "CUS-NOGRID"},
    "rep2": {"CUS-R2"},
    "outsider": set(),
}
EDITABLE_CUSTOMERS = {
    "admin": ALL_CUSTOMERS,
    "director": ALL_CUSTOMERS,
    "analyst": set(),
    "finance": set(),
    "regional": {"CUS-G1", "CUS-G2"},
    "gridmanager": {"CUS-G1"},
    "rep": {"CUS-G1", "CUS-NOGRID"},
    "rep2": {"CUS-R2"},
    "outsider": set(),
}
DELETABLE_CUSTOMERS = {
    **EDITABLE_CUSTOMERS,
    "rep": set(),
    "rep2": set(),
}
VISIBLE_USERS = {
    **{p: ALL_USERS for p in READ_ALL},
    "regional": {"regional", "gridmanager", "rep"},
    "gridmanager": {"gridmanager", "rep"},
    "rep": {"rep", "gridmanager"},
    "rep2": {"rep2"},
    "outsider": {"outsider"},
}


def client_for(world, persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


def expected_status(persona: str, code: str, visible: dict, allowed: dict | None = None) -> int:
    if code not in visible[persona]:
        return 404
    if allowed is not None and code not in allowed[persona]:
        return 403
    return 200


def linked_codes(html: str, prefix: str) -> set[str]:
    """Codes shown as the first cell's link text in a result table."""
    return set(re.findall(rf'<td><a href="{prefix}\d+/">([^<]+)</a></td>', html))


@pytest.mark.parametrize("persona", PERSONAS)
def test_lists_show_exactly_the_personas_scope(world, persona):
    client = client_for(world, persona)
    grids = client.get(reverse("grids:list"), {"page_size": 200})
    assert grids.status_code == 200
    assert linked_codes(grids.content.decode(), "/grids/") == VISIBLE_GRIDS[persona]

    customers = client.get(reverse("customers:list"), {"page_size": 200})
    assert customers.status_code == 200
    assert linked_codes(customers.content.decode(), "/customers/") == VISIBLE_CUSTOMERS[persona]

    people = client.get(reverse("team:rep-list"), {"page_size": 200})
    assert people.status_code == 200
    shown = set(re.findall(r"<td>([a-z0-9]+)</td>", people.content.decode()))
    assert shown & ALL_USERS == VISIBLE_USERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_csv_export_holds_exactly_the_personas_customers(world, persona):
    response = client_for(world, persona).get(reverse("customers:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffcode,name,")
    rows = body.strip().splitlines()[1:]
    assert {row.split(",")[0] for row in rows} == VISIBLE_CUSTOMERS[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_tree_shows_the_personas_grids_with_customer_counts(world, persona):
    response = client_for(world, persona).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    shown = set(re.findall(r'\?grid=([A-Z0-9-]+)"', html))
    assert shown == VISIBLE_GRIDS[persona]
    # People in the field land on a button to their day; read-only roles have no day.
    assert ('data-testid="home-today"' in html) == (persona not in READ_ALL)
    if not VISIBLE_GRIDS[persona]:
        assert "You are not assigned to any grid yet." in html
    if persona == "regional":
        # R1's subtree holds CUS-G1 and CUS-G2.
        assert re.search(r'\?grid=R1" title="Customers">2</a>', html)


@pytest.mark.parametrize("persona", PERSONAS)
def test_grid_detail_pages_answer_404_outside_scope(world, persona):
    client = client_for(world, persona)
    for code, grid in world.grids.items():
        response = client.get(reverse("grids:detail", args=[grid.pk]))
        assert response.status_code == expected_status(persona, code, VISIBLE_GRIDS), code


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_detail_pages_answer_404_outside_scope(world, persona):
    client = client_for(world, persona)
    for username, user in world.users.items():
        response = client.get(reverse("team:rep-detail", args=[user.pk]))
        assert response.status_code == expected_status(persona, username, VISIBLE_USERS), username


@pytest.mark.parametrize("persona", PERSONAS)
def test_customer_pages_follow_view_edit_and_delete_scope(world, persona):
    client = client_for(world, persona)
    for code, customer in world.customers.items():
        pk = customer.pk
        contact = customer.contacts.get()
        checks = [
            (reverse("customers:detail", args=[pk]), None),
            (reverse("object-history", args=["customers.customer", pk]), None),
            (reverse("customers:edit", args=[pk]), EDITABLE_CUSTOMERS),
            (reverse("customers:delete", args=[pk]), DELETABLE_CUSTOMERS),
            (reverse("customers:contact-create", args=[pk]), EDITABLE_CUSTOMERS),
            (reverse("customers:contact-edit", args=[contact.pk]), EDITABLE_CUSTOMERS),
            (reverse("customers:contact-delete", args=[contact.pk]), EDITABLE_CUSTOMERS),
        ]
        for url, allowed in checks:
            response = client.get(url)
            assert response.status_code == expected_status(
                persona, code, VISIBLE_CUSTOMERS, allowed
            ), url


@pytest.mark.parametrize("persona", PERSONAS)
def test_object_history_of_grids_and_people_follows_their_scope(world, persona):
    client = client_for(world, persona)
    for code, grid in world.grids.items():
        response = client.get(reverse("object-history", args=["grids.grid", grid.pk]))
        assert response.status_code == expected_status(persona, code, VISIBLE_GRIDS), code
    for username, user in world.users.items():
        response = client.get(reverse("object-history", args=["accounts.user", user.pk]))
        assert response.status_code == expected_status(persona, username, VISIBLE_USERS)


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_admins_open_the_global_audit_log(world, persona):
    response = client_for(world, persona).get(reverse("audit-list"))
    assert response.status_code == (200 if persona == "admin" else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_read_only_roles_cannot_open_the_new_customer_form(world, persona):
    response = client_for(world, persona).get(reverse("customers:create"))
    assert response.status_code == (403 if persona in {"analyst", "finance"} else 200)


def test_history_of_a_model_that_is_not_audited_is_404(world):
    client = client_for(world, "admin")
    assert client.get("/audit/core.objectchange/1/").status_code == 404
    assert client.get("/audit/nonsense/1/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login_page(world):
    client = Client()
    customer = world.customers["CUS-G1"]
    for url in [
        reverse("home"),
        reverse("grids:list"),
        reverse("team:rep-list"),
        reverse("customers:list"),
        reverse("customers:export"),
        reverse("customers:create"),
        reverse("customers:detail", args=[customer.pk]),
        reverse("audit-list"),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


@pytest.mark.parametrize(
    "url_name", ["home", "grids:list", "team:rep-list", "customers:list", "customers:export"]
)
def test_page_query_count_does_not_grow_with_the_number_of_rows(world, url_name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridsales.customers.tests.factories import ContactFactory, CustomerFactory

    client = client_for(world, "regional")

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(url_name), {"page_size": 200})
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    before = count_queries()
    grid, owner = world.grids["R1-A1-G2"], world.users["gridmanager"]
    for _ in range(15):
        ContactFactory(customer=CustomerFactory(current_grid=grid, owner=owner))
    assert count_queries() == before
