"""Navigation links carry the coordinates each app expects: GCJ-02 for Amap, BD-09 for
Baidu Maps, converted from WGS-84. The reference point is coordtransform's published
example: WGS-84 (116.404, 39.915) → GCJ-02 (116.41024449916938, 39.91640428150164), and
GCJ-02 → BD-09 as its gcj02tobd09 gives."""

import re

import pytest

from gridsales.grids import crs
from gridsales.routes.navigate import amap_url, baidu_url

WGS = (39.915, 116.404)  # lat, lng
GCJ = (116.41024449916938, 39.91640428150164)  # lng, lat (published)
BD = (116.41662724378733, 39.922699552216216)  # lng, lat = gcj02tobd09(GCJ)


def test_the_conversions_of_a_known_point():
    assert crs.wgs84_to_gcj02(WGS[1], WGS[0]) == pytest.approx(GCJ, abs=1e-9)
    assert crs.gcj02_to_bd09(116.404, 39.915) == pytest.approx(
        (116.41036949371029, 39.92133699351021), abs=1e-9
    )
    assert crs.wgs84_to_bd09(WGS[1], WGS[0]) == pytest.approx(BD, abs=1e-9)


def test_amap_gets_gcj02_longitude_first():
    url = amap_url(*WGS, "客户 A&B")
    lng, lat = (float(x) for x in re.search(r"position=([\d.]+),([\d.]+)", url).groups())
    assert (lng, lat) == pytest.approx(GCJ, abs=1e-5)
    assert url.startswith("https://uri.amap.com/marker?position=116.410244,39.916404&")
    assert "&name=%E5%AE%A2%E6%88%B7%20A%26B&" in url
    assert "coordinate=gaode" in url


def test_baidu_gets_bd09_latitude_first():
    url = baidu_url(*WGS, "客户 A", "上海市, 1 号")
    lat, lng = (float(x) for x in re.search(r"location=([\d.]+),([\d.]+)", url).groups())
    assert (lng, lat) == pytest.approx(BD, abs=1e-5)
    assert url.startswith("https://api.map.baidu.com/marker?location=39.922700,116.416627&")
    assert "&coord_type=bd09ll" in url and "&output=html" in url
    assert (
        "&title=%E5%AE%A2%E6%88%B7%20A&content=%E4%B8%8A%E6%B5%B7%E5%B8%82%2C%201%20%E5%8F%B7"
        in url
    )


def test_outside_china_nothing_is_shifted():
    assert "position=2.352200,48.856600&" in amap_url(48.8566, 2.3522, "Paris")
