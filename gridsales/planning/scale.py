"""A large districting instance made from H3 cells around Shanghai (the scale benchmark).

Pure core (h3, shapely, numpy; no Django). Deterministic for a seed:

- units: H3 cells (resolution 9 by default, ~0.1 km² each) taken breadth-first from the
  cell of People's Square (31.2304 N, 121.4737 E) over H3 neighbours whose centre lies in
  a Shanghai district (the demo's polygons, `gridsales/demo/data`), until there are
  `units` cells — so the units form one connected region;
- adjacency: H3 neighbours; distance: haversine between cell centres, in km;
- activities: `customers` ~ lognormal (σ 0.8) around a density that falls off with the
  distance to the centre (5× downtown, ~1.2× at the edge); `workload` (hours) correlated
  with it: customers × a lognormal visit time (median 1.5 h, σ 0.3) plus 0.25 h per cell.
  (Travel time that grew with the distance to the centre made the workload per customer
  50 % higher at the edge than downtown; no compact plan then balances both activities
  within 5 %, so the instance would measure the instance, not the solver.)
"""

from __future__ import annotations

import json
from collections import deque
from pathlib import Path

import h3
import numpy as np
import shapely
from shapely.geometry import shape

from gridsales.planning.districting import Instance
from gridsales.planning.geojson import haversine_km

DISTRICTS = Path(__file__).resolve().parent.parent / "demo" / "data" / "shanghai-districts.geojson"
CENTRE = (31.2304, 121.4737)  # lat, lng (People's Square)


def shanghai_area():
    with open(DISTRICTS, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    area = shapely.union_all([shape(f["geometry"]) for f in features])
    shapely.prepare(area)
    return area


def h3_instance(units: int = 10_000, resolution: int = 9, seed: int = 1) -> Instance:
    """`units` H3 cells around People's Square with two activities (see the docstring)."""
    area = shanghai_area()
    start = h3.latlng_to_cell(*CENTRE, resolution)
    cells = [start]
    index = {start: 0}
    queue = deque([start])
    seen = {start}
    while queue and len(cells) < units:
        cell = queue.popleft()
        for other in sorted(h3.grid_disk(cell, 1)):
            if other in seen:
                continue
            seen.add(other)
            lat, lng = h3.cell_to_latlng(other)
            if not shapely.contains_xy(area, lng, lat):
                continue
            index[other] = len(cells)
            cells.append(other)
            queue.append(other)
            if len(cells) == units:
                break
    latlng = np.array([h3.cell_to_latlng(c) for c in cells])
    lon, lat = latlng[:, 1], latlng[:, 0]
    edges = []
    for i, cell in enumerate(cells):
        for other in sorted(h3.grid_disk(cell, 1)):
            j = index.get(other)
            if j is not None and i < j:
                edges.append((i, j))
    left = np.array([e[0] for e in edges])
    right = np.array([e[1] for e in edges])
    lengths = haversine_km(lon[left], lat[left], lon[right], lat[right])
    rng = np.random.default_rng(seed)
    from_centre = haversine_km(lon, lat, CENTRE[1], CENTRE[0])
    density = 1.0 + 4.0 * np.exp(-from_centre / 6.0)
    customers = np.round(density * rng.lognormal(0.0, 0.8, len(cells)))
    visit_hours = rng.lognormal(np.log(1.5), 0.3, len(cells))
    workload = customers * visit_hours + 0.25
    return Instance(
        ids=cells,
        xy=np.column_stack([lon, lat]),
        activities=np.column_stack([customers, np.round(workload, 2)]),
        activity_names=["customers", "workload"],
        edges=[(i, j, float(d)) for (i, j), d in zip(edges, lengths, strict=True)],
    )
