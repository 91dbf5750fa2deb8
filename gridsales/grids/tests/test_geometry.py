"""grids.geometry.normalise: a pure function, tested without Django."""

import pytest

from gridsales.grids.geometry import GeometryError, normalise
from gridsales.grids.tests.factories import square

# A "bowtie": the ring crosses itself at (1, 1), so the polygon is invalid as drawn.
BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}


def test_a_valid_polygon_passes_through_with_its_bbox():
    geometry, bbox = normalise(square(120.0, 30.0, 0.5))
    assert geometry["type"] == "Polygon"
    assert bbox == (120.0, 30.0, 120.5, 30.5)


def test_a_self_intersecting_bowtie_is_repaired_into_its_two_triangles():
    from shapely.geometry import shape

    geometry, bbox = normalise(BOWTIE)
    repaired = shape(geometry)
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon"
    assert len(repaired.geoms) == 2
    assert repaired.area == pytest.approx(2.0)
    assert bbox == (0.0, 0.0, 2.0, 2.0)


def test_a_feature_is_unwrapped_to_its_geometry():
    geometry, _bbox = normalise({"type": "Feature", "properties": {}, "geometry": square(1, 1)})
    assert geometry["type"] == "Polygon"


@pytest.mark.parametrize(
    "geojson",
    [
        {"type": "Point", "coordinates": [120.0, 30.0]},
        {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
    ],
)
def test_anything_but_a_polygon_is_rejected(geojson):
    with pytest.raises(GeometryError, match=geojson["type"]):
        normalise(geojson)


@pytest.mark.parametrize(
    "geojson",
    [
        {"type": "Polygon", "coordinates": "nonsense"},
        {"type": "Nonsense"},
        {},
        {"type": "Feature", "geometry": None},
    ],
)
def test_malformed_geojson_is_rejected(geojson):
    with pytest.raises(GeometryError):
        normalise(geojson)


def test_coordinates_outside_wgs84_are_rejected():
    with pytest.raises(GeometryError, match="WGS-84"):
        normalise(square(500000.0, 3000000.0, 100.0))  # metres, e.g. a UTM export


def test_a_polygon_collapsing_to_nothing_is_rejected():
    flat = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}
    with pytest.raises(GeometryError):
        normalise(flat)
