"""Build the demo company: Shanghai cut into grids, a sales team, customers and contacts,
and two years of CRM history (orders, deals, activities, surveys: gridsales.demo.crm).

`build_demo()` fills an EMPTY database (the `demo` command flushes first). The tree and
the team go through the services, as a user's edits would; customers and contacts are
bulk-inserted, as an import would, because 20,000 audited single saves take minutes.
The same seed gives the same data on every run and on every database.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

import shapely
from django.contrib.auth.hashers import make_password
from django.db import transaction
from shapely.geometry import mapping, shape

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.analytics.services import rollup_rebuild
from gridsales.core.context import acting_as
from gridsales.customers.models import Customer
from gridsales.customers.services import status_history_start
from gridsales.demo import geo
from gridsales.demo.crm import CrmSummary, build_crm
from gridsales.demo.customers import build_customers
from gridsales.demo.plan import (
    DATA_DIR,
    DEFAULT_CUSTOMERS,
    DEFAULT_ORDER_LINES_PER_CUSTOMER,
    DEFAULT_SEED,
    DEMO_LEAF,
    DEMO_PASSWORD,
    DEMO_REGION,
    DISTRICTS,
    REGIONS,
    Leaf,
    Progress,
    rng,
)
from gridsales.demo.recognition import build_recognition
from gridsales.demo.staff import build_staff
from gridsales.demo.targets import build_targets
from gridsales.grids.assignment import customers_assign
from gridsales.grids.choices import GridKind, GridLevel
from gridsales.grids.models import Grid
from gridsales.grids.services import grid_create
from gridsales.routes.services import route_plans_for_today
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership


@dataclass(frozen=True)
class DemoLogin:
    """A named demo account and the grid it is tied to (empty when it sees everything)."""

    username: str
    role: str
    grid_code: str = ""
    grid_name: str = ""


@dataclass(frozen=True)
class DemoSummary:
    """What `build_demo` made, for the command's report and for tests."""

    grids: int
    leaves: int
    users: int
    memberships: int
    customers: int
    contacts: int
    seconds: float
    logins: list[DemoLogin]
    crm: CrmSummary | None = None


def load_districts() -> dict[str, tuple[shapely.Geometry, str]]:
    """District name -> (polygon, adcode or ""), from the GeoJSON shipped with the package."""
    data = json.loads((DATA_DIR / "shanghai-districts.geojson").read_text(encoding="utf-8"))
    return {
        f["properties"]["name"]: (shape(f["geometry"]), f["properties"].get("adcode") or "")
        for f in data["features"]
    }


def build_demo(
    *,
    customers: int = DEFAULT_CUSTOMERS,
    seed: int = DEFAULT_SEED,
    progress: Progress | None = None,
    order_lines_per_customer: float = DEFAULT_ORDER_LINES_PER_CUSTOMER,
) -> DemoSummary:
    """Build the whole demo into an empty database, in one transaction.

    Changes that go through services are audited as "system".
    """
    started = time.perf_counter()
    report = progress or (lambda stage, done, total: None)
    with acting_as(None), transaction.atomic():
        leaves, regions = build_grids(seed=seed, progress=report)
        staff = build_staff(leaves=leaves, regions=regions, seed=seed, progress=report)
        # One hash for every demo account: PBKDF2 takes most of a second per call.
        User.objects.update(password=make_password(DEMO_PASSWORD))
        n_customers, n_contacts = build_customers(
            leaves=leaves, count=customers, seed=seed, progress=report
        )
        # The generator already put each customer in the leaf that contains it; the real
        # assignment service confirms that and writes the history behind "why this grid".
        # A few points fall where two districts' (imprecise) outlines overlap: the border
        # rule moves them, and their owner must follow to a member of the new grid.
        if customers_assign().moved:
            _owners_follow_grids()
        crm = build_crm(
            leaves=leaves,
            seed=seed,
            progress=report,
            order_lines_per_customer=order_lines_per_customer,
        )
        # The history was bulk-inserted past the services: build the KPI rollups, and
        # each customer's status history from its creation (customers were backdated).
        rollup_rebuild()
        status_history_start()
        # This year's revenue targets, approved: attainment everywhere (dashboards, awards).
        build_targets()
        # Award types, and what their rules gave over the last months (home page, reps).
        build_recognition()
        # The demo rep opens Today to a route already planned; everyone else plans theirs
        # with one tap ("Plan my route").
        route_plans_for_today(reps=[User.objects.get(username="rep")])
    demo_leaf = next(leaf.grid for leaf in leaves if leaf.grid.code == DEMO_LEAF)
    region = regions[DEMO_REGION]
    return DemoSummary(
        grids=Grid.objects.count(),
        leaves=len(leaves),
        users=User.objects.count(),
        memberships=staff.memberships,
        customers=n_customers,
        contacts=n_contacts,
        seconds=time.perf_counter() - started,
        logins=[
            DemoLogin("admin", Role.ADMIN),
            DemoLogin("director", Role.DIRECTOR),
            DemoLogin("regional", Role.REGIONAL_MANAGER, region.code, region.name),
            DemoLogin("gridmanager", Role.GRID_MANAGER, demo_leaf.code, demo_leaf.name),
            DemoLogin("rep", Role.REP, demo_leaf.code, demo_leaf.name),
            DemoLogin("analyst", Role.ANALYST),
            DemoLogin("outsider", Role.REP),
        ],
        crm=crm,
    )


def _owners_follow_grids() -> None:
    """Give customers whose owner is not a member of their grid to one who is."""
    members: dict[int, list[int]] = {}
    rows = (
        Membership.objects.active()
        .filter(role=MembershipRole.MEMBER)
        .order_by("grid_id", "user__username")
        .values_list("grid_id", "user_id")
    )
    for grid_id, user_id in rows:
        members.setdefault(grid_id, []).append(user_id)
    stray = [
        c
        for c in Customer.objects.only("pk", "current_grid_id", "owner_id")
        if c.current_grid_id in members and c.owner_id not in members[c.current_grid_id]
    ]
    for customer in stray:
        customer.owner_id = members[customer.current_grid_id][0]
    Customer.objects.bulk_update(stray, ["owner"])


def build_grids(*, seed: int, progress: Progress) -> tuple[list[Leaf], dict[str, Grid]]:
    """Company → regions → one area per district → Voronoi leaf grids, via grid_create."""
    rnd = rng(seed, "grids")
    loaded = load_districts()
    districts = {name: geom for name, (geom, _adcode) in loaded.items()}
    adcodes = {name: adcode for name, (_geom, adcode) in loaded.items()}
    total = 1 + len(REGIONS) + len(DISTRICTS) + sum(d.leaves for d in DISTRICTS)
    done = 0

    def created(grid: Grid) -> Grid:
        nonlocal done
        done += 1
        progress("grids", done, total)
        return grid

    def union(names) -> dict:
        # Neighbouring districts share rounded borders with hairline gaps; snapping to
        # the data's own precision closes most of them in the union.
        merged = shapely.union_all([districts[n] for n in names], grid_size=10**-geo.DECIMALS)
        return mapping(geo.polygonal(merged))

    company = created(
        grid_create(
            code="SH",
            name="上海分公司",
            level=GridLevel.COMPANY,
            geometry=union(d.name for d in DISTRICTS),
            description="演示数据：上海市 16 个区，按大区、片区（区）和网格划分。",
        )
    )
    regions: dict[str, Grid] = {}
    for code, name in REGIONS:
        members = [d for d in DISTRICTS if d.region == code]
        regions[code] = created(
            grid_create(
                code=code,
                name=name,
                parent=company,
                level=GridLevel.REGION,
                geometry=union(d.name for d in members),
                description="、".join(d.name for d in members),
            )
        )

    leaves: list[Leaf] = []
    for plan in DISTRICTS:
        adcode = adcodes[plan.name]
        area = created(
            grid_create(
                code=plan.code,
                name=plan.name,
                parent=regions[plan.region],
                level=GridLevel.AREA,
                geometry=mapping(districts[plan.name]),
                description=f"行政区划代码 {adcode}" if adcode else "",
            )
        )
        parts = geo.split_polygon(districts[plan.name], plan.leaves, rnd)
        for number, part in enumerate(parts, start=1):
            grid = created(
                grid_create(
                    code=f"{plan.code}-{number:02d}",
                    name=f"{plan.name}第{number:02d}网格",
                    parent=area,
                    level=GridLevel.GRID,
                    kind=GridKind.GEO,
                    geometry=mapping(part),
                )
            )
            # Sample against the geometry as stored, so every customer is inside it
            # exactly as the app (and the tests) will read it back.
            stored = shape(grid.geometry)
            centre = stored.representative_point()
            distance = geo.distance_km((centre.x, centre.y), geo.CITY_CENTRE)
            # Within a district, business thins out with distance from the centre
            # (陆家嘴 vs 南汇); the district factor sets the overall level.
            radial = 0.6 + 1.4 * math.exp(-distance / 12)
            weight = geo.area_km2(stored) * plan.density * radial
            leaves.append(Leaf(grid=grid, district=plan, geom=stored, weight=weight))
    return leaves, regions
