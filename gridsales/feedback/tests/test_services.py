"""Feedback services: the grid of an item, the triage steps and their messages, withdrawal,
the audit log, and the dashboard counts."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gridsales.core.models import ObjectChange
from gridsales.feedback import services
from gridsales.feedback.models import Feedback
from gridsales.feedback.selectors import feedback_counts
from gridsales.feedback.tests.factories import make


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")


def test_it_takes_the_customers_grid_when_none_is_given(world):
    item = services.feedback_create(
        author=world.users["rep"],
        category="customer",
        text="客户要求月结",
        customer=world.customers["CUS-G1"],
    )
    assert item.grid == world.grids["R1-A1-G1"]
    assert item.status == "new"


def test_it_refuses_a_customer_outside_the_given_grid(world):
    with pytest.raises(ValidationError) as error:
        services.feedback_create(
            author=world.users["rep"],
            category="customer",
            text="x",
            grid=world.grids["R2"],
            customer=world.customers["CUS-G1"],
        )
    assert error.value.message_dict == {"customer": ["The customer CUS-G1 is not in the grid R2."]}


def test_it_refuses_an_empty_text_and_an_unknown_category(world):
    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=world.users["rep"], category="price", text="   ")
    assert error.value.message_dict == {"text": ["Describe the problem: the text cannot be empty."]}
    with pytest.raises(ValidationError) as error:
        services.feedback_create(author=world.users["rep"], category="weather", text="rain")
    assert "category" in error.value.message_dict


def test_triage_goes_new_in_progress_resolved_with_a_response(world):
    item = make(world)
    manager = world.users["gridmanager"]
    services.feedback_triage(feedback=item, user=manager, status="in_progress")
    item.refresh_from_db()
    assert (item.status, item.handled_by, item.response) == ("in_progress", manager, "")
    services.feedback_triage(feedback=item, user=manager, status="resolved", response="已调价")
    item.refresh_from_db()
    assert (item.status, item.response) == ("resolved", "已调价")
    assert item.handled_at is not None


def test_closing_needs_a_response(world):
    item = make(world)
    with pytest.raises(ValidationError) as error:
        services.feedback_triage(
            feedback=item, user=world.users["gridmanager"], status="rejected", response=" "
        )
    assert error.value.message_dict == {
        "response": ["Write a response for the author: it is required to close the item."]
    }


def test_a_closed_item_stays_closed_and_new_is_not_a_step(world):
    item = make(world)
    with pytest.raises(ValidationError) as error:
        services.feedback_triage(feedback=item, user=world.users["admin"], status="new")
    assert error.value.message_dict == {
        "status": ["“new” is not a triage step. Choose among: in_progress, resolved, rejected."]
    }
    services.feedback_triage(
        feedback=item, user=world.users["admin"], status="rejected", response="重复"
    )
    with pytest.raises(ValidationError) as error:
        services.feedback_triage(feedback=item, user=world.users["admin"], status="in_progress")
    assert error.value.messages == [
        "This feedback is already closed (Rejected): it cannot change any more."
    ]


def test_only_new_items_are_edited_or_withdrawn(world):
    item = make(world)
    services.feedback_triage(feedback=item, user=world.users["admin"], status="in_progress")
    with pytest.raises(ValidationError) as error:
        services.feedback_update(feedback=item, category="price", text="改")
    assert error.value.messages == ["Only new feedback can be edited; this one is: In progress."]
    with pytest.raises(ValidationError) as error:
        services.feedback_delete(feedback=item)
    assert error.value.messages == ["Only new feedback can be withdrawn; this one is: In progress."]
    fresh = make(world)
    services.feedback_delete(feedback=fresh)
    assert not Feedback.objects.filter(pk=fresh.pk).exists()


@pytest.mark.parametrize(
    ("persona", "grid", "allowed"),
    [
        ("admin", None, True),
        ("director", "R2-A1-G1", True),
        ("regional", "R1-A1-G1", True),
        ("regional", "R2-A1-G1", False),
        ("gridmanager", "R1-A1-G1", True),
        ("gridmanager", "R1-A1-G2", False),
        ("gridmanager", None, False),
        ("rep", "R1-A1-G1", False),
        ("analyst", "R1-A1-G1", False),
    ],
)
def test_who_triages(world, persona, grid, allowed):
    item = make(world, author="rep", grid=grid)
    assert services.feedback_can_triage(world.users[persona], item) is allowed


def test_every_change_is_in_the_audit_log(world):
    item = make(world)
    services.feedback_triage(feedback=item, user=world.users["gridmanager"], status="in_progress")
    actions = list(
        ObjectChange.objects.filter(object_id=item.pk, content_type__model="feedback")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_counts_by_category_and_grid_within_the_period_and_scope(world):
    g = world.grids
    make(world, grid="R1-A1-G1", category="price")
    make(world, grid="R1-A1-G1", category="product")
    make(world, author="rep2", grid="R2-A1-G1", category="price")
    old = make(world, grid="R1-A1-G2", category="system")
    Feedback.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=400))
    resolved = make(world, grid="R1-A1-G2", category="system")
    services.feedback_triage(
        feedback=resolved, user=world.users["admin"], status="resolved", response="ok"
    )
    today = timezone.localdate()
    counts = feedback_counts(world.users["regional"], path=g["HQ"].path, start=today, end=today)
    assert counts["by_grid"] == {g["R1-A1-G1"].pk: 2, g["R1-A1-G2"].pk: 1}
    assert [(value, n) for value, _label, n in counts["by_category"]] == [
        ("product", 1),
        ("price", 1),
        ("process", 0),
        ("customer", 0),
        ("system", 1),
    ]
    assert (counts["total"], counts["open"]) == (3, 2)
    mine = feedback_counts(world.users["rep2"], path=g["HQ"].path, start=today, end=today)
    assert (mine["total"], mine["by_grid"]) == (1, {g["R2-A1-G1"].pk: 1})
