"""Load grids for the geometry quality check (grids.quality) and serve it to the pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import JsonResponse
from django.views import View

from gridsales.core.views import scoped_object
from gridsales.grids import crs
from gridsales.grids.choices import GridKind, GridStatus
from gridsales.grids.models import Grid
from gridsales.grids.quality import SLIVER_M2, QualityReport, as_feature_collection, check_siblings


def parents_to_check() -> list[Grid]:
    """Every grid with active geo children, in tree order."""
    parent_ids = (
        Grid.objects.filter(kind=GridKind.GEO, status=GridStatus.ACTIVE, geometry__isnull=False)
        .exclude(parent=None)
        .values("parent_id")
    )
    return list(Grid.objects.filter(pk__in=parent_ids).order_by("path"))


def grid_quality(parent: Grid, *, min_area_m2: float = SLIVER_M2) -> QualityReport | None:
    """The quality report of `parent`'s active geo children (None: it has none)."""
    children = [
        (code, geometry)
        for code, geometry in Grid.objects.filter(
            parent=parent, kind=GridKind.GEO, status=GridStatus.ACTIVE, geometry__isnull=False
        )
        .order_by("code")
        .values_list("code", "geometry")
        if geometry
    ]
    if not children:
        return None
    return check_siblings(parent.code, parent.geometry, children, min_area_m2=min_area_m2)


class GridQualityView(LoginRequiredMixin, View):
    """`/grids/<pk>/quality.json`: the grid's active geo children (kind "child") and their
    overlaps and gaps (kinds "overlap", "gap", with `area_m2`) as GeoJSON, plus a summary;
    404 outside the user's scope. The grid page draws it on its map; other pages may too."""

    def get(self, request, pk):
        grid = scoped_object(request.user, Grid, pk=pk)
        report = grid_quality(grid)
        if report is None:
            return JsonResponse(
                {"type": "FeatureCollection", "features": [], "summary": {"children": 0}}
            )
        data = as_feature_collection(report)
        # The children's outlines first, so the problems are drawn over them.
        outlines = [
            {"type": "Feature", "properties": {"kind": "child", "code": code}, "geometry": geometry}
            for code, geometry in Grid.objects.filter(
                parent=grid, kind=GridKind.GEO, status=GridStatus.ACTIVE, geometry__isnull=False
            )
            .order_by("code")
            .values_list("code", "geometry")
        ]
        data["features"] = outlines + data["features"]
        if settings.MAP_TILES_CRS == crs.GCJ02:
            # Drawn over tiles in GCJ-02 coordinates (like the grid boundary on the page).
            for feature in data["features"]:
                feature["geometry"] = crs.transform_geojson(feature["geometry"], crs.wgs84_to_gcj02)
        data["summary"] = {
            "children": report.children,
            "invalid": [{"code": i.code, "reason": i.reason} for i in report.invalid],
            "overlaps": len(report.overlaps),
            "overlap_area_m2": round(report.overlap_area_m2, 1),
            "gaps": len(report.gaps),
            "gap_area_m2": round(report.gap_area_m2, 1),
            "parent_area_m2": round(report.parent_area_m2, 1),
            "min_area_m2": SLIVER_M2,
        }
        return JsonResponse(data)
