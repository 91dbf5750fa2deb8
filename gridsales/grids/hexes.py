"""H3 hexagons covering a polygon, clipped to it (pure, no Django).

Cells are those whose centre lies inside the polygon (h3.geo_to_cells) plus every cell the
boundary passes through (found from the boundary densified to a fraction of the hexagon
edge), so the hexagons cover the polygon entirely. Each is clipped to the polygon; a clipped
piece smaller than `min_share` (default 5 %) of a whole hexagon is a sliver and is dropped,
leaving its bit of the polygon uncovered (the quality check reports it as a gap).
Order: by cell centre, north to south, then west to east.
"""

from __future__ import annotations

from dataclasses import dataclass

import h3
import shapely
from shapely.geometry import mapping, shape

from gridsales.grids.quality import area_m2

MIN_SHARE = 0.05
MAX_CELLS = 20_000


class TooManyCells(ValueError):
    pass


@dataclass
class Hexagon:
    cell: str
    lat: float
    lng: float
    share: float  # clipped area / whole hexagon area
    geometry: dict  # GeoJSON, clipped to the polygon


def cell_polygon(cell: str):
    return shapely.Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(cell)])


def _candidate_cells(geom, resolution: int) -> set[str]:
    cells = set(h3.geo_to_cells(mapping(geom), resolution))
    step_m = h3.average_hexagon_edge_length(resolution, "m") / 3
    step_deg = step_m / 111_000  # ~ metres per degree of latitude; finer at high latitude
    boundary = shapely.segmentize(geom.boundary, step_deg)
    for lng, lat in shapely.get_coordinates(boundary).tolist():
        cells.add(h3.latlng_to_cell(lat, lng, resolution))
    return cells


def hexagons(
    geojson: dict, resolution: int, *, min_share: float = MIN_SHARE, max_cells: int = MAX_CELLS
) -> tuple[list[Hexagon], int]:
    """The clipped hexagons covering the polygon, and how many slivers were dropped."""
    if not 0 <= resolution <= 15:
        raise ValueError("resolution")
    geom = shape(geojson)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    expected = area_m2(geom) / h3.average_hexagon_area(resolution, "m^2")
    if expected > max_cells:
        raise TooManyCells(int(expected))
    found: list[Hexagon] = []
    dropped = 0
    shapely.prepare(geom)
    for cell in _candidate_cells(geom, resolution):
        whole = cell_polygon(cell)
        if not geom.intersects(whole):
            continue
        piece = shapely.intersection(geom, whole)
        piece = shapely.union_all(
            [
                g
                for g in getattr(piece, "geoms", [piece])
                if g.geom_type in ("Polygon", "MultiPolygon")
            ]
        )
        share = area_m2(piece) / area_m2(whole) if not piece.is_empty else 0.0
        if share < min_share:
            dropped += 1
            continue
        lat, lng = h3.cell_to_latlng(cell)
        found.append(Hexagon(cell, lat, lng, min(share, 1.0), mapping(piece)))
    found.sort(key=lambda h: (-round(h.lat, 9), round(h.lng, 9), h.cell))
    return found, dropped
