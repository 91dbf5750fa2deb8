"""Chinese map coordinate systems: WGS-84 ↔ GCJ-02 ↔ BD-09 (pure, no Django).

- WGS-84: GPS, OpenStreetMap; what GridSales stores.
- GCJ-02 ("Mars coordinates"): Amap (高德), Tencent, Google Maps in China. A published
  obfuscation of WGS-84 on the Krasovsky ellipsoid (a = 6378245.0, e² = 0.00669342162296594323)
  with an offset of a few hundred metres. Points outside China are not shifted.
- BD-09: Baidu, a further rotation of GCJ-02 (the "3000π" constants); its published
  closed-form inverse is itself approximate (~2e-6°), so it is refined by iteration too.

Every function takes `lng, lat` as floats or numpy arrays (any shape) and returns the same
kind. The inverse GCJ-02 → WGS-84 has no closed form: it iterates the forward transform
until the point moves less than 1e-7° (one-step inversions are off by up to ~1 m).
"""

from __future__ import annotations

import math

import numpy as np

WGS84 = "wgs84"
GCJ02 = "gcj02"
BD09 = "bd09"
CRS_CODES = (WGS84, GCJ02, BD09)

_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
_INVERSE_TOLERANCE = 1e-7
_INVERSE_MAX_STEPS = 30


def _as_arrays(lng, lat):
    scalar = np.ndim(lng) == 0 and np.ndim(lat) == 0
    return np.asarray(lng, dtype=float), np.asarray(lat, dtype=float), scalar


def _out(lng, lat, scalar):
    if scalar:
        return float(lng), float(lat)
    return lng, lat


def out_of_china(lng, lat):
    """True where the point lies outside the rectangle the GCJ-02 offset applies to."""
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    return (lng < 72.004) | (lng > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lng, lat):
    """The GCJ-02 offset (dlng, dlat) in degrees at WGS-84 point (lng, lat)."""
    x = lng - 105.0
    y = lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * math.pi) + 20.0 * np.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
    dlat += (20.0 * np.sin(y * math.pi) + 40.0 * np.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * math.pi) + 320.0 * np.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
    dlng += (20.0 * np.sin(x * math.pi) + 40.0 * np.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(x / 12.0 * math.pi) + 300.0 * np.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * math.pi)
    outside = out_of_china(lng, lat)
    return np.where(outside, 0.0, dlng), np.where(outside, 0.0, dlat)


def wgs84_to_gcj02(lng, lat):
    lng, lat, scalar = _as_arrays(lng, lat)
    dlng, dlat = _delta(lng, lat)
    return _out(lng + dlng, lat + dlat, scalar)


def gcj02_to_wgs84(lng, lat):
    """Invert the GCJ-02 offset by fixed-point iteration to < 1e-7°."""
    gcj_lng, gcj_lat, scalar = _as_arrays(lng, lat)
    wgs_lng, wgs_lat = gcj_lng.copy(), gcj_lat.copy()
    for _step in range(_INVERSE_MAX_STEPS):
        dlng, dlat = _delta(wgs_lng, wgs_lat)
        new_lng = gcj_lng - dlng
        new_lat = gcj_lat - dlat
        moved = max(
            float(np.max(np.abs(new_lng - wgs_lng), initial=0.0)),
            float(np.max(np.abs(new_lat - wgs_lat), initial=0.0)),
        )
        wgs_lng, wgs_lat = new_lng, new_lat
        if moved < _INVERSE_TOLERANCE / 10:
            break
    return _out(wgs_lng, wgs_lat, scalar)


def gcj02_to_bd09(lng, lat):
    lng, lat, scalar = _as_arrays(lng, lat)
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return _out(z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006, scalar)


def _bd09_to_gcj02_closed_form(lng, lat):
    x = lng - 0.0065
    y = lat - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_gcj02(lng, lat):
    """The published closed-form inverse (off by up to ~2e-6°), refined by iteration."""
    bd_lng, bd_lat, scalar = _as_arrays(lng, lat)
    gcj_lng, gcj_lat = _bd09_to_gcj02_closed_form(bd_lng, bd_lat)
    for _step in range(_INVERSE_MAX_STEPS):
        fwd_lng, fwd_lat = gcj02_to_bd09(gcj_lng, gcj_lat)
        err_lng, err_lat = bd_lng - fwd_lng, bd_lat - fwd_lat
        gcj_lng, gcj_lat = gcj_lng + err_lng, gcj_lat + err_lat
        moved = max(
            float(np.max(np.abs(err_lng), initial=0.0)),
            float(np.max(np.abs(err_lat), initial=0.0)),
        )
        if moved < _INVERSE_TOLERANCE / 10:
            break
    return _out(gcj_lng, gcj_lat, scalar)


def wgs84_to_bd09(lng, lat):
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng, lat):
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


def to_wgs84(crs: str, lng, lat):
    """Convert from `crs` ("wgs84", "gcj02" or "bd09") to WGS-84."""
    if crs == WGS84:
        lng, lat, scalar = _as_arrays(lng, lat)
        return _out(lng, lat, scalar)
    if crs == GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if crs == BD09:
        return bd09_to_wgs84(lng, lat)
    raise ValueError(f"unknown CRS {crs!r}")


def from_wgs84(crs: str, lng, lat):
    """Convert WGS-84 to `crs` (for tests and for map tiles that need GCJ-02)."""
    if crs == WGS84:
        lng, lat, scalar = _as_arrays(lng, lat)
        return _out(lng, lat, scalar)
    if crs == GCJ02:
        return wgs84_to_gcj02(lng, lat)
    if crs == BD09:
        return wgs84_to_bd09(lng, lat)
    raise ValueError(f"unknown CRS {crs!r}")


def transform_geojson(geometry: dict, convert) -> dict:
    """A copy of a GeoJSON (Multi)Polygon with every vertex passed through `convert`."""

    def ring(coords):
        arr = np.asarray(coords, dtype=float)
        lng, lat = convert(arr[:, 0], arr[:, 1])
        return np.column_stack([lng, lat]).tolist()

    kind = geometry["type"]
    if kind == "Polygon":
        return {"type": kind, "coordinates": [ring(r) for r in geometry["coordinates"]]}
    if kind == "MultiPolygon":
        return {
            "type": kind,
            "coordinates": [[ring(r) for r in poly] for poly in geometry["coordinates"]],
        }
    raise ValueError(kind)
