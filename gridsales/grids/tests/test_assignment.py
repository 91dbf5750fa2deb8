"""Placing customers in grids: bulk service, history, pins, segment rules, the hook, the command."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from gridsales.core.models import ObjectChange
from gridsales.customers import services as customer_services
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids.assignment import customers_assign
from gridsales.grids.choices import GridKind
from gridsales.grids.services import grid_create, grid_update
from gridsales.grids.tests.factories import square


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def geo(world):
    """Three 0.1° squares: G1 | G2 side by side (border at 121.1), R2's grid above."""
    w = world
    grid_update(grid=w.grids["R1-A1-G1"], geometry=square(121.0, 31.0))
    grid_update(grid=w.grids["R1-A1-G2"], geometry=square(121.1, 31.0))
    grid_update(grid=w.grids["R2-A1-G1"], geometry=square(121.0, 31.2))
    return w


def put(code: str, lng: float | None, lat: float | None, **fields) -> Customer:
    """A customer at (lng, lat) whose stored grid is stale (written behind the services)."""
    customer = CustomerFactory(code=code)
    Customer.objects.filter(pk=customer.pk).update(lng=lng, lat=lat, **fields)
    return Customer.objects.get(pk=customer.pk)


def grid_code(code: str) -> str | None:
    customer = Customer.objects.select_related("current_grid").get(code=code)
    return customer.current_grid.code if customer.current_grid else None


def history(code: str) -> list[tuple]:
    rows = CustomerGridAssignment.objects.filter(customer__code=code).order_by("pk")
    return [(r.grid.code if r.grid else None, r.reason, r.valid_to is None) for r in rows]


def test_bulk_assign_places_customers_by_polygon_and_counts_the_moves(geo):
    put("IN-G1", 121.05, 31.05)
    put("IN-G2", 121.15, 31.05, current_grid=geo.grids["R1-A1-G1"])
    put("IN-R2", 121.05, 31.25)
    summary = customers_assign()
    assert (grid_code("IN-G1"), grid_code("IN-G2"), grid_code("IN-R2")) == (
        "R1-A1-G1",
        "R1-A1-G2",
        "R2-A1-G1",
    )
    assert summary.moved == 1 and summary.newly_assigned == 2
    assert summary.pinned_kept == 3  # the persona customers were given grids by hand
    assert summary.moves[("R1-A1-G1", "R1-A1-G2")] == 1
    assert history("IN-G2")[-1] == ("R1-A1-G2", "polygon", True)
    detail = CustomerGridAssignment.objects.get(customer__code="IN-G2", valid_to=None).detail
    assert detail == "inside R1-A1-G2"


def test_a_second_run_changes_nothing(geo):
    put("IN-G1", 121.05, 31.05)
    customers_assign()
    rows = CustomerGridAssignment.objects.count()
    summary = customers_assign()
    assert summary.changed == 0 and summary.unchanged >= 1
    assert CustomerGridAssignment.objects.count() == rows


def test_a_point_on_the_shared_border_goes_to_the_lowest_code(geo):
    put("BORDER", 121.1, 31.05)
    put("CORNER", 121.1, 31.1)
    customers_assign()
    assert grid_code("BORDER") == "R1-A1-G1" and grid_code("CORNER") == "R1-A1-G1"


def test_a_customer_outside_every_grid_is_unassigned_with_the_nearest_grid(geo):
    put("FAR", 121.5, 31.05, current_grid=geo.grids["R1-A1-G2"])
    summary = customers_assign()
    assert grid_code("FAR") is None
    assert summary.unassigned == 1 and summary.outside == 1
    row = CustomerGridAssignment.objects.get(customer__code="FAR", valid_to=None)
    assert (row.reason, row.nearest_grid.code) == ("none", "R1-A1-G2")
    assert 28_000 < row.distance_m < 29_000  # 0.3° of longitude at 31° N
    assert row.detail == f"nearest R1-A1-G2 at {row.distance_m:.0f} m"


def test_pinned_customers_survive_reassignment(geo):
    customer = put("PINNED", 121.05, 31.05)
    customer_services.customer_update(customer=customer, current_grid=geo.grids["R2-A1-G1"])
    customer.refresh_from_db()
    assert customer.grid_pinned and customer.assignment_reason == "manual"
    customers_assign()
    assert grid_code("PINNED") == "R2-A1-G1"
    customer_services.customer_update(customer=customer, grid_pinned=False)
    assert grid_code("PINNED") == "R1-A1-G1"
    assert history("PINNED") == [
        (None, "none", False),  # created without a location
        ("R2-A1-G1", "manual", False),
        ("R1-A1-G1", "polygon", True),
    ]


def test_the_grid_argument_touches_only_that_subtree(geo):
    put("IN-G1", 121.05, 31.05)
    put("IN-R2", 121.05, 31.25)
    summary = customers_assign(grid=geo.grids["R1"])
    assert grid_code("IN-G1") == "R1-A1-G1"
    assert grid_code("IN-R2") is None  # outside R1's subtree: left for its own run
    assert summary.newly_assigned == 1


def test_the_grid_argument_moves_customers_out_of_the_subtree_too(geo):
    put("STRAY", 121.05, 31.25, current_grid=geo.grids["R1-A1-G1"])
    summary = customers_assign(grid=geo.grids["R1-A1-G1"])
    assert grid_code("STRAY") == "R2-A1-G1" and summary.moved == 1


def test_a_dry_run_writes_nothing(geo):
    put("IN-G1", 121.05, 31.05)
    rows = CustomerGridAssignment.objects.count()
    summary = customers_assign(dry_run=True)
    assert summary.newly_assigned == 1
    assert grid_code("IN-G1") is None and CustomerGridAssignment.objects.count() == rows


def test_a_bulk_run_writes_one_summary_audit_record(geo):
    put("IN-G1", 121.05, 31.05)
    put("IN-G2", 121.15, 31.05)
    before = ObjectChange.objects.count()
    customers_assign(customer_ids=[Customer.objects.get(code="IN-G1").pk])
    assert ObjectChange.objects.count() == before + 1
    change = ObjectChange.objects.first()
    assert change.after["newly_assigned"] == 1 and change.after["total"] == 1
    assert grid_code("IN-G2") is None  # not in customer_ids


def test_creating_a_customer_places_it_by_its_location(geo):
    customer = CustomerFactory(code="NEW", lng=121.15, lat=31.05)
    assert customer.current_grid.code == "R1-A1-G2"
    assert not customer.grid_pinned
    assert history("NEW") == [("R1-A1-G2", "polygon", True)]


def test_moving_a_customer_moves_it_to_the_new_grid_and_keeps_history(geo):
    customer = CustomerFactory(code="MOVER", lng=121.15, lat=31.05)
    customer_services.customer_update(customer=customer, lng=121.05)
    assert grid_code("MOVER") == "R1-A1-G1"
    assert history("MOVER") == [("R1-A1-G2", "polygon", False), ("R1-A1-G1", "polygon", True)]
    customer_services.customer_update(customer=customer, address="only the address")
    assert len(history("MOVER")) == 2


def test_a_pinned_customer_does_not_follow_its_location(geo):
    customer = CustomerFactory(
        code="PIN", lng=121.05, lat=31.05, current_grid=geo.grids["R1-A1-G2"]
    )
    assert customer.grid_pinned
    customer_services.customer_update(customer=customer, lng=121.06)
    assert grid_code("PIN") == "R1-A1-G2"


def test_a_new_customer_outside_every_grid_is_unassigned_with_its_nearest_grid(geo):
    CustomerFactory(code="OUT", lng=121.25, lat=31.05)
    row = CustomerGridAssignment.objects.get(customer__code="OUT")
    assert (row.grid, row.reason, row.nearest_grid.code) == (None, "none", "R1-A1-G2")


@pytest.fixture
def finance_segment(geo):
    return grid_create(
        code="R1-A1-FIN",
        name="金融行业",
        parent=geo.grids["R1-A1"],
        kind=GridKind.SEGMENT,
        segment_rules=[
            {"field": "industry", "op": "in", "value": ["金融", "保险"]},
            {"field": "tier", "op": "in", "value": ["A", "B"]},
        ],
    )


def test_segment_rules_beat_polygons(finance_segment):
    bank = CustomerFactory(code="BANK", industry="金融", tier="A", lng=121.05, lat=31.05)
    shop = CustomerFactory(code="SHOP", industry="零售", tier="A", lng=121.05, lat=31.05)
    assert bank.current_grid.code == "R1-A1-FIN" and bank.assignment_reason == "rule"
    assert shop.current_grid.code == "R1-A1-G1"
    customer_services.customer_update(customer=bank, tier="C")  # no longer matches
    assert grid_code("BANK") == "R1-A1-G1"


def test_bulk_assign_applies_segment_rules(finance_segment):
    put("BANK", 121.05, 31.05, industry="保险", tier="B")
    put("NOLOC", None, None, industry="金融", tier="A")
    customers_assign()
    assert grid_code("BANK") == "R1-A1-FIN" and grid_code("NOLOC") == "R1-A1-FIN"


@pytest.mark.parametrize(
    "rules, message",
    [
        ("金融", "Segment rules must be a list of conditions."),
        ([{"field": "colour", "op": "eq", "value": "red"}], "unknown field “colour”"),
        ([{"field": "tags", "op": "prefix", "value": "V"}], "takes the operators in, not_in, all"),
        ([{"field": "industry", "op": "in", "value": "金融"}], "needs a non-empty list of texts"),
        ([{"field": "tier", "op": "eq", "value": "Z"}], "“Z” is not a valid tier"),
        ([{"field": "tier"}], "Condition 1: write it as"),
    ],
)
def test_bad_segment_rules_are_refused_with_a_message(world, rules, message):
    with pytest.raises(ValidationError) as exc:
        grid_create(
            code="SEG",
            name="S",
            parent=world.grids["R1-A1"],
            kind=GridKind.SEGMENT,
            segment_rules=rules,
        )
    assert message in " ".join(exc.value.message_dict["segment_rules"])


def test_the_assign_command_prints_a_summary_of_moves(geo):
    put("IN-G2", 121.15, 31.05, current_grid=geo.grids["R1-A1-G1"])
    out = StringIO()
    call_command("assign", stdout=out, no_color=True)
    text = out.getvalue()
    assert "Moved to another grid" in text and "R1-A1-G1" in text and "R1-A1-G2" in text
    assert grid_code("IN-G2") == "R1-A1-G2"


def test_the_assign_command_dry_run_and_a_bad_grid_code(geo):
    put("IN-G1", 121.05, 31.05)
    out = StringIO()
    call_command("assign", "--dry-run", "--grid", "R1", stdout=out, no_color=True)
    assert "Dry run" in out.getvalue() and grid_code("IN-G1") is None
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="NOPE"):
        call_command("assign", "--grid", "NOPE", stdout=StringIO())


def test_the_customer_list_shows_the_nearest_grid_of_unassigned_customers(geo, client):
    CustomerFactory(code="FAR", lng=121.25, lat=31.05, owner=geo.users["rep"])
    client.force_login(geo.users["rep"])
    page = client.get("/customers/", {"q": "FAR"}).content.decode()
    row = CustomerGridAssignment.objects.get(customer__code="FAR")
    assert f"nearest R1-A1-G2, {row.distance_m:.0f} m" in page


def test_the_customer_page_says_why_the_customer_is_in_its_grid(geo, client):
    customer = CustomerFactory(code="WHY", lng=121.05, lat=31.05)
    customer_services.customer_update(customer=customer, lng=121.15)
    client.force_login(geo.users["admin"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "The location lies inside the boundary of R1-A1-G2." in page
    history_rows = page.split('data-testid="assignment-history"')[1]
    assert history_rows.index("R1-A1-G2") < history_rows.index("R1-A1-G1")  # newest first


def test_the_api_pins_and_unpins_and_lists_the_history(geo, api):
    customer = CustomerFactory(code="API", lng=121.05, lat=31.05, owner=geo.users["rep"])
    client = api("gridmanager")
    response = client.post(f"/api/v1/customers/{customer.pk}/pin/", {}, format="json")
    assert response.status_code == 200
    assert (response.json()["grid_pinned"], response.json()["assignment_reason"]) == (
        True,
        "manual",
    )
    response = client.post(f"/api/v1/customers/{customer.pk}/unpin/", {}, format="json")
    assert (response.json()["grid_pinned"], response.json()["assignment_reason"]) == (
        False,
        "polygon",
    )
    rows = client.get("/api/v1/customer-assignments/", {"customer": customer.pk}).json()
    assert [(r["grid"], r["reason"]) for r in rows["results"]] == [
        ("R1-A1-G1", "polygon"),
        ("R1-A1-G1", "manual"),
        ("R1-A1-G1", "polygon"),
    ]
    assert (
        api("rep2").get("/api/v1/customer-assignments/", {"customer": customer.pk}).json()["count"]
        == 0
    )


def test_pinning_through_the_api_to_a_grid_outside_the_scope_is_refused(geo, api):
    customer = CustomerFactory(code="API2", lng=121.05, lat=31.05, owner=geo.users["rep"])
    response = api("rep").post(
        f"/api/v1/customers/{customer.pk}/pin/", {"grid": "R2-A1-G1"}, format="json"
    )
    assert response.status_code == 400  # R2-A1-G1 does not resolve for rep
    customer.refresh_from_db()
    assert customer.current_grid.code == "R1-A1-G1" and not customer.grid_pinned


def test_an_open_row_is_closed_even_when_the_stored_reason_was_overwritten(geo):
    customer = CustomerFactory(code="ODD", lng=121.05, lat=31.05)
    Customer.objects.filter(pk=customer.pk).update(
        assignment_reason="imported", lng=121.15, current_grid=None
    )
    customers_assign()
    assert history("ODD") == [("R1-A1-G1", "polygon", False), ("R1-A1-G2", "polygon", True)]


def test_a_pin_set_behind_the_services_is_recorded_as_manual(geo):
    put("PINNED-BY-IMPORT", 121.05, 31.05, current_grid=geo.grids["R2-A1-G1"], grid_pinned=True)
    summary = customers_assign()
    assert grid_code("PINNED-BY-IMPORT") == "R2-A1-G1"
    assert history("PINNED-BY-IMPORT")[-1] == ("R2-A1-G1", "manual", True)
    assert summary.moved == 0 and summary.pinned_kept == 4
    assert customers_assign().changed == 0
