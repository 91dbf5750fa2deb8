"""The map page and its JSON endpoints: exactly the persona's scope, 404 outside it."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from gridsales.conftest import PERSONAS
from gridsales.customers.models import Customer
from gridsales.grids import crs
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import square

LEAVES = {"R1-A1-G1", "R1-A1-G2", "R2-A1-G1"}
MAP_GRIDS = {
    **{p: LEAVES for p in ("admin", "director", "analyst", "finance")},
    "regional": {"R1-A1-G1", "R1-A1-G2"},
    "gridmanager": {"R1-A1-G1"},
    "rep": {"R1-A1-G1"},
    "rep2": {"R2-A1-G1"},
    "outsider": set(),
}
MAP_CUSTOMERS = {
    **{p: {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"} for p in ("admin", "director")},
    "analyst": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "finance": {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"},
    "regional": {"CUS-G1", "CUS-G2"},
    "gridmanager": {"CUS-G1"},
    "rep": {"CUS-G1", "CUS-NOGRID"},
    "rep2": {"CUS-R2"},
    "outsider": set(),
}


@pytest.fixture
def mapped(world):
    w = world
    grid_update(grid=w.grids["R1-A1-G1"], geometry=square(121.0, 31.0))
    grid_update(grid=w.grids["R1-A1-G2"], geometry=square(121.1, 31.0))
    grid_update(grid=w.grids["R2-A1-G1"], geometry=square(121.0, 31.2))
    for code, lng, lat in [
        ("CUS-G1", 121.05, 31.05),
        ("CUS-G2", 121.15, 31.05),
        ("CUS-R2", 121.05, 31.25),
        ("CUS-NOGRID", 121.5, 31.5),
    ]:
        Customer.objects.filter(code=code).update(lng=lng, lat=lat)
    return w


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_map_shows_exactly_the_personas_grids_and_customers(mapped, persona):
    client = client_for(mapped, persona)
    assert client.get(reverse("map:page")).status_code == 200
    grids = client.get(reverse("map:grids")).json()["features"]
    assert {f["properties"]["code"] for f in grids} == MAP_GRIDS[persona]
    data = client.get(reverse("map:customers"), {"bbox": "120,30,123,32", "zoom": 10}).json()
    assert {p["code"] for p in data["points"]} == MAP_CUSTOMERS[persona]


def test_grid_features_carry_their_customer_count_and_page(mapped):
    grids = client_for(mapped, "admin").get(reverse("map:grids")).json()["features"]
    g1 = next(f for f in grids if f["properties"]["code"] == "R1-A1-G1")
    assert g1["properties"]["customers"] == 1
    assert g1["properties"]["url"] == reverse("grids:detail", args=[mapped.grids["R1-A1-G1"].pk])
    assert g1["geometry"]["type"] == "Polygon"


@pytest.mark.parametrize("persona", ["rep", "rep2", "gridmanager", "outsider"])
def test_a_grid_filter_outside_the_scope_answers_404(mapped, persona):
    client = client_for(mapped, persona)
    r1 = mapped.grids["R1"].pk
    for name in ("map:page", "map:grids", "map:customers"):
        assert client.get(reverse(name), {"grid": r1}).status_code == 404
        assert client.get(reverse(name), {"grid": "x"}).status_code == 404


def test_the_grid_filter_shows_one_subtree(mapped):
    client = client_for(mapped, "admin")
    r1 = mapped.grids["R1"].pk
    grids = client.get(reverse("map:grids"), {"grid": r1}).json()["features"]
    assert {f["properties"]["code"] for f in grids} == {"R1-A1-G1", "R1-A1-G2"}
    data = client.get(reverse("map:customers"), {"grid": r1}).json()
    assert {p["code"] for p in data["points"]} == {"CUS-G1", "CUS-G2"}
    page = client.get(reverse("map:page"), {"grid": r1}).content.decode()
    assert f'value="{r1}" selected' in page


def test_the_bounding_box_limits_the_customers(mapped):
    data = client_for(mapped, "admin").get(
        reverse("map:customers"), {"bbox": "121.0,31.0,121.12,31.1"}
    )
    assert {p["code"] for p in data.json()["points"]} == {"CUS-G1"}


def test_many_customers_are_sent_as_clusters_that_add_up(mapped):
    g1 = mapped.grids["R1-A1-G1"]
    Customer.objects.bulk_create(
        Customer(
            code=f"BULK{i}",
            name="x",
            lng=121.0 + (i % 30) / 400,
            lat=31.0 + i / 9000,
            current_grid=g1,
        )
        for i in range(600)
    )
    data = client_for(mapped, "admin").get(reverse("map:customers"), {"zoom": 9}).json()
    assert data["total"] == 604 and data["points"] == []
    assert sum(c["n"] for c in data["clusters"]) == 604
    assert len(data["clusters"]) < 20
    rep = client_for(mapped, "rep").get(reverse("map:customers"), {"zoom": 9}).json()
    assert rep["total"] == 602  # G1's 601 and its own unassigned one


def test_gcj02_tiles_get_gcj02_coordinates(mapped):
    client = client_for(mapped, "admin")
    with override_settings(MAP_TILES_CRS="gcj02"):
        grids = client.get(reverse("map:grids")).json()["features"]
        data = client.get(reverse("map:customers"), {"grid": mapped.grids["R1-A1-G1"].pk})
        page = client.get(reverse("grids:detail", args=[mapped.grids["R1-A1-G1"].pk]))
    g1 = next(f for f in grids if f["properties"]["code"] == "R1-A1-G1")
    want = crs.wgs84_to_gcj02(121.0, 31.0)
    assert g1["geometry"]["coordinates"][0][0] == pytest.approx(list(want))
    point = data.json()["points"][0]
    assert (point["lng"], point["lat"]) == pytest.approx(crs.wgs84_to_gcj02(121.05, 31.05))
    assert str(round(want[0], 6))[:9] in page.content.decode()


def test_without_a_tile_source_the_map_has_no_tile_layer(mapped):
    page = client_for(mapped, "admin").get(
        reverse("grids:detail", args=[mapped.grids["R1-A1-G1"].pk])
    )
    assert "L.tileLayer" not in page.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(mapped):
    for name in ("map:page", "map:grids", "map:customers"):
        assert Client().get(reverse(name)).status_code == 302
