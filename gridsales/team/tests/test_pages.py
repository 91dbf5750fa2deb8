"""People and membership pages: who may add, edit and end, and what gets saved."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridsales.accounts.models import User
from gridsales.conftest import PERSONAS
from gridsales.team.models import Membership

HQ = {"admin", "director"}


def client_for(world, persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    return client


def person_data(**overrides) -> dict:
    data = {
        "username": "xiaoming",
        "display_name": "王小明",
        "email": "xm@example.com",
        "role": "rep",
        "is_active": "on",
        "password": "Xiaoming-pw-2026",
        "employee_no": "GS9001",
        "phone": "13911112222",
        "title": "网格员",
        "hire_date": "2026-03-01",
        "manager": "",
        "home_address": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_hq_opens_the_new_person_form(world, persona):
    response = client_for(world, persona).get(reverse("team:rep-create"))
    assert response.status_code == (200 if persona in HQ else 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_person_edit_page_follows_scope(world, persona):
    target = world.users["rep"]
    response = client_for(world, persona).get(reverse("team:rep-edit", args=[target.pk]))
    visible = {"admin", "director", "analyst", "finance", "regional", "gridmanager", "rep"}
    expected = 200 if persona in HQ else (403 if persona in visible else 404)
    assert response.status_code == expected


def test_director_adds_a_person_who_can_then_log_in(world):
    response = client_for(world, "director").post(reverse("team:rep-create"), person_data())
    person = User.objects.get(username="xiaoming")
    assert response.status_code == 302
    assert person.rep_profile.employee_no == "GS9001"
    assert Client().login(username="xiaoming", password="Xiaoming-pw-2026")


def test_a_director_cannot_make_or_edit_an_administrator_in_the_ui(world):
    client = client_for(world, "director")
    response = client.post(reverse("team:rep-create"), person_data(role="admin"))
    assert response.status_code == 400  # "admin" is not among the director's choices
    assert not User.objects.filter(username="xiaoming").exists()
    admin = world.users["admin"]
    assert client.get(reverse("team:rep-edit", args=[admin.pk])).status_code == 403


def test_a_duplicate_username_and_a_weak_password_are_explained(world):
    client = client_for(world, "admin")
    duplicate = client.post(reverse("team:rep-create"), person_data(username="rep"))
    assert duplicate.status_code == 400
    assert "A user with that username already exists." in duplicate.content.decode()
    weak = client.post(reverse("team:rep-create"), person_data(password="123"))
    assert weak.status_code == 400
    assert "This password is too short." in weak.content.decode()
    assert not User.objects.filter(username="xiaoming").exists()


def test_grid_manager_adds_a_member_to_its_grid_and_ends_the_membership(world):
    client = client_for(world, "gridmanager")
    today = timezone.localdate()
    response = client.post(
        reverse("team:membership-create"),
        {
            "user": world.users["rep"].pk,
            "grid": world.grids["R1-A1-G1"].pk,
            "role": "member",
            "share_pct": "50",
            "valid_from": today.isoformat(),
            "valid_to": "",
            "note": "",
        },
    )
    # rep is already a member of R1-A1-G1 from the world, in the same period.
    assert response.status_code == 400
    assert "is already a member of grid" in response.content.decode()

    membership = world.memberships["rep@R1-A1-G1"]
    end = today + datetime.timedelta(days=30)
    response = client.post(
        reverse("team:membership-end", args=[membership.pk]), {"valid_to": end.isoformat()}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.valid_to == end
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_membership_pages_follow_scope(world, persona):
    client = client_for(world, persona)
    create = client.get(reverse("team:membership-create"))
    managers = HQ | {"regional", "gridmanager"}
    assert create.status_code == (200 if persona in managers else 403)
    membership = world.memberships["rep2@R2-A1-G1"]
    end = client.get(reverse("team:membership-end", args=[membership.pk]))
    sees_r2 = {"admin", "director", "analyst", "finance", "rep2"}
    expected = 200 if persona in HQ else (403 if persona in sees_r2 else 404)
    assert end.status_code == expected


def test_a_grid_manager_cannot_add_members_to_grids_it_does_not_manage(world):
    client = client_for(world, "gridmanager")
    response = client.post(
        reverse("team:membership-create"),
        {
            "user": world.users["rep"].pk,
            "grid": world.grids["R1-A1-G2"].pk,
            "role": "member",
            "share_pct": "100",
            "valid_from": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Membership.objects.filter(grid=world.grids["R1-A1-G2"]).exists()
