"""Geometry quality of sibling grids: invalid polygons, overlaps, gaps (pure, no Django).

Areas are ellipsoidal (pyproj.Geod on WGS-84: the exact area of the polygon on the
ellipsoid, in m²), so they are right anywhere without choosing a projection.
Overlaps and gaps smaller than `min_area_m2` (default 100 m²) are slivers from digitising
and are ignored; so are gap parts thinner than ~1 m (their area is what counts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape

SLIVER_M2 = 100.0
_GEOD = Geod(ellps="WGS84")


def area_m2(geom) -> float:
    """The area of a lon/lat (Multi)Polygon on the WGS-84 ellipsoid, in m²."""
    if geom is None or geom.is_empty:
        return 0.0
    area, _perimeter = _GEOD.geometry_area_perimeter(geom)
    return abs(area)


def _polygonal(geom):
    """Only the polygon parts of a geometry (intersections can add lines and points)."""
    if geom.is_empty:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


@dataclass
class Overlap:
    a: str
    b: str
    area_m2: float
    geometry: dict


@dataclass
class Gap:
    area_m2: float
    geometry: dict


@dataclass
class Invalid:
    code: str
    reason: str


@dataclass
class QualityReport:
    """What is wrong with one parent's children."""

    parent: str
    children: int = 0
    invalid: list[Invalid] = field(default_factory=list)
    overlaps: list[Overlap] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    parent_area_m2: float = 0.0

    @property
    def ok(self) -> bool:
        return not (self.invalid or self.overlaps or self.gaps)

    @property
    def gap_area_m2(self) -> float:
        return sum(g.area_m2 for g in self.gaps)

    @property
    def overlap_area_m2(self) -> float:
        return sum(o.area_m2 for o in self.overlaps)


def check_siblings(
    parent_code: str,
    parent_geometry: dict | None,
    children: list[tuple[str, dict]],
    *,
    min_area_m2: float = SLIVER_M2,
) -> QualityReport:
    """Invalid polygons, pairwise overlaps of `children` (code, GeoJSON), and the gaps
    between them inside the parent's boundary (when it has one)."""
    report = QualityReport(parent=parent_code, children=len(children))
    codes: list[str] = []
    geoms = []
    for code, geojson in children:
        geom = shape(geojson)
        if not geom.is_valid:
            report.invalid.append(Invalid(code, shapely.is_valid_reason(geom)))
            geom = _polygonal(shapely.make_valid(geom))
        codes.append(code)
        geoms.append(geom)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = _polygonal(shapely.intersection(geoms[i], geoms[j]))
        area = area_m2(shared)
        if area >= min_area_m2:
            a, b = sorted((codes[i], codes[j]))
            report.overlaps.append(Overlap(a, b, area, mapping(shared)))
    report.overlaps.sort(key=lambda o: (-o.area_m2, o.a, o.b))
    if parent_geometry:
        parent = shape(parent_geometry)
        if not parent.is_valid:
            parent = _polygonal(shapely.make_valid(parent))
        report.parent_area_m2 = area_m2(parent)
        covered = shapely.union_all(geoms) if geoms else shapely.Polygon()
        rest = _polygonal(shapely.difference(parent, covered))
        for part in getattr(rest, "geoms", [rest]):
            if part.is_empty:
                continue
            area = area_m2(part)
            if area >= min_area_m2:
                report.gaps.append(Gap(area, mapping(part)))
        report.gaps.sort(key=lambda g: -g.area_m2)
    return report


def as_feature_collection(report: QualityReport) -> dict:
    """Overlaps and gaps as GeoJSON features for the map (kind, codes, area)."""
    features = [
        {
            "type": "Feature",
            "properties": {"kind": "overlap", "a": o.a, "b": o.b, "area_m2": round(o.area_m2, 1)},
            "geometry": o.geometry,
        }
        for o in report.overlaps
    ]
    features += [
        {
            "type": "Feature",
            "properties": {"kind": "gap", "area_m2": round(g.area_m2, 1)},
            "geometry": g.geometry,
        }
        for g in report.gaps
    ]
    return {"type": "FeatureCollection", "features": features}
