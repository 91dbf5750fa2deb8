"""Framework-free helpers for grid geometry (WGS-84 GeoJSON)."""

from __future__ import annotations

import shapely
from shapely.geometry import mapping, shape


class GeometryError(ValueError):
    pass


def normalise(geojson: dict) -> tuple[dict, tuple[float, float, float, float]]:
    """Validate a GeoJSON (Multi)Polygon, repair it if invalid, return it with its bbox."""
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry") or {}
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed input
        raise GeometryError(str(exc)) from exc
    if geom.geom_type not in {"Polygon", "MultiPolygon"}:
        raise GeometryError(geom.geom_type)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
        polys = [
            g for g in getattr(geom, "geoms", [geom]) if g.geom_type in {"Polygon", "MultiPolygon"}
        ]
        geom = shapely.union_all(polys)
    if geom.is_empty:
        raise GeometryError("empty")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise GeometryError("out of WGS-84 range")
    return mapping(geom), (minx, miny, maxx, maxy)
