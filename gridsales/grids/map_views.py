"""The map page (/map/): visible grids coloured by a measure, customers as clusters.

Two JSON endpoints feed it, both scoped like everything else: `grids.json` (the visible
leaf grids of the chosen subtree as GeoJSON with their measures) and `customers.json`
(visible customers in the map's bounding box, aggregated on a zoom-dependent lattice when
there are many). A grid outside the user's scope answers 404. When the tile source uses
GCJ-02 (`GRIDSALES_MAP_TILES_CRS=gcj02`, e.g. Amap), every coordinate sent to the browser
is shifted to GCJ-02, and the bounding box the browser sends is shifted back.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Avg, Count, F
from django.db.models.functions import Floor
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.views import scoped_object
from gridsales.customers.models import Customer
from gridsales.grids import crs
from gridsales.grids.choices import GridKind
from gridsales.grids.models import Grid

MAX_POINTS = 500  # above this many customers in view, send clusters
CELL_PX = 60  # cluster lattice cell, in screen pixels


def measures() -> dict[str, str]:
    """The measures grids can be coloured by (later issues add KPIs here)."""
    return {"customers": _("Customers")}


def _to_browser(lng, lat):
    if settings.MAP_TILES_CRS == crs.GCJ02:
        return crs.wgs84_to_gcj02(lng, lat)
    return lng, lat


def _from_browser(lng, lat):
    if settings.MAP_TILES_CRS == crs.GCJ02:
        return crs.gcj02_to_wgs84(lng, lat)
    return lng, lat


def geometry_for_browser(geometry: dict | None) -> dict | None:
    """A grid boundary in the tile source's coordinates (GCJ-02 or WGS-84)."""
    if not geometry or settings.MAP_TILES_CRS != crs.GCJ02:
        return geometry
    return crs.transform_geojson(geometry, crs.wgs84_to_gcj02)


def _subtree(request):
    """The grid chosen in the tree filter (404 outside the user's scope), or None."""
    grid_id = request.GET.get("grid") or ""
    if not grid_id:
        return None
    if not grid_id.isdigit():
        return scoped_object(request.user, Grid, pk=0)  # 404
    return scoped_object(request.user, Grid, pk=int(grid_id))


class MapView(LoginRequiredMixin, TemplateView):
    template_name = "grids/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grid = _subtree(self.request)
        tree = Grid.objects.restrict(self.request.user, "view").filter(is_leaf=False)
        context.update(
            section="map",
            selected=grid,
            branches=tree.order_by("path").only("pk", "code", "name", "depth"),
            measures=measures(),
            measure=self.request.GET.get("measure") or "customers",
            map_tiles=settings.MAP_TILES,
            map_attribution=settings.MAP_ATTRIBUTION,
        )
        return context


class MapGridsView(LoginRequiredMixin, View):
    """GeoJSON of the visible leaf geo grids (of `?grid=ID`'s subtree) with their measures."""

    def get(self, request):
        user = request.user
        root = _subtree(request)
        grids = Grid.objects.restrict(user, "view").filter(
            is_leaf=True, kind=GridKind.GEO, geometry__isnull=False
        )
        if root is not None:
            grids = grids.filter(path__startswith=root.path)
        grids = list(grids.order_by("code").only("pk", "code", "name", "geometry"))
        counts = dict(
            Customer.objects.restrict(user, "view")
            .filter(current_grid__in=[g.pk for g in grids])
            .order_by()
            .values_list("current_grid")
            .annotate(n=Count("pk"))
        )
        features = [
            {
                "type": "Feature",
                "geometry": geometry_for_browser(g.geometry),
                "properties": {
                    "id": g.pk,
                    "code": g.code,
                    "name": g.name,
                    "url": g.get_absolute_url(),
                    "customers": counts.get(g.pk, 0),
                },
            }
            for g in grids
        ]
        return JsonResponse({"type": "FeatureCollection", "features": features})


def _bbox(request) -> tuple[float, float, float, float] | None:
    try:
        w, s, e, n = (float(v) for v in request.GET.get("bbox", "").split(","))
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (w, s, e, n)):
        return None
    (w, e), (s, n) = _from_browser([w, e], [s, n])
    return float(w), float(s), float(e), float(n)


class MapCustomersView(LoginRequiredMixin, View):
    """Visible customers in `?bbox=w,s,e,n`: points, or clusters when there are many.

    Clusters are counted by the database on a lattice of about CELL_PX screen pixels at
    `?zoom=`, each placed at its customers' mean position.
    """

    def get(self, request):
        customers = Customer.objects.restrict(request.user, "view").filter(
            lat__isnull=False, lng__isnull=False
        )
        root = _subtree(request)
        if root is not None:
            customers = customers.filter(current_grid__path__startswith=root.path)
        box = _bbox(request)
        if box is not None:
            w, s, e, n = box
            customers = customers.filter(lng__gte=w, lng__lte=e, lat__gte=s, lat__lte=n)
        total = customers.count()
        if total <= MAX_POINTS:
            rows = list(customers.values_list("pk", "code", "name", "lng", "lat"))
            lng, lat = _to_browser([r[3] for r in rows], [r[4] for r in rows])
            points = [
                {"id": r[0], "code": r[1], "name": r[2], "lng": float(x), "lat": float(y)}
                for r, x, y in zip(rows, lng, lat, strict=True)
            ]
            return JsonResponse({"total": total, "points": points, "clusters": []})
        try:
            zoom = min(max(int(request.GET.get("zoom", "10")), 0), 20)
        except ValueError:
            zoom = 10
        cell = 360.0 / (256 * 2**zoom) * CELL_PX
        rows = (
            customers.order_by()
            .annotate(cx=Floor(F("lng") / cell), cy=Floor(F("lat") / cell))
            .values("cx", "cy")
            .annotate(n=Count("pk"), lng=Avg("lng"), lat=Avg("lat"))
        )
        rows = list(rows)
        lng, lat = _to_browser([r["lng"] for r in rows], [r["lat"] for r in rows])
        clusters = [
            {"n": r["n"], "lng": float(x), "lat": float(y)}
            for r, x, y in zip(rows, lng, lat, strict=True)
        ]
        return JsonResponse({"total": total, "points": [], "clusters": clusters})
