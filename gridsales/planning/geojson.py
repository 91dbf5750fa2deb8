"""GeoJSON units for districting: polygons with an id and numeric activity properties.

Pure core (shapely, numpy; no Django). Two units are adjacent when their polygons share a
border of some length (touching at a point is not enough), found with an STRtree; the
edge's distance is the distance between their centroids: great-circle (haversine) in km
when every coordinate is a longitude/latitude (|x| ≤ 180, |y| ≤ 90, as RFC 7946 says),
else Euclidean in the file's units.

Activities: the properties named in `activities`, or by default every property other than
the id that is a number (or a numeric string) in every feature.
"""

from __future__ import annotations

import json
import math

import numpy as np
import shapely
from shapely.geometry import shape

from gridsales.planning.districting import Instance
from gridsales.planning.errors import DistrictingError, _

EARTH_RADIUS_KM = 6371.0088
POLYGONAL = {"Polygon", "MultiPolygon"}
SNAP = 1e-7


def haversine_km(lon1, lat1, lon2, lat2):
    """Great-circle distance in km (arrays or scalars, degrees)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, h)))


def _numeric(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def load_geojson(
    text: str | bytes, *, id_field: str = "id", activities: list[str] | None = None
) -> Instance:
    """A FeatureCollection of (Multi)Polygons → an Instance (see the module docstring)."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DistrictingError(_("The file is not valid JSON: {error}."), error=exc) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise DistrictingError(_("The GeoJSON file must be a FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise DistrictingError(_("The GeoJSON file has no features."))
    ids: list[str] = []
    props: list[dict] = []
    geoms = []
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        raw_id = properties.get(id_field)
        if raw_id is None or raw_id == "":
            raise DistrictingError(
                _("Feature {number} has no {field} property (the unit id)."),
                number=number,
                field=id_field,
            )
        uid = str(raw_id)
        if uid in ids:
            raise DistrictingError(
                _("Feature {number}: the id {unit} is used twice."), number=number, unit=uid
            )
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
            raise DistrictingError(
                _("Unit {unit}: the geometry must be a Polygon or MultiPolygon."), unit=uid
            )
        try:
            geom = shape(geometry)
        except (
            ValueError,
            TypeError,
            AttributeError,
            IndexError,
            shapely.errors.ShapelyError,
        ) as exc:
            raise DistrictingError(
                _("Unit {unit}: the geometry cannot be read ({error})."), unit=uid, error=exc
            ) from exc
        if geom.is_empty:
            raise DistrictingError(_("Unit {unit}: the geometry is empty."), unit=uid)
        if not geom.is_valid:
            geom = shapely.make_valid(geom)
        ids.append(uid)
        props.append(properties)
        geoms.append(geom)
    names = _activity_names(props, id_field) if activities is None else list(activities)
    rows = []
    for uid, properties in zip(ids, props, strict=True):
        row = []
        for name in names:
            if name not in properties:
                raise DistrictingError(
                    _("Unit {unit}: the property {activity} is missing."), unit=uid, activity=name
                )
            value = _numeric(properties[name])
            if value is None:
                raise DistrictingError(
                    _("Unit {unit}: {activity} is {value!r}, not a number."),
                    unit=uid,
                    activity=name,
                    value=properties[name],
                )
            row.append(value)
        rows.append(row)
    geoms_arr = np.array(geoms, dtype=object)
    centroids = shapely.centroid(geoms_arr)
    xy = np.column_stack([shapely.get_x(centroids), shapely.get_y(centroids)])
    edges = _shared_borders(geoms_arr, xy)
    return Instance(
        ids=ids,
        xy=xy,
        activities=np.array(rows, dtype=float).reshape(len(ids), len(names)),
        activity_names=names,
        edges=edges,
    )


def _activity_names(props: list[dict], id_field: str) -> list[str]:
    names = [k for k in props[0] if k != id_field]
    common = [k for k in names if all(_numeric(p.get(k)) is not None for p in props)]
    if not common:
        raise DistrictingError(
            _("No property is a number in every feature: name the activities (--activities).")
        )
    return common


def _shared_borders(geoms: np.ndarray, xy: np.ndarray) -> list[tuple[int, int, float]]:
    """Pairs that share a border, with their centroid distance. Coordinates in real files
    are rounded, so borders are compared within SNAP × the map's extent (1 cm on a
    city's map), and a border counts only when it is longer than 100 times that: squares
    that meet at a corner are not neighbours."""
    bounds = shapely.total_bounds(geoms)
    eps = SNAP * max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1e-12)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=eps)
    keep = left < right
    left, right = left[keep], right[keep]
    if len(left) == 0:
        return []
    near_right = shapely.buffer(shapely.boundary(geoms[right]), eps, quad_segs=1)
    shared = shapely.length(shapely.intersection(shapely.boundary(geoms[left]), near_right))
    touching = shared > 100 * eps
    left, right = left[touching], right[touching]
    lonlat = -180 <= bounds[0] and bounds[2] <= 180 and -90 <= bounds[1] and bounds[3] <= 90
    if lonlat:
        d = haversine_km(xy[left, 0], xy[left, 1], xy[right, 0], xy[right, 1])
    else:
        d = np.hypot(xy[left, 0] - xy[right, 0], xy[left, 1] - xy[right, 1])
    return list(zip(left.tolist(), right.tolist(), d.tolist(), strict=True))
