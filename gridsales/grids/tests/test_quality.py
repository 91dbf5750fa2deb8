"""Geometry quality (overlaps, gaps, areas) and H3 hexagon grids."""

from __future__ import annotations

import json
from pathlib import Path

import h3
import numpy as np
import pyproj
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation
from shapely.geometry import box, mapping, shape

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_ui_pages import VISIBLE_GRIDS
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids import crs, hexes, quality
from gridsales.grids.models import Grid
from gridsales.grids.services import grid_update
from gridsales.grids.tests.factories import GridFactory, square

BEIJING = Path(__file__).parent / "data" / "beijing-districts.geojson"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def laea_area(geom) -> float:
    """Independent oracle: area in a Lambert azimuthal equal-area projection at the centroid."""
    c = geom.centroid
    proj = pyproj.Transformer.from_crs(
        4326, pyproj.CRS(proj="laea", lat_0=c.y, lon_0=c.x, ellps="WGS84"), always_xy=True
    )
    return shapely.transform(
        geom, lambda xy: np.column_stack(proj.transform(xy[:, 0], xy[:, 1]))
    ).area


def test_areas_match_an_equal_area_projection():
    for geom in [box(116.0, 39.0, 116.1, 39.1), box(121.4, 31.1, 121.6, 31.3), box(0, 0, 1, 1)]:
        assert quality.area_m2(geom) == pytest.approx(laea_area(geom), rel=1e-4)
    # One degree square at the equator: ~12,308 km² (WGS-84 ellipsoid).
    assert quality.area_m2(box(0, 0, 1, 1)) / 1e6 == pytest.approx(12308.8, rel=1e-3)


def test_it_reports_overlaps_and_gaps_with_their_areas():
    parent = mapping(box(116.0, 39.0, 116.3, 39.1))
    children = [
        ("A", mapping(box(116.0, 39.0, 116.12, 39.1))),  # overlaps B by 0.02°
        ("B", mapping(box(116.10, 39.0, 116.2, 39.1))),  # then a 0.1° gap to the east
    ]
    report = quality.check_siblings("P", parent, children)
    assert [(o.a, o.b) for o in report.overlaps] == [("A", "B")]
    assert report.overlaps[0].area_m2 == pytest.approx(
        laea_area(box(116.10, 39.0, 116.12, 39.1)), rel=1e-3
    )
    assert len(report.gaps) == 1
    assert report.gaps[0].area_m2 == pytest.approx(
        laea_area(box(116.2, 39.0, 116.3, 39.1)), rel=1e-3
    )
    collection = quality.as_feature_collection(report)
    assert [f["properties"]["kind"] for f in collection["features"]] == ["overlap", "gap"]


def test_slivers_below_the_threshold_are_ignored():
    parent = mapping(box(116.0, 39.0, 116.2, 39.1))
    children = [
        ("A", mapping(box(116.0, 39.0, 116.1, 39.1))),
        ("B", mapping(box(116.10000001, 39.0, 116.2, 39.1))),  # a gap ~1 mm wide
    ]
    report = quality.check_siblings("P", parent, children)
    assert report.ok


def test_invalid_children_are_reported():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[116, 39], [116.1, 39.1], [116.1, 39], [116, 39.1], [116, 39]]],
    }
    report = quality.check_siblings("P", None, [("BOW", bowtie)])
    assert [i.code for i in report.invalid] == ["BOW"]
    assert "Self-intersection" in report.invalid[0].reason


def test_hexagons_cover_the_polygon_and_are_clipped_to_it():
    polygon = box(116.30, 39.90, 116.45, 40.00)
    cells, dropped = hexes.hexagons(mapping(polygon), 7)
    pieces = [shape(c.geometry) for c in cells]
    union = shapely.union_all(pieces)
    assert all(polygon.buffer(1e-9).contains(p) for p in pieces)
    # Covered except the dropped slivers (each under 5 % of a hexagon).
    missing = quality.area_m2(shapely.difference(polygon, union))
    assert missing <= dropped * 0.05 * h3.average_hexagon_area(7, "m^2") * 1.2
    assert missing / quality.area_m2(polygon) < 0.02
    assert all(h3.get_resolution(c.cell) == 7 for c in cells)
    # North to south, then west to east.
    keys = [(-c.lat, c.lng) for c in cells]
    assert keys == sorted(keys)


def test_too_many_hexagons_are_refused():
    with pytest.raises(hexes.TooManyCells):
        hexes.hexagons(mapping(box(100, 30, 110, 40)), 9)


@pytest.fixture
def district(world):
    """A Beijing district (东城区) as a leaf under R1-A1."""
    collection = json.loads(BEIJING.read_text())
    geometry = next(
        f["geometry"] for f in collection["features"] if f["properties"]["adcode"] == "110101"
    )
    return GridFactory(
        code="BJ-DC", name="东城区", parent=world.grids["R1-A1"], level="grid", geometry=geometry
    )


def test_hexes_command_creates_predictable_children(district, capsys):
    call_command("grids", "hexes", "--parent", "BJ-DC", "--resolution", "8")
    children = list(Grid.objects.filter(parent=district).order_by("code"))
    assert children[0].code == "BJ-DC-H8-0001"
    assert children[0].name == "东城区 hexagon 0001"
    assert children[0].level == "subgrid" and children[0].is_leaf and children[0].kind == "geo"
    assert [c.code for c in children] == [f"BJ-DC-H8-{n:04d}" for n in range(1, len(children) + 1)]
    centres = [h3.cell_to_latlng(c.description.split()[1]) for c in children]
    assert centres == sorted(centres, key=lambda ll: (-ll[0], ll[1]))
    out = capsys.readouterr().out
    assert f"{len(children)} hexagons" in out
    # The hexagons neither overlap nor leave gaps (beyond dropped slivers).
    call_command("grids", "check", "--parent", "BJ-DC", "--min-area", "50000")


def test_hexes_refuses_a_parent_with_children_unless_replace(district):
    call_command("grids", "hexes", "--parent", "BJ-DC", "--resolution", "7")
    first = set(Grid.objects.filter(parent=district).values_list("code", flat=True))
    with pytest.raises(CommandError) as exc:
        call_command("grids", "hexes", "--parent", "BJ-DC", "--resolution", "8")
    assert exc.value.returncode == 2
    assert "already has" in str(exc.value) and "--replace" in str(exc.value)
    # A customer in one old hexagon: that one is retired, the others deleted.
    kept = Grid.objects.get(code="BJ-DC-H7-0001")
    CustomerFactory(code="IN-HEX", current_grid=kept)
    call_command("grids", "hexes", "--parent", "BJ-DC", "--resolution", "8", "--replace")
    kept.refresh_from_db()
    assert kept.status == "retired"
    assert not Grid.objects.filter(code__in=first - {"BJ-DC-H7-0001"}).exists()
    assert Grid.objects.filter(
        parent=district, status="active", code__startswith="BJ-DC-H8-"
    ).exists()


def test_hexes_dry_run_writes_nothing_and_bad_input_exits_2(district, world):
    call_command("grids", "hexes", "--parent", "BJ-DC", "--resolution", "8", "--dry-run")
    assert not Grid.objects.filter(parent=district).exists()
    for args in (["--parent", "NOPE"], ["--parent", "R1-A1-G2"]):  # unknown; no boundary
        with pytest.raises(CommandError) as exc:
            call_command("grids", "hexes", *args, "--resolution", "8")
        assert exc.value.returncode == 2


def test_check_command_reports_overlaps_and_gaps(world, capsys):
    parent = world.grids["R1-A1"]
    grid_update(grid=parent, geometry=square(116.0, 39.0, 0.3))
    grid_update(grid=world.grids["R1-A1-G1"], geometry=square(116.0, 39.0, 0.12))
    grid_update(grid=world.grids["R1-A1-G2"], geometry=square(116.1, 39.0, 0.1))
    with pytest.raises(CommandError) as exc:
        call_command("grids", "check")
    assert exc.value.returncode == 1
    out = capsys.readouterr().out
    assert "R1-A1: 2 sub-grids" in out
    assert "overlap R1-A1-G1 × R1-A1-G2:" in out
    assert out.count("gap:") == 1


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_quality_endpoint_is_scoped(world, persona):
    parent = world.grids["R1-A1"]
    grid_update(grid=parent, geometry=square(116.0, 39.0, 0.3))
    grid_update(grid=world.grids["R1-A1-G1"], geometry=square(116.0, 39.0, 0.12))
    client = Client()
    client.force_login(world.users[persona])
    response = client.get(f"/grids/{parent.pk}/quality.json")
    visible = "R1-A1" in VISIBLE_GRIDS[persona]
    assert response.status_code == (200 if visible else 404)
    if visible:
        data = response.json()
        assert data["summary"]["children"] == 1
        kinds = [(f["properties"]["kind"], f["properties"].get("code")) for f in data["features"]]
        assert kinds == [("child", "R1-A1-G1"), ("gap", None)]
        page = client.get(f"/grids/{parent.pk}/")
        assert b'data-testid="grid-quality"' in page.content


def test_the_quality_layer_follows_gcj02_map_tiles(world, settings):
    settings.MAP_TILES_CRS = "gcj02"
    parent = world.grids["R1-A1"]
    grid_update(grid=parent, geometry=square(116.0, 39.0, 0.3))
    grid_update(grid=world.grids["R1-A1-G1"], geometry=square(116.0, 39.0, 0.12))
    client = Client()
    client.force_login(world.users["admin"])
    child = client.get(f"/grids/{parent.pk}/quality.json").json()["features"][0]
    corner = child["geometry"]["coordinates"][0][0]
    assert corner == pytest.approx(list(crs.wgs84_to_gcj02(116.0, 39.0)))
