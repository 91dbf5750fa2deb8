"""Grids, made through grid_create so path, depth and leaf flags stay right."""

import factory

from gridsales.grids import services
from gridsales.grids.choices import GridLevel
from gridsales.grids.models import Grid


class GridFactory(factory.Factory):
    class Meta:
        model = Grid

    code = factory.Sequence(lambda n: f"G{n:04d}")
    name = factory.Sequence(lambda n: f"网格{n}")
    parent = None
    level = GridLevel.GRID

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.grid_create(**kwargs)


def square(x: float, y: float, size: float = 0.1) -> dict:
    """A GeoJSON square polygon with its south-west corner at (x, y)."""
    ring = [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]
    return {"type": "Polygon", "coordinates": [ring]}
