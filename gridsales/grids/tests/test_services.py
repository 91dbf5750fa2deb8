"""The grid tree services keep path, depth and leaf flags right through every change."""

import pytest
from django.core.exceptions import ValidationError

from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids import services
from gridsales.grids.choices import MAX_DEPTH
from gridsales.grids.models import Grid
from gridsales.grids.tests.factories import GridFactory, square
from gridsales.team.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def fresh(grid: Grid) -> Grid:
    return Grid.objects.get(pk=grid.pk)


def test_a_root_grid_has_its_own_id_as_path():
    root = GridFactory()
    assert fresh(root).path == f"/{root.pk:08d}/"
    assert (root.depth, root.is_leaf) == (0, True)


def test_a_child_extends_its_parents_path_and_makes_it_an_inner_grid():
    root = GridFactory()
    child = GridFactory(parent=root)
    assert fresh(child).path == f"/{root.pk:08d}/{child.pk:08d}/"
    assert fresh(child).depth == 1
    assert fresh(child).is_leaf
    assert not fresh(root).is_leaf


def test_subtree_holds_the_grid_and_all_descendants(world):
    subtree = Grid.objects.subtree(world.grids["R1"]).values_list("code", flat=True)
    assert sorted(subtree) == ["R1", "R1-A1", "R1-A1-G1", "R1-A1-G2"]
    assert fresh(world.grids["R1-A1-G1"]).ancestor_ids == [
        world.grids[c].pk for c in ("HQ", "R1", "R1-A1")
    ]


def test_moving_a_grid_re_paths_its_whole_subtree(world):
    area, r2 = world.grids["R1-A1"], world.grids["R2"]
    services.grid_update(grid=area, parent=r2, parent_set=True)

    for code in ("R1-A1", "R1-A1-G1", "R1-A1-G2"):
        grid = fresh(world.grids[code])
        assert grid.path.startswith(fresh(r2).path), code
        assert grid.path.endswith(f"/{grid.pk:08d}/")
        assert grid.depth == grid.path.count("/") - 2
    assert fresh(world.grids["R1-A1-G1"]).depth == 3
    # R1 lost its only child; R2 keeps its.
    assert fresh(world.grids["R1"]).is_leaf
    assert not fresh(r2).is_leaf


def test_moving_a_grid_to_the_top_makes_it_a_root(world):
    area = world.grids["R2-A1"]
    services.grid_update(grid=area, parent=None, parent_set=True)
    assert fresh(area).path == f"/{area.pk:08d}/"
    assert fresh(world.grids["R2-A1-G1"]).depth == 1


def test_updating_fields_without_parent_set_does_not_move_the_grid(world):
    grid = world.grids["R1-A1-G1"]
    services.grid_update(grid=grid, name="西湖网格")
    assert fresh(grid).name == "西湖网格"
    assert fresh(grid).parent == world.grids["R1-A1"]


def test_a_grid_cannot_move_under_itself_or_its_descendants(world):
    r1 = world.grids["R1"]
    for new_parent in ("R1", "R1-A1-G1"):
        with pytest.raises(ValidationError) as caught:
            services.grid_update(grid=r1, parent=world.grids[new_parent], parent_set=True)
        assert "parent" in caught.value.message_dict
    assert fresh(r1).parent == world.grids["HQ"]


def chain(levels: int) -> list[Grid]:
    grids = [GridFactory()]
    for _ in range(levels - 1):
        grids.append(GridFactory(parent=grids[-1]))
    return grids


def test_the_tree_is_at_most_ten_levels_deep():
    grids = chain(MAX_DEPTH)
    assert grids[-1].depth == MAX_DEPTH - 1
    with pytest.raises(ValidationError) as caught:
        GridFactory(parent=grids[-1])
    assert "parent" in caught.value.message_dict


def test_a_move_that_would_make_the_tree_too_deep_is_refused():
    deep = chain(MAX_DEPTH - 1)
    other = chain(2)
    with pytest.raises(ValidationError) as caught:
        # other[0] carries one child: under the deepest grid it would reach level 11.
        services.grid_update(grid=other[0], parent=deep[-1], parent_set=True)
    assert "parent" in caught.value.message_dict
    assert fresh(other[0]).parent is None


@pytest.mark.parametrize("what", ["children", "customers", "memberships"])
def test_a_grid_that_is_still_used_cannot_be_deleted(what):
    grid = GridFactory()
    if what == "children":
        GridFactory(parent=grid)
    elif what == "customers":
        CustomerFactory(current_grid=grid)
    else:
        MembershipFactory(grid=grid)
    with pytest.raises(ValidationError):
        services.grid_delete(grid=grid)
    assert Grid.objects.filter(pk=grid.pk).exists()


def test_deleting_the_last_child_makes_the_parent_a_leaf_again():
    root = GridFactory()
    child = GridFactory(parent=root)
    services.grid_delete(grid=child)
    assert not Grid.objects.filter(pk=child.pk).exists()
    assert fresh(root).is_leaf


def test_a_boundary_is_normalised_and_its_bbox_stored():
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    grid = fresh(GridFactory(geometry=bowtie))
    assert grid.geometry["type"] == "MultiPolygon"
    assert (grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat) == (0, 0, 2, 2)


def test_a_point_is_not_a_boundary():
    with pytest.raises(ValidationError) as caught:
        GridFactory(geometry={"type": "Point", "coordinates": [120, 30]})
    assert "geometry" in caught.value.message_dict
    assert not Grid.objects.exists()


def test_clearing_the_boundary_clears_the_bbox():
    grid = GridFactory(geometry=square(120, 30))
    services.grid_update(grid=grid, geometry=None)
    grid = fresh(grid)
    assert grid.geometry is None
    assert grid.min_lng is None and grid.max_lat is None


def test_tree_fields_cannot_be_set_through_update():
    grid = GridFactory()
    with pytest.raises(TypeError):
        services.grid_update(grid=grid, path="/1/")


def test_a_bad_code_is_refused():
    with pytest.raises(ValidationError) as caught:
        GridFactory(code="有空格 的代码")
    assert "code" in caught.value.message_dict


# Paths, depths and leaf flags change through queryset updates, behind the backs of grid
# objects callers still hold (a management command, the demo builder). Services must not
# trust those objects' tree fields.


def test_updating_a_parent_held_since_before_its_child_was_added_keeps_it_inner():
    root = GridFactory()
    GridFactory(parent=root)
    services.grid_update(grid=root, name="总部")
    assert not fresh(root).is_leaf


def test_a_stale_grid_object_cannot_write_an_old_path_back(world):
    g1 = world.grids["R1-A1-G1"]  # held from before the move below
    services.grid_update(grid=world.grids["R1-A1"], parent=world.grids["R2"], parent_set=True)
    services.grid_update(grid=g1, name="西湖网格")
    assert fresh(g1).path.startswith(fresh(world.grids["R2"]).path)
    assert fresh(g1).depth == 3


def test_a_child_added_under_a_stale_parent_object_gets_the_current_path(world):
    g1 = world.grids["R1-A1-G1"]
    services.grid_update(grid=world.grids["R1-A1"], parent=world.grids["R2"], parent_set=True)
    sub = GridFactory(parent=g1)
    assert fresh(sub).path == f"{fresh(g1).path}{sub.pk:08d}/"
    assert fresh(sub).depth == 4


def test_ordering_by_path_lists_siblings_in_creation_order_past_nine(db):
    root = GridFactory(code="ROOT")
    children = [GridFactory(code=f"K{i:02d}", parent=root) for i in range(12)]
    listed = list(Grid.objects.filter(parent=root).values_list("code", flat=True))
    assert listed == [c.code for c in children]


def test_the_audit_record_of_a_grid_holds_its_parent_not_the_derived_path(db):
    from gridsales.core.models import ObjectChange

    root = GridFactory(code="ROOT")
    child = GridFactory(code="KID", parent=root)
    record = ObjectChange.objects.get(object_id=child.pk, content_type__model="grid")
    assert record.after["parent"] == root.pk
    assert "path" not in record.after and "depth" not in record.after
