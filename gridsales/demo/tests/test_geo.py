"""The demo's pure geometry: splitting polygons and scattering points inside them."""

from __future__ import annotations

import random

import pytest
import shapely

from gridsales.demo import geo
from gridsales.demo.builder import load_districts


@pytest.fixture(scope="module")
def districts():
    return {name: geom for name, (geom, _adcode) in load_districts().items()}


def test_the_data_has_sixteen_districts_and_chongming_has_no_adcode():
    loaded = load_districts()
    assert len(loaded) == 16
    assert loaded["浦东新区"][1] == "310115"
    assert loaded["崇明区"][1] == ""


def test_split_covers_the_polygon_without_overlaps(districts):
    district = districts["徐汇区"]
    parts = geo.split_polygon(district, 5, random.Random(1))
    assert len(parts) == 5
    assert all(p.is_valid and p.geom_type in {"Polygon", "MultiPolygon"} for p in parts)
    union = shapely.union_all(parts)
    assert union.symmetric_difference(district).area < district.area * 1e-4
    assert sum(p.area for p in parts) == pytest.approx(district.area, rel=1e-4)


def test_split_parts_have_similar_areas(districts):
    parts = geo.split_polygon(districts["浦东新区"], 12, random.Random(2))
    areas = sorted(geo.area_km2(p) for p in parts)
    # Lloyd's iterations even the cells out; random seeds alone differ ~10x.
    assert areas[-1] / areas[0] < 4


def test_split_numbers_parts_north_to_south(districts):
    parts = geo.split_polygon(districts["嘉定区"], 5, random.Random(3))
    norths = [p.centroid.y for p in parts]
    assert norths == sorted(norths, reverse=True)


def test_split_into_one_part_is_the_polygon_itself(districts):
    assert geo.split_polygon(districts["黄浦区"], 1, random.Random(4)) == [districts["黄浦区"]]


def test_sampled_points_are_inside_even_after_rounding(districts):
    district = districts["崇明区"]  # three islands: most of its bounding box is water
    points = geo.sample_points(district, 500, random.Random(5))
    assert len(points) == 500
    assert all(district.contains(shapely.Point(x, y)) for x, y in points)
    assert all(round(x, 6) == x and round(y, 6) == y for x, y in points)


def test_sampling_is_deterministic(districts):
    district = districts["长宁区"]
    first = geo.sample_points(district, 50, random.Random(6))
    assert geo.sample_points(district, 50, random.Random(6)) == first


def test_area_is_about_right():
    # 0.01° × 0.01° at 31.2°N ≈ 1.113 km × 0.952 km.
    cell = shapely.box(121.0, 31.2, 121.01, 31.21)
    assert geo.area_km2(cell) == pytest.approx(1.06, rel=0.01)
