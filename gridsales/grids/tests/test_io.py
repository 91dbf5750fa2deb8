"""Grid import/export with real district files, in every format and coordinate system."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pyogrio.raw import read, write
from shapely.geometry import shape

from gridsales.core.io.runner import run_import
from gridsales.core.models import ImportRun
from gridsales.grids import crs
from gridsales.grids.models import Grid

DATA = Path(__file__).parent / "data"
BEIJING = DATA / "beijing-districts.geojson"
SHENZHEN = DATA / "shenzhen-districts.geojson"
OPTIONS = {"code_field": "adcode", "name_field": "name", "parent": "HQ"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def do_import(path: Path, user=None, **kwargs):
    options = {**OPTIONS, **kwargs.pop("options", {})}
    return run_import(
        "grids", user=user, data=path.read_bytes(), file_name=path.name, options=options, **kwargs
    )


def features(path: Path) -> dict[str, object]:
    """adcode → shapely geometry of the original WGS-84 file."""
    collection = json.loads(path.read_text())
    return {f["properties"]["adcode"]: shape(f["geometry"]) for f in collection["features"]}


def write_variant(path: Path, driver: str, source: Path = SHENZHEN, epsg: int = 4326) -> None:
    meta, _fids, wkb, fields = read(source)
    geoms = shapely.from_wkb(wkb)
    if epsg != 4326:
        import pyproj

        transformer = pyproj.Transformer.from_crs(4326, epsg, always_xy=True)
        geoms = shapely.transform(
            geoms, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
        )
    shapefile = driver == "ESRI Shapefile"
    write(
        str(path),
        shapely.to_wkb(geoms),
        field_data=list(fields),
        fields=list(meta["fields"]),
        crs=f"EPSG:{epsg}",
        driver=driver,
        geometry_type="MultiPolygon" if shapefile else "Unknown",
        promote_to_multi=shapefile,
    )


def zip_shapefile(tmp_path: Path, parts=(".shp", ".shx", ".dbf", ".prj"), epsg=4326) -> Path:
    write_variant(tmp_path / "districts.shp", "ESRI Shapefile", epsg=epsg)
    archive = tmp_path / "districts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for suffix in parts:
            z.write(tmp_path / f"districts{suffix}", f"districts{suffix}")
    return archive


def assert_same_boundaries(source: Path, tolerance: float) -> None:
    expected = features(source)
    for code, geom in expected.items():
        stored = shape(Grid.objects.get(code=code).geometry)
        assert shapely.hausdorff_distance(stored, geom) < tolerance, code


def test_it_imports_the_beijing_districts_under_a_parent(world):
    report = do_import(BEIJING)
    assert (report.ok, report.created, report.rows) == (True, 16, 16)
    dongcheng = Grid.objects.get(code="110101")
    assert (dongcheng.name, dongcheng.parent.code, dongcheng.level, dongcheng.kind) == (
        "东城区",
        "HQ",
        "grid",
        "geo",
    )
    assert dongcheng.min_lng == pytest.approx(116.3779, abs=1e-3)
    assert_same_boundaries(BEIJING, 1e-9)
    assert ImportRun.objects.get().created == 16


def test_importing_twice_leaves_everything_unchanged(world):
    do_import(BEIJING)
    report = do_import(BEIJING)
    assert report.counts() == {
        "rows": 16,
        "created": 0,
        "updated": 0,
        "unchanged": 16,
        "skipped": 0,
    }


def test_a_gcj02_file_comes_back_to_wgs84_within_a_millionth_of_a_degree(world, tmp_path):
    collection = json.loads(SHENZHEN.read_text())
    for feature in collection["features"]:
        feature["geometry"] = crs.transform_geojson(feature["geometry"], crs.wgs84_to_gcj02)
    shifted = tmp_path / "shenzhen-gcj02.geojson"
    shifted.write_text(json.dumps(collection, ensure_ascii=False))
    report = do_import(shifted, options={"crs": "gcj02"})
    assert (report.ok, report.created) == (True, 8)
    assert_same_boundaries(SHENZHEN, 1e-6)


def test_a_bd09_file_comes_back_to_wgs84(world, tmp_path):
    collection = json.loads(SHENZHEN.read_text())
    for feature in collection["features"]:
        feature["geometry"] = crs.transform_geojson(feature["geometry"], crs.wgs84_to_bd09)
    shifted = tmp_path / "shenzhen-bd09.geojson"
    shifted.write_text(json.dumps(collection, ensure_ascii=False))
    assert do_import(shifted, options={"crs": "bd09"}).ok
    assert_same_boundaries(SHENZHEN, 1e-6)


def test_it_imports_a_zipped_shapefile(world, tmp_path):
    report = do_import(zip_shapefile(tmp_path))
    assert (report.ok, report.created) == (True, 8)
    assert_same_boundaries(SHENZHEN, 1e-9)


def test_a_projected_shapefile_is_reprojected_to_wgs84(world, tmp_path):
    report = do_import(zip_shapefile(tmp_path, epsg=32650))  # UTM zone 50N, metres
    assert (report.ok, report.created) == (True, 8)
    assert [(w.value, w.reason) for w in report.warnings] == [
        ("WGS 84 / UTM zone 50N", "Reprojected to WGS-84 longitude/latitude.")
    ]
    assert_same_boundaries(SHENZHEN, 1e-7)


def test_it_imports_kml_and_geopackage(world, tmp_path):
    kml = tmp_path / "districts.kml"
    write_variant(kml, "KML")
    report = do_import(kml, options={"name_field": "Name"})
    assert (report.ok, report.created) == (True, 8), report.errors
    assert_same_boundaries(SHENZHEN, 1e-6)
    gpkg = tmp_path / "districts.gpkg"
    write_variant(gpkg, "GPKG")
    report = do_import(gpkg)
    assert (report.ok, report.unchanged) == (True, 8), report.errors


@pytest.mark.parametrize(
    "parts,missing",
    [((".shp", ".shx", ".dbf"), ".prj"), ((".shp", ".shx", ".prj"), ".dbf")],
)
def test_an_incomplete_shapefile_zip_is_refused(world, tmp_path, parts, missing):
    report = do_import(zip_shapefile(tmp_path, parts=parts))
    assert len(report.errors) == 1
    assert f"incomplete: {missing} missing" in report.errors[0].reason
    assert not Grid.objects.filter(code="440303").exists()


def test_a_zip_without_a_shapefile_is_refused(world, tmp_path):
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    assert "contains no Shapefile" in do_import(archive).errors[0].reason


def test_non_polygon_features_and_bad_codes_are_reported_and_nothing_written(world, tmp_path):
    square = [[[116, 39], [116.1, 39], [116.1, 39.1], [116, 39]]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": "P1", "name": "点"},
                "geometry": {"type": "Point", "coordinates": [116, 39]},
            },
            {
                "type": "Feature",
                "properties": {"adcode": "bad code!", "name": "坏编码"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {"adcode": "OK1", "name": ""},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {"adcode": "OK2", "name": "好"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
            {
                "type": "Feature",
                "properties": {"adcode": "OK2", "name": "重复"},
                "geometry": {"type": "Polygon", "coordinates": square},
            },
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(collection, ensure_ascii=False))
    report = do_import(path)
    got = {(e.row, e.column, e.value) for e in report.errors}
    assert (1, "geometry", "Point") in got
    assert (2, "adcode", "bad code!") in got
    assert (3, "name", "") in got
    assert (5, "adcode", "OK2") in got
    assert not report.written and not Grid.objects.filter(code="OK2").exists()
    # With --skip-invalid the good feature is imported.
    report = do_import(path, skip_invalid=True)
    assert (report.created, report.skipped) == (1, 4)


def test_invalid_polygons_are_repaired_and_reported(world, tmp_path):
    bowtie = [[[116, 39], [116.1, 39.1], [116.1, 39], [116, 39.1], [116, 39]]]
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"adcode": "BOW", "name": "领结"},
                "geometry": {"type": "Polygon", "coordinates": bowtie},
            }
        ],
    }
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps(collection))
    report = do_import(path)
    assert report.ok and report.created == 1
    assert [(w.row, w.reason) for w in report.warnings] == [(1, "Invalid polygon repaired.")]
    assert "Self-intersection" in report.warnings[0].value
    assert shape(Grid.objects.get(code="BOW").geometry).is_valid


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"{not json", "x.geojson", "cannot be read as GEOJSON"),
        (b"hello", "x.txt", "Unsupported file type"),
        (b'{"type":"FeatureCollection","features":[]}', "x.geojson", "no features"),
    ],
)
def test_unreadable_files_are_refused(world, tmp_path, content, name, message):
    path = tmp_path / name
    path.write_bytes(content)
    report = do_import(path)
    assert len(report.errors) == 1 and message in report.errors[0].reason


def test_a_missing_attribute_or_parent_is_refused(world):
    report = do_import(BEIJING, options={"code_field": "code"})
    assert "no attribute “code”; its attributes are: name, adcode" in report.errors[0].reason
    report = do_import(BEIJING, options={"parent": "NOPE"})
    assert "No grid with the code “NOPE”" in report.errors[0].reason


@pytest.mark.parametrize("persona", ["regional", "gridmanager", "analyst", "rep", "outsider"])
def test_only_admins_and_directors_import_grids(world, persona):
    with pytest.raises(PermissionDenied):
        do_import(BEIJING, user=world.users[persona])


def test_a_director_imports_grids(world):
    assert do_import(BEIJING, user=world.users["director"]).created == 16


def test_cli_import_and_export(world, tmp_path, capsys):
    call_command(
        "import",
        "grids",
        str(SHENZHEN),
        "--code-field",
        "adcode",
        "--name-field",
        "name",
        "--parent",
        "R1",
        "--level",
        "area",
    )
    assert "8 rows: 8 created" in capsys.readouterr().out
    out = tmp_path / "grids.geojson"
    call_command("export", "grids", "--format", "geojson", "--output", str(out))
    collection = json.loads(out.read_text())
    props = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert props["440303"] == {
        "code": "440303",
        "name": "罗湖区",
        "parent_code": "R1",
        "level": "area",
        "kind": "geo",
        "status": "active",
    }
    assert len(props) == 8 + 8
    # The export re-imports as it is.
    call_command("import", "grids", str(out), "--parent", "R1", "--level", "area", "--skip-invalid")


def test_cli_exits_2_for_a_bad_file(world, tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("{")
    with pytest.raises(CommandError) as exc:
        call_command("import", "grids", str(path), "--code-field", "adcode")
    assert exc.value.returncode == 2
