"""The demo's fixed plan: regions, districts, densities, and the builders' shared types.

Kept apart from the builders so each of them (grids, team, customers) can import it
without importing the others.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gridsales.accounts.models import User
from gridsales.grids.models import Grid

DEMO_PASSWORD = "gridsales-demo"
DEFAULT_CUSTOMERS = 20_000
DEFAULT_SEED = 20261126
DATA_DIR = Path(__file__).resolve().parent / "data"
# Two years of CRM history scale with the customers: 20,000 customers give ≈ 200,000
# order lines, ≈ 3,000 deals, ≈ 40,000 activities and ≈ 3,000 surveys.
DEFAULT_ORDER_LINES_PER_CUSTOMER = 10.0
DEALS_PER_CUSTOMER = 0.15
ACTIVITIES_PER_CUSTOMER = 2.0
SURVEYS_PER_CUSTOMER = 0.15

# progress(stage, done, total), with stage one of "grids", "team", "customers", "orders",
# "deals", "activities", "care".
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DistrictPlan:
    """How one district enters the tree: its area code, region, leaf count, density."""

    name: str
    code: str
    region: str
    leaves: int
    # Customers per km² relative to the outer suburbs: the old city is dense with
    # offices and shops, 崇明's farmland is not.
    density: float


REGIONS = [
    ("SH-C", "中心城区大区"),
    ("SH-E", "浦东大区"),
    ("SH-N", "北部大区"),
    ("SH-S", "南部大区"),
]

DISTRICTS = [
    DistrictPlan("黄浦区", "SH-HP", "SH-C", 3, 40),
    DistrictPlan("徐汇区", "SH-XH", "SH-C", 4, 24),
    DistrictPlan("长宁区", "SH-CN", "SH-C", 3, 22),
    DistrictPlan("静安区", "SH-JA", "SH-C", 4, 32),
    DistrictPlan("普陀区", "SH-PT", "SH-C", 3, 16),
    DistrictPlan("虹口区", "SH-HK", "SH-C", 3, 24),
    DistrictPlan("杨浦区", "SH-YP", "SH-C", 4, 16),
    DistrictPlan("浦东新区", "SH-PD", "SH-E", 12, 4),
    DistrictPlan("奉贤区", "SH-FX", "SH-E", 4, 1.4),
    DistrictPlan("宝山区", "SH-BS", "SH-N", 5, 4),
    DistrictPlan("嘉定区", "SH-JD", "SH-N", 5, 2.5),
    DistrictPlan("崇明区", "SH-CM", "SH-N", 3, 0.4),
    DistrictPlan("闵行区", "SH-MH", "SH-S", 6, 5),
    DistrictPlan("松江区", "SH-SJ", "SH-S", 5, 2.5),
    DistrictPlan("青浦区", "SH-QP", "SH-S", 4, 1.8),
    DistrictPlan("金山区", "SH-JS", "SH-S", 3, 1.2),
]

# The demo logins' home: `regional` runs this region, `gridmanager` and `rep` this grid.
DEMO_REGION = "SH-C"
DEMO_LEAF = "SH-HP-01"


@dataclass
class Leaf:
    """A leaf grid as the builder sees it: the row, its shape and who works it."""

    grid: Grid
    district: DistrictPlan
    geom: object  # shapely (Multi)Polygon, exactly as stored in grid.geometry
    weight: float  # expected share of customers, in arbitrary units
    members: list[tuple[User, int]] = field(default_factory=list)  # (rep, share %)
    manager: User | None = None


def rng(seed: int, stream: str) -> random.Random:
    """An independent random stream per part of the build, so that e.g. a different
    customer count leaves the grids and the team unchanged."""
    return random.Random(f"{seed}:{stream}")
