"""Grid import (GeoJSON, KML, zipped Shapefile, GeoPackage) and export (GeoJSON).

Files are read with pyogrio (GDAL), reprojected to WGS-84 longitude/latitude when they
carry another CRS, then converted from GCJ-02/BD-09 when `--crs` says so. Invalid polygons
are repaired (grids.geometry.normalise) and every repair is reported. Grids are created or
updated by code through grids.services; only administrators and directors import grids.
"""

from __future__ import annotations

import json
import tempfile
import types
import zipfile
from pathlib import Path

import numpy as np
import shapely
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.core.io.report import FileRejected, ImportReport
from gridsales.core.scope import scope_for
from gridsales.customers.choices import Crs
from gridsales.grids import crs as crs_module
from gridsales.grids.choices import MAX_DEPTH, GridKind, GridLevel
from gridsales.grids.filtersets import GridFilterSet
from gridsales.grids.geometry import GeometryError, normalise
from gridsales.grids.models import Grid, code_validator
from gridsales.grids.services import grid_create, grid_update

GEO_SUFFIXES = (".geojson", ".json", ".kml", ".zip", ".gpkg")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj")


def _geojson(geometry: dict) -> str:
    """A canonical text of a GeoJSON geometry, to tell whether a boundary changed."""
    return json.dumps(geometry, separators=(",", ":"))


def _check_zip(path: Path) -> str:
    """The path GDAL reads a zipped Shapefile by; refuse archives missing a part."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as exc:
        raise FileRejected(_("The file is not a valid zip archive.")) from exc
    shapes = [n for n in names if n.lower().endswith(".shp")]
    if not shapes:
        raise FileRejected(
            _("The zip archive contains no Shapefile (.shp); it has: {names}.").format(
                names=", ".join(names) or "—"
            )
        )
    if len(shapes) > 1:
        raise FileRejected(
            _(
                "The zip archive contains several Shapefiles ({names}); import one at a time."
            ).format(names=", ".join(shapes))
        )
    stem = shapes[0][:-4]
    present = {n.lower() for n in names}
    missing = [s for s in SHAPEFILE_PARTS if f"{stem}{s}".lower() not in present]
    if missing:
        raise FileRejected(
            _(
                "The Shapefile “{name}” is incomplete: {missing} missing. Zip the .shp, .shx, .dbf and .prj files together (the .prj tells the coordinate system)."
            ).format(name=shapes[0], missing=", ".join(missing))
        )
    return f"/vsizip/{path}/{shapes[0]}"


def read_features(path: Path, layer: str | None = None):
    """(geometries in WGS-84 lon/lat as a shapely array, field names, field columns, note)."""
    import pyogrio
    from pyogrio.raw import read

    suffix = path.suffix.lower()
    if suffix not in GEO_SUFFIXES:
        raise FileRejected(
            _(
                "Unsupported file type “{suffix}”: use GeoJSON (.geojson), KML (.kml), a zipped Shapefile (.zip) or a GeoPackage (.gpkg)."
            ).format(suffix=suffix or path.name)
        )
    source = _check_zip(path) if suffix == ".zip" else str(path)
    try:
        if layer is None and suffix == ".gpkg":
            layers = pyogrio.list_layers(source)
            if len(layers) == 0:
                raise FileRejected(_("The GeoPackage has no layers."))
            layer = str(layers[0][0])
        meta, _fids, wkb, fields = read(source, layer=layer)
    except FileRejected:
        raise
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ValueError...
        raise FileRejected(
            _("The file cannot be read as {kind}: {error}").format(
                kind=suffix.lstrip(".").upper(), error=str(exc).splitlines()[0][:200]
            )
        ) from exc
    geoms = shapely.from_wkb(wkb) if len(wkb) else np.array([], dtype=object)
    geoms = shapely.force_2d(geoms)
    note = ""
    if meta.get("crs"):
        import pyproj

        source_crs = pyproj.CRS.from_user_input(meta["crs"])
        wgs84 = pyproj.CRS.from_epsg(4326)
        if not source_crs.equals(wgs84, ignore_axis_order=True):
            transformer = pyproj.Transformer.from_crs(source_crs, wgs84, always_xy=True)

            def reproject(xy):
                x, y = transformer.transform(xy[:, 0], xy[:, 1])
                return np.column_stack([x, y])

            geoms = shapely.transform(geoms, reproject)
            note = source_crs.name
    names = [str(n) for n in meta["fields"]]
    return geoms, names, fields, note


class GridImporter:
    help = gettext_lazy("Grid boundaries from GeoJSON, KML, a zipped Shapefile or a GeoPackage")
    title = gettext_lazy("Grids")
    section = "grids"
    suffixes = GEO_SUFFIXES

    def list_url(self) -> str:
        return reverse("grids:list")

    def form_fields(self) -> dict:
        return {
            "code_field": forms.CharField(
                label=gettext_lazy("Attribute with the grid code"), initial="code"
            ),
            "name_field": forms.CharField(
                label=gettext_lazy("Attribute with the grid name"), initial="name"
            ),
            "parent": forms.CharField(
                label=gettext_lazy("Parent grid code"), required=False, max_length=40
            ),
            "level": forms.ChoiceField(
                label=gettext_lazy("Level of new grids"),
                choices=GridLevel.choices,
                initial=GridLevel.GRID,
            ),
            "crs": forms.ChoiceField(
                label=gettext_lazy("Coordinate system (longitude/latitude files)"),
                choices=Crs.choices,
                initial=Crs.WGS84,
            ),
            "layer": forms.CharField(
                label=gettext_lazy("Layer (GeoPackage)"), required=False, max_length=100
            ),
        }

    def add_arguments(self, parser):
        parser.add_argument("--code-field", default="code", help=_("Attribute with the grid code."))
        parser.add_argument("--name-field", default="name", help=_("Attribute with the grid name."))
        parser.add_argument("--parent", help=_("Code of the parent grid of new grids."))
        parser.add_argument(
            "--crs",
            choices=crs_module.CRS_CODES,
            default=crs_module.WGS84,
            help=_("Coordinate system of longitude/latitude files (default wgs84)."),
        )
        parser.add_argument("--kind", choices=[GridKind.GEO], default=GridKind.GEO)
        parser.add_argument(
            "--level", choices=GridLevel.values, help=_("Level of new grids (default grid).")
        )
        parser.add_argument("--layer", help=_("Layer to read (GeoPackage; default the first)."))

    def check_user(self, user) -> None:
        """The grid tree is drawn by HQ: administrators and directors import grids."""
        if user is not None and not scope_for(user).write_all:
            raise PermissionDenied(_("Only administrators and directors import grids."))

    def run(self, *, user, data, file_name, options, dry_run=False, skip_invalid=False):
        self.check_user(user)
        report = ImportReport(kind="grids", file_name=file_name, dry_run=dry_run)
        suffix = Path(file_name).suffix.lower()
        with tempfile.TemporaryDirectory(prefix="gridsales-import-") as tmp:
            path = Path(tmp) / f"upload{suffix}"
            path.write_bytes(data)
            geoms, names, fields, note = read_features(path, options.get("layer"))
        if note:
            report.warn(None, "", note, _("Reprojected to WGS-84 longitude/latitude."))
        if len(geoms) == 0:
            raise FileRejected(_("The file has no features."))
        code_field = options.get("code_field") or "code"
        name_field = options.get("name_field") or "name"
        for wanted in (code_field, name_field):
            if wanted not in names:
                raise FileRejected(
                    _("The file has no attribute “{field}”; its attributes are: {names}.").format(
                        field=wanted, names=", ".join(names) or "—"
                    )
                )
        source_crs = options.get("crs") or crs_module.WGS84
        if source_crs != crs_module.WGS84:

            def to_wgs84(xy):
                lng, lat = crs_module.to_wgs84(source_crs, xy[:, 0], xy[:, 1])
                return np.column_stack([lng, lat])

            geoms = shapely.transform(geoms, to_wgs84)
        parent = self._parent(user, options.get("parent"))
        codes = fields[names.index(code_field)]
        labels = fields[names.index(name_field)]
        prepared = self._validate(geoms, codes, labels, code_field, name_field, parent, report)
        report.rows = len(geoms)
        level = options.get("level")
        for item in prepared:
            existing = item["existing"]
            if existing is None:
                report.created += 1
            elif (
                existing.name != item["name"]
                or _geojson(existing.geometry or {}) != _geojson(item["geometry"])
                or (parent is not None and existing.parent_id != parent.pk)
                or (level and existing.level != level)
            ):
                item["changed"] = True
                report.updated += 1
            else:
                report.unchanged += 1
        report.skipped = len(report.invalid_rows)
        if (report.errors and not skip_invalid) or dry_run:
            if report.errors and not skip_invalid:
                report.created = report.updated = report.unchanged = 0
            return report
        try:
            with transaction.atomic():
                for item in prepared:
                    self._save(item, parent, level)
        except ValidationError as exc:
            report.error(item["row"], code_field, item["code"], " ".join(exc.messages))
            report.created = report.updated = report.unchanged = 0
            return report
        report.object_ids = [item["id"] for item in prepared if "id" in item]
        report.written = True
        return report

    def _parent(self, user, code):
        if not code:
            return None
        grids = Grid.objects.all() if user is None else Grid.objects.restrict(user, "view")
        parent = grids.filter(code=code).first()
        if parent is None:
            raise FileRejected(_("No grid with the code “{code}” (--parent).").format(code=code))
        if parent.depth + 1 >= MAX_DEPTH:
            raise FileRejected(
                _(
                    "The grid tree has at most {n} levels; no grid can be added under “{code}”."
                ).format(n=MAX_DEPTH, code=code)
            )
        return parent

    def _validate(self, geoms, codes, labels, code_field, name_field, parent, report):
        prepared = []
        seen: dict[str, int] = {}
        wanted = [str(c).strip() for c in codes if c is not None]
        existing = {g.code: g for g in Grid.objects.filter(code__in=wanted)}
        for index, geom in enumerate(geoms):
            row = index + 1  # features are numbered from 1, as GIS tools show them
            before = len(report.errors)
            code = "" if codes[index] is None else str(codes[index]).strip()
            name = "" if labels[index] is None else str(labels[index]).strip()
            if not code:
                report.error(row, code_field, code, _("A code is required."))
            else:
                try:
                    code_validator(code)
                except ValidationError as exc:
                    report.error(row, code_field, code, " ".join(exc.messages))
                if code in seen:
                    report.error(
                        row,
                        code_field,
                        code,
                        _("The code appears twice in the file (first in feature {row}).").format(
                            row=seen[code]
                        ),
                    )
                seen.setdefault(code, row)
            if not name:
                report.error(row, name_field, name, _("A name is required."))
            elif len(name) > 100:
                report.error(row, name_field, name, _("At most 100 characters."))
            geometry = None
            if geom is None or shapely.is_empty(geom):
                report.error(row, "geometry", "", _("The feature has no geometry."))
            elif geom.geom_type not in ("Polygon", "MultiPolygon"):
                report.error(
                    row,
                    "geometry",
                    geom.geom_type,
                    _("Not a polygon: grids need Polygon or MultiPolygon boundaries."),
                )
            else:
                if not geom.is_valid:
                    report.warn(
                        row,
                        "geometry",
                        shapely.is_valid_reason(geom),
                        _("Invalid polygon repaired."),
                    )
                try:
                    geometry, _bbox = normalise(shapely.geometry.mapping(geom))
                except GeometryError as exc:
                    report.error(
                        row, "geometry", "", _("Invalid boundary: {error}").format(error=exc)
                    )
            grid = existing.get(code)
            if grid is not None and grid.kind != GridKind.GEO:
                report.error(
                    row, code_field, code, _("A segment grid with this code exists already.")
                )
            if grid is not None and parent is not None and parent.path.startswith(grid.path):
                report.error(
                    row,
                    code_field,
                    code,
                    _("The parent cannot be the grid itself or one of its descendants."),
                )
            if len(report.errors) == before:
                prepared.append(
                    {"row": row, "code": code, "name": name, "geometry": geometry, "existing": grid}
                )
        return prepared

    def _save(self, item, parent, level) -> None:
        grid = item["existing"]
        if grid is None:
            created = grid_create(
                code=item["code"],
                name=item["name"],
                parent=parent,
                level=level or GridLevel.GRID,
                kind=GridKind.GEO,
                geometry=item["geometry"],
            )
            item["id"] = created.pk
            return
        item["id"] = grid.pk
        if not item.get("changed"):
            return
        fields = {"name": item["name"], "geometry": item["geometry"]}
        if level:
            fields["level"] = level
        grid_update(grid=grid, parent=parent, parent_set=parent is not None, **fields)


class GridExporter:
    help = gettext_lazy(
        "Grids as a GeoJSON FeatureCollection (code, name, parent code, level, kind, status)"
    )
    formats = ("geojson",)
    content_types = {"geojson": "application/geo+json"}

    def queryset(self, *, user, params=None):
        qs = Grid.objects.all() if user is None else Grid.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = GridFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("parent").order_by("path")

    def write(self, *, user, fmt, stream, params=None) -> None:
        features = [
            {
                "type": "Feature",
                "properties": {
                    "code": grid.code,
                    "name": grid.name,
                    "parent_code": grid.parent.code if grid.parent else None,
                    "level": grid.level,
                    "kind": grid.kind,
                    "status": grid.status,
                },
                "geometry": grid.geometry,
            }
            for grid in self.queryset(user=user, params=params)
        ]
        collection = {"type": "FeatureCollection", "features": features}
        stream.write(json.dumps(collection, ensure_ascii=False).encode("utf-8"))


IMPORTERS = {"grids": GridImporter()}
EXPORTERS = {"grids": GridExporter()}
