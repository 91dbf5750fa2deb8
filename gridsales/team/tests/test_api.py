"""The reps and memberships API: deactivation instead of deletion, ending memberships."""

import datetime

from django.utils import timezone

from gridsales.accounts.models import User
from gridsales.team.models import Membership
from gridsales.team.tests.factories import MembershipFactory

REPS = "/api/v1/reps/"
MEMBERSHIPS = "/api/v1/memberships/"


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["username"] for row in response.json()["results"]]


def test_deleting_a_rep_deactivates_the_user(world, api):
    rep = world.users["rep"]
    response = api("director").delete(f"{REPS}{rep.pk}/")
    assert response.status_code == 204
    rep.refresh_from_db()
    assert not rep.is_active
    # History still points at the person: nothing was deleted.
    assert Membership.objects.filter(user=rep).exists()
    body = api("director").get(f"{REPS}{rep.pk}/").json()
    assert body["is_active"] is False


def test_the_rep_filter_lists_people_active_in_a_grid_subtree(world, api):
    client = api("admin")
    assert usernames(client.get(REPS, {"grid": "R1-A1"})) == ["gridmanager", "rep"]
    assert usernames(client.get(REPS, {"grid": "R1"})) == ["gridmanager", "regional", "rep"]
    assert usernames(client.get(REPS, {"role": "rep", "is_active": "true"})) == [
        "outsider",
        "rep",
        "rep2",
    ]


def test_created_rep_can_log_in_and_the_password_is_never_shown(world, api):
    response = api("admin").post(
        REPS,
        {
            "username": "newrep",
            "password": "Newrep-pw-123",
            "display_name": "新网格员",
            "employee_no": "E100",
            "manager": "gridmanager",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert "password" not in body
    assert (body["role"], body["employee_no"], body["manager"]) == ("rep", "E100", "gridmanager")
    token = api(None).post(
        "/api/v1/auth/token/", {"username": "newrep", "password": "Newrep-pw-123"}
    )
    assert token.status_code == 200


def test_reps_without_a_profile_show_empty_profile_fields(world, api):
    body = api("admin").get(f"{REPS}{world.users['analyst'].pk}/").json()
    assert body["employee_no"] is None
    assert body["manager"] is None


def test_a_started_membership_cannot_be_deleted_only_ended(world, api):
    m = world.memberships["rep@R1-A1-G1"]
    response = api("gridmanager").delete(f"{MEMBERSHIPS}{m.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "end it" in response.json()["non_field_errors"][0]
    assert Membership.objects.filter(pk=m.pk).exists()


def test_a_future_membership_can_be_deleted(world, api):
    future = timezone.localdate() + datetime.timedelta(days=7)
    m = MembershipFactory(user=world.users["rep"], grid=world.grids["R1-A1-G2"], valid_from=future)
    assert api("regional").delete(f"{MEMBERSHIPS}{m.pk}/").status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_ending_a_membership_keeps_the_record(world, api):
    m = world.memberships["rep@R1-A1-G1"]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = api("gridmanager").post(
        f"{MEMBERSHIPS}{m.pk}/end/", {"valid_to": yesterday.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["valid_to"] == yesterday.isoformat()
    assert response.json()["is_active"] is False
    m.refresh_from_db()
    assert m.valid_to == yesterday
    listed = api("admin").get(MEMBERSHIPS, {"active": "false"}).json()["results"]
    assert [(row["user"], row["grid"]) for row in listed] == [("rep", "R1-A1-G1")]


def test_ending_before_the_start_answers_400_naming_valid_to(world, api):
    m = world.memberships["rep@R1-A1-G1"]
    response = api("admin").post(
        f"{MEMBERSHIPS}{m.pk}/end/", {"valid_to": "2000-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["valid_to"]


def test_the_person_of_a_membership_cannot_change(world, api):
    m = world.memberships["rep@R1-A1-G1"]
    response = api("admin").patch(f"{MEMBERSHIPS}{m.pk}/", {"user": "rep2"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["user"]


def test_overlapping_membership_answers_400(world, api):
    response = api("admin").post(
        MEMBERSHIPS,
        {"user": "rep", "grid": "R1-A1-G1", "valid_from": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "valid_from" in response.json()


def test_a_grid_manager_cannot_deactivate_its_rep(world, api):
    rep = world.users["rep"]
    assert api("gridmanager").delete(f"{REPS}{rep.pk}/").status_code == 403
    assert User.objects.get(pk=rep.pk).is_active


def test_a_director_cannot_grant_the_administrator_role(api, world):
    client = api("director")
    response = client.post(
        "/api/v1/reps/",
        {"username": "mole", "password": "Mole-pw-12345", "role": "admin"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "Only an administrator" in response.json()["detail"]
    promote = client.patch(
        f"/api/v1/reps/{world.users['director'].pk}/", {"role": "admin"}, format="json"
    )
    assert promote.status_code == 403
    world.users["director"].refresh_from_db()
    assert world.users["director"].role == "director"


def test_an_administrator_can_create_another_administrator(api, world):
    response = api("admin").post(
        "/api/v1/reps/",
        {"username": "admin2", "password": "Admin2-pw-12345", "role": "admin"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["role"] == "admin"


def test_a_weak_password_is_refused_with_the_reason(api, world):
    response = api("admin").post(
        "/api/v1/reps/",
        {"username": "weak", "password": "123"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "This password is too short." in " ".join(response.json()["password"])
