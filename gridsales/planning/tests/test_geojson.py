import json
import math
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gridsales.planning.errors import DistrictingError
from gridsales.planning.geojson import load_geojson

STEP = 0.01  # degrees; the squares are about 0.95 km wide and 1.11 km high at 31° N
ROWS, COLS = 4, 5


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def square(r: int, c: int) -> dict:
    x0, y0 = 121.40 + c * STEP, 31.20 + r * STEP
    ring = [[x0, y0], [x0 + STEP, y0], [x0 + STEP, y0 + STEP], [x0, y0 + STEP], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


def grid(rows: int = ROWS, cols: int = COLS, **extra) -> dict:
    """A rows × cols grid of squares, ids c<row><col>, 1 customer and 2.5 h of work each."""
    features = []
    for r in range(rows):
        for c in range(cols):
            props = {"id": f"c{r}{c}", "customers": 1, "workload": 2.5, "name": f"格 {r}-{c}"}
            props.update(extra.get(f"c{r}{c}", {}))
            features.append({"type": "Feature", "properties": props, "geometry": square(r, c)})
    return {"type": "FeatureCollection", "features": features}


def write(tmp_path: Path, data, name="units.geojson") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False))
    return path


def km(lon1, lat1, lon2, lat2):
    """Spherical law of cosines: independent of the haversine under test."""
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(min(1.0, c))


def test_squares_sharing_a_side_are_adjacent_but_corners_are_not():
    inst = load_geojson(json.dumps(grid()))
    assert len(inst.edges) == ROWS * (COLS - 1) + (ROWS - 1) * COLS  # 31, no diagonals
    index = {uid: i for i, uid in enumerate(inst.ids)}
    assert sorted(inst.ids[j] for j in inst.neighbours[index["c11"]]) == [
        "c01",
        "c10",
        "c12",
        "c21",
    ]
    assert [inst.ids[j] for j in inst.neighbours[index["c00"]]] == ["c01", "c10"]


def test_a_rounding_gap_between_two_squares_does_not_separate_them():
    data = grid(rows=1, cols=2)
    ring = data["features"][1]["geometry"]["coordinates"][0]
    for point in ring:
        point[0] += 1e-9  # a hair's breadth east: no longer touching in exact arithmetic
    inst = load_geojson(json.dumps(data))
    assert [(i, j) for i, j, _d in inst.edges] == [(0, 1)]


def test_projected_coordinates_give_euclidean_distances():
    data = grid(rows=2, cols=1)
    for f in data["features"]:
        for point in f["geometry"]["coordinates"][0]:
            point[0], point[1] = point[0] * 100_000, point[1] * 100_000  # metres, say
    inst = load_geojson(json.dumps(data))
    assert inst.edges[0][2] == pytest.approx(1000.0)


def test_edge_lengths_are_centroid_distances_in_km():
    inst = load_geojson(json.dumps(grid()))
    lengths = {(inst.ids[i], inst.ids[j]): d for i, j, d in inst.edges}
    half = STEP / 2
    east = km(121.40 + half, 31.20 + half, 121.41 + half, 31.20 + half)
    north = km(121.40 + half, 31.20 + half, 121.40 + half, 31.21 + half)
    assert lengths[("c00", "c01")] == pytest.approx(east, rel=1e-6)
    assert lengths[("c00", "c10")] == pytest.approx(north, rel=1e-6)
    assert lengths[("c00", "c10")] == pytest.approx(1.112, abs=0.001)


def test_by_default_every_numeric_property_is_an_activity():
    inst = load_geojson(json.dumps(grid()))
    assert inst.activity_names == ["customers", "workload"]  # not id, not name
    assert inst.activities.sum(axis=0).tolist() == [20.0, 50.0]


def test_named_activities_may_be_numeric_strings():
    data = grid(c00={"customers": "4"})
    inst = load_geojson(json.dumps(data), activities=["customers"])
    assert inst.activity_names == ["customers"]
    assert inst.activities[:, 0].sum() == 23.0


def test_the_id_may_come_from_another_property():
    data = grid()
    for f in data["features"]:
        f["properties"]["code"] = f["properties"].pop("id").upper()
    inst = load_geojson(json.dumps(data), id_field="code")
    assert inst.ids[:2] == ["C00", "C01"]


def broken(kind: str):
    data = grid()
    first = data["features"][1]
    if kind == "id":
        del first["properties"]["id"]
    elif kind == "duplicate":
        first["properties"]["id"] = "c00"
    elif kind == "point":
        first["geometry"] = {"type": "Point", "coordinates": [121.4, 31.2]}
    elif kind == "missing":
        del first["properties"]["customers"]
    elif kind == "text":
        first["properties"]["customers"] = "many"
    elif kind == "negative":
        first["properties"]["customers"] = -3
    elif kind == "none numeric":
        for f in data["features"]:
            f["properties"] = {"id": f["properties"]["id"], "name": "x"}
    elif kind == "not a collection":
        data = data["features"][0]
    return data


@pytest.mark.parametrize(
    "kind, activities, message",
    [
        ("id", None, "Feature 2 has no id property (the unit id)."),
        ("duplicate", None, "Feature 2: the id c00 is used twice."),
        ("point", None, "Unit c01: the geometry must be a Polygon or MultiPolygon."),
        ("missing", "customers", "Unit c01: the property customers is missing."),
        ("text", "customers,workload", "Unit c01: customers is 'many', not a number."),
        ("negative", None, "Unit c01: customers is -3.0; activities must be numbers ≥ 0."),
        (
            "none numeric",
            None,
            "No property is a number in every feature: name the activities (--activities).",
        ),
        ("not a collection", None, "The GeoJSON file must be a FeatureCollection."),
    ],
)
def test_bad_units_exit_with_code_2_and_name_the_feature(tmp_path, kind, activities, message):
    path = write(tmp_path, broken(kind))
    args = ["planning", "districts", str(path), "--territories", "2", "--max-iterations", "5"]
    if activities:
        args += ["--activities", activities]
    with pytest.raises(CommandError) as exc:
        call_command(*args)
    assert exc.value.returncode == 2
    assert str(exc.value) == f"{path}: {message}"


def test_text_that_is_not_json_is_an_error():
    with pytest.raises(DistrictingError) as exc:
        load_geojson("{not json")
    assert exc.value.template == "The file is not valid JSON: {error}."


def test_the_command_districts_geojson_units(tmp_path):
    path = write(tmp_path, grid())
    out = tmp_path / "out.json"
    call_command(
        "planning", "districts", str(path), "-p", "2", "--max-iterations", "5", "--output", str(out)
    )
    result = json.loads(out.read_text())
    assert set(result["assignment"]) == {f"c{r}{c}" for r in range(ROWS) for c in range(COLS)}
    metrics = result["metrics"]
    assert metrics["feasible"] and metrics["contiguous"]
    assert metrics["max_deviation"] <= 0.05
    assert sorted(t["units"] for t in metrics["territories"]) == [10, 10]
    assert set(metrics["territories"][0]["deviation"]) == {"customers", "workload"}
