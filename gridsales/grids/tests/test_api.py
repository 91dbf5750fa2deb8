"""The grids API: subtree filter, counts, creating and moving grids."""

from gridsales.grids.models import Grid
from gridsales.grids.tests.factories import square

GRIDS = "/api/v1/grids/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_grids_are_listed_in_tree_order(world, api):
    assert codes(api("admin").get(GRIDS)) == [
        "HQ",
        "R1",
        "R1-A1",
        "R1-A1-G1",
        "R1-A1-G2",
        "R2",
        "R2-A1",
        "R2-A1-G1",
    ]


def test_grid_filter_returns_the_subtree(world, api):
    client = api("admin")
    assert codes(client.get(GRIDS, {"grid": "R1-A1"})) == ["R1-A1", "R1-A1-G1", "R1-A1-G2"]
    assert codes(api("regional").get(GRIDS, {"grid": "R2"})) == []


def test_tree_filters(world, api):
    client = api("admin")
    assert codes(client.get(GRIDS, {"root": "true"})) == ["HQ"]
    assert codes(client.get(GRIDS, {"parent": "R1-A1"})) == ["R1-A1-G1", "R1-A1-G2"]
    assert codes(client.get(GRIDS, {"is_leaf": "true"})) == ["R1-A1-G1", "R1-A1-G2", "R2-A1-G1"]
    assert codes(client.get(GRIDS, {"level": "region"})) == ["R1", "R2"]
    assert codes(client.get(GRIDS, {"q": "R2-A1"})) == ["R2-A1", "R2-A1-G1"]


def test_customer_count_covers_the_whole_subtree(world, api):
    rows = {r["code"]: r for r in api("admin").get(GRIDS).json()["results"]}
    assert rows["HQ"]["customer_count"] == 3  # CUS-NOGRID has no grid
    assert rows["R1"]["customer_count"] == 2
    assert rows["R1-A1-G2"]["customer_count"] == 1
    assert rows["R1-A1"]["children_count"] == 2
    assert rows["R1-A1-G1"]["children_count"] == 0


def test_ordering_by_customer_count(world, api):
    ordered = codes(api("admin").get(GRIDS, {"ordering": "-customer_count,code"}))
    assert ordered[:3] == ["HQ", "R1", "R1-A1"]


def test_regional_manager_creates_a_grid_in_its_region(world, api):
    response = api("regional").post(
        GRIDS,
        {"code": "R1-A2", "name": "新片区", "parent": "R1", "level": "area"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    grid = Grid.objects.get(code="R1-A2")
    assert body["path"] == grid.path == f"{world.grids['R1'].path}{grid.pk:08d}/"
    assert (body["depth"], body["is_leaf"]) == (2, True)


def test_regional_manager_cannot_create_a_top_level_grid(world, api):
    response = api("regional").post(GRIDS, {"code": "ROOT2", "name": "根"}, format="json")
    assert response.status_code == 403
    assert not Grid.objects.filter(code="ROOT2").exists()


def test_moving_a_grid_through_the_api_re_paths_the_subtree(world, api):
    area = world.grids["R1-A1"]
    response = api("admin").patch(f"{GRIDS}{area.pk}/", {"parent": "R2"}, format="json")
    assert response.status_code == 200, response.content
    g1 = Grid.objects.get(code="R1-A1-G1")
    assert g1.path.startswith(world.grids["R2"].path)
    assert g1.depth == 3


def test_moving_a_grid_under_its_own_child_answers_400_naming_parent(world, api):
    r1 = world.grids["R1"]
    response = api("admin").patch(
        f"{GRIDS}{r1.pk}/", {"parent": "R1-A1"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "descendants" in response.json()["parent"][0]


def test_a_boundary_comes_back_repaired_with_its_bbox(world, api):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    g2 = world.grids["R1-A1-G2"]
    response = api("admin").patch(f"{GRIDS}{g2.pk}/", {"geometry": bowtie}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["geometry"]["type"] == "MultiPolygon"
    assert response.json()["bbox"] == [0, 0, 2, 2]


def test_a_point_boundary_answers_400_naming_geometry(world, api):
    g2 = world.grids["R1-A1-G2"]
    point = {"type": "Point", "coordinates": [120, 30]}
    response = api("admin").patch(f"{GRIDS}{g2.pk}/", {"geometry": point}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["geometry"]


def test_deleting_a_grid_in_use_answers_400_and_deleting_an_empty_one_204(world, api):
    client = api("admin")
    response = client.delete(f"{GRIDS}{world.grids['R1-A1'].pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "retire it instead" in response.json()["non_field_errors"][0]

    response = client.post(GRIDS, {"code": "TMP", "name": "临时", "parent": "R1-A1"})
    assert response.status_code == 201
    assert client.delete(f"{GRIDS}{response.json()['id']}/").status_code == 204
    assert not Grid.objects.filter(code="TMP").exists()


def test_bbox_is_null_without_a_boundary(world, api):
    grid = world.grids["HQ"]
    assert api("admin").get(f"{GRIDS}{grid.pk}/").json()["bbox"] is None
    body = api("admin").patch(f"{GRIDS}{grid.pk}/", {"geometry": square(120, 30)}, format="json")
    assert body.json()["bbox"] == [120, 30, 120.1, 30.1]
