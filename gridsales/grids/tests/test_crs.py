"""WGS-84 / GCJ-02 / BD-09 against published reference points, both directions."""

import numpy as np
import pytest

from gridsales.grids import crs

# (wgs lng, wgs lat, gcj lng, gcj lat): the reference points of the eviltransform project's
# own tests (googollee/eviltransform, python/test.py; the same in its PHP/JS ports).
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]
# The example results of wandergis/coordtransform (test/app.js) for the input (116.404, 39.915).
COORDTRANSFORM_IN = (116.404, 39.915)
COORDTRANSFORM = {
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
    # coordtransform inverts GCJ-02 in one step (error up to ~1e-5°); ours iterates.
    "gcj02_to_wgs84": (116.39775550083061, 39.91359571849836),
}
# (eviltransform's test.py also lists two BD-09 → WGS-84 pairs, but they were produced by
# an older version of its code and disagree with its own current formulas by ~9e-5°, so
# they are not used here.)


@pytest.mark.parametrize("wgs_lng,wgs_lat,gcj_lng,gcj_lat", EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_the_published_points(wgs_lng, wgs_lat, gcj_lng, gcj_lat):
    assert crs.wgs84_to_gcj02(wgs_lng, wgs_lat) == pytest.approx((gcj_lng, gcj_lat), abs=1e-9)


@pytest.mark.parametrize("wgs_lng,wgs_lat,gcj_lng,gcj_lat", EVILTRANSFORM)
def test_gcj02_to_wgs84_recovers_the_published_points(wgs_lng, wgs_lat, gcj_lng, gcj_lat):
    assert crs.gcj02_to_wgs84(gcj_lng, gcj_lat) == pytest.approx((wgs_lng, wgs_lat), abs=1e-7)


@pytest.mark.parametrize("name", ["wgs84_to_gcj02", "gcj02_to_bd09"])
def test_closed_form_conversions_match_coordtransform(name):
    got = getattr(crs, name)(*COORDTRANSFORM_IN)
    assert got == pytest.approx(COORDTRANSFORM[name], abs=1e-9)


def test_bd09_to_gcj02_is_the_published_value_refined_to_an_exact_inverse():
    got = crs.bd09_to_gcj02(*COORDTRANSFORM_IN)
    assert got == pytest.approx(COORDTRANSFORM["bd09_to_gcj02"], abs=5e-6)
    assert crs.gcj02_to_bd09(*got) == pytest.approx(COORDTRANSFORM_IN, abs=1e-9)


def test_the_iterated_inverse_is_within_the_one_step_error_of_coordtransform():
    got = crs.gcj02_to_wgs84(*COORDTRANSFORM_IN)
    assert got == pytest.approx(COORDTRANSFORM["gcj02_to_wgs84"], abs=2e-5)
    # ... and, unlike the one-step result, maps back onto its input exactly.
    assert crs.wgs84_to_gcj02(*got) == pytest.approx(COORDTRANSFORM_IN, abs=1e-9)


def test_bd09_and_wgs84_round_trip_through_the_published_gcj02_points():
    bd = crs.wgs84_to_bd09(*COORDTRANSFORM_IN)
    assert bd == pytest.approx(crs.gcj02_to_bd09(*COORDTRANSFORM["wgs84_to_gcj02"]), abs=1e-12)
    assert crs.bd09_to_wgs84(*bd) == pytest.approx(COORDTRANSFORM_IN, abs=1e-8)


def test_points_outside_china_are_not_shifted():
    for lng, lat in [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688)]:
        assert crs.wgs84_to_gcj02(lng, lat) == (lng, lat)
        assert crs.gcj02_to_wgs84(lng, lat) == (lng, lat)


def test_round_trips_are_accurate_to_a_millionth_of_a_degree_over_china():
    rng = np.random.default_rng(7)
    lng = rng.uniform(73.5, 135.0, 20_000)
    lat = rng.uniform(18.0, 53.5, 20_000)
    for code in (crs.GCJ02, crs.BD09):
        back_lng, back_lat = crs.to_wgs84(code, *crs.from_wgs84(code, lng, lat))
        assert np.max(np.abs(back_lng - lng)) < 1e-6
        assert np.max(np.abs(back_lat - lat)) < 1e-6


def test_arrays_and_scalars_give_the_same_answer():
    lng, lat = crs.wgs84_to_gcj02(np.array([121.5272106, 2.0]), np.array([31.1774276, 48.0]))
    assert lng[0] == pytest.approx(crs.wgs84_to_gcj02(121.5272106, 31.1774276)[0])
    assert (lng[1], lat[1]) == (2.0, 48.0)


def test_transform_geojson_moves_every_vertex():
    square = {
        "type": "Polygon",
        "coordinates": [[[121, 31], [121.1, 31], [121.1, 31.1], [121, 31]]],
    }
    moved = crs.transform_geojson(square, crs.wgs84_to_gcj02)
    assert moved["coordinates"][0][0] == pytest.approx(list(crs.wgs84_to_gcj02(121, 31)))
    with pytest.raises(ValueError):
        crs.to_wgs84("utm", 1, 2)
