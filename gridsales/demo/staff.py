"""The demo sales team: named demo logins, managers, ~60 reps and their memberships.

Everyone is created through the team services (`rep_create`, `membership_create`), so
the share and overlap rules are checked exactly as for a user's own edits. The builder
sets one password for all accounts afterwards.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.demo import geo, names
from gridsales.demo.plan import (
    DEMO_LEAF,
    DEMO_REGION,
    DISTRICTS,
    REGIONS,
    Leaf,
    Progress,
    rng,
)
from gridsales.grids.models import Grid
from gridsales.team.choices import MembershipRole
from gridsales.team.services import membership_create, rep_create

REP_COUNT = 60
# The busiest leaves get a second rep (50/50), as a real team would staff them.
DOUBLED_LEAVES = 6
LEAVES_PER_GRID_MANAGER = 4
REP_TITLES = [("客户经理", 5), ("高级客户经理", 2), ("网格员", 4), ("资深网格员", 2)]


@dataclass(frozen=True)
class StaffSummary:
    """What build_staff made."""

    users: int
    memberships: int


class People:
    """Unique usernames, employee numbers and phones for everyone the demo hires."""

    def __init__(self, rnd: random.Random, start: datetime.date):
        self.rnd = rnd
        self.start = start
        self.usernames: set[str] = set()
        self.phones: set[str] = set()
        self.next_no = 1
        self.users = 0

    def hire(
        self,
        *,
        role: str,
        title: str,
        username: str | None = None,
        manager: User | None = None,
        home: Leaf | None = None,
        is_active: bool = True,
    ) -> User:
        """Create a user with a rep profile, living somewhere inside the `home` grid."""
        display_name, pinyin = names.person_name(self.rnd)
        if username is None:
            username, n = pinyin, 1
            while username in self.usernames:
                n += 1
                username = f"{pinyin}{n}"
        self.usernames.add(username)
        phone = names.mobile(self.rnd, "139")
        while phone in self.phones:
            phone = names.mobile(self.rnd, "139")
        self.phones.add(phone)
        # Hired before the history year, so every membership falls inside employment.
        hire_date = self.start - datetime.timedelta(days=self.rnd.randint(400, 9 * 365))
        fields = {}
        if home is not None:
            lng, lat = geo.sample_points(home.geom, 1, self.rnd)[0]
            fields = {
                "home_address": names.street_address(self.rnd, home.district.name),
                "home_lat": lat,
                "home_lng": lng,
            }
        user = rep_create(
            username=username,
            display_name=display_name,
            email=f"{username}@example.com",
            role=role,
            is_active=is_active,
            employee_no=f"GS{self.next_no:04d}",
            phone=phone,
            title=title,
            hire_date=hire_date,
            manager=manager,
            **fields,
        )
        self.next_no += 1
        self.users += 1
        return user


def allocate_reps(leaves: list[Leaf], target: int = REP_COUNT) -> list[list[tuple[Leaf, int]]]:
    """Decide who works where: a list of reps, each a list of (leaf, share %).

    Every leaf starts with one rep at 100%; the busiest (and the demo leaf, to show
    sharing) get two at 50/50. Then, until the team is down to `target`, the two lightest
    neighbouring single-rep leaves of one district merge under one rep, as thinly
    populated suburbs are worked in practice.
    """
    by_weight = sorted(leaves, key=lambda leaf: -leaf.weight)
    doubled = {id(leaf) for leaf in by_weight[:DOUBLED_LEAVES]}
    reps: list[list[tuple[Leaf, int]]] = []
    for leaf in leaves:
        if id(leaf) in doubled or leaf.grid.code == DEMO_LEAF:
            reps += [[(leaf, 50)], [(leaf, 50)]]
        else:
            reps.append([(leaf, 100)])
    while len(reps) > target:
        singles = [
            (i, r[0][0])
            for i, r in enumerate(reps)
            if len(r) == 1 and r[0][1] == 100 and r[0][0].grid.code != DEMO_LEAF
        ]
        best = None
        for a, (i, leaf_i) in enumerate(singles):
            for j, leaf_j in singles[a + 1 :]:
                if leaf_i.district is not leaf_j.district:
                    continue
                if leaf_i.geom.distance(leaf_j.geom) > 1e-5:
                    continue  # not neighbours: a rep would cross another's grid
                load = leaf_i.weight + leaf_j.weight
                if best is None or load < best[0]:
                    best = (load, i, j)
        if best is None:
            break
        _load, i, j = best
        reps[i] = reps[i] + reps[j]
        del reps[j]
    return reps


def manager_chunks(leaves: list[Leaf]) -> list[list[Leaf]]:
    """Runs of up to four leaves of one district, each under one grid manager.

    The demo leaf gets a grid manager of its own, so `gridmanager` manages exactly one.
    """
    chunks: list[list[Leaf]] = []
    for plan in DISTRICTS:
        own = [leaf for leaf in leaves if leaf.district is plan]
        demo = [leaf for leaf in own if leaf.grid.code == DEMO_LEAF]
        if demo:
            chunks.append(demo)
            own = [leaf for leaf in own if leaf.grid.code != DEMO_LEAF]
        n = math.ceil(len(own) / LEAVES_PER_GRID_MANAGER)
        for k in range(n):
            chunks.append(own[k * len(own) // n : (k + 1) * len(own) // n])
    return chunks


def build_staff(
    *, leaves: list[Leaf], regions: dict[str, Grid], seed: int, progress: Progress
) -> StaffSummary:
    """Create the demo logins, regional and grid managers, reps and memberships."""
    rnd = rng(seed, "team")
    today = timezone.localdate()
    # Memberships start on 1 January of last year, so the team is in place whenever the
    # demo is built; the history year is the one before.
    start = datetime.date(today.year - 1, 1, 1)
    history_start = datetime.date(today.year - 2, 1, 1)
    history_end = start - datetime.timedelta(days=1)
    people = People(rnd, start)
    memberships = 0
    rep_plan = allocate_reps(leaves)
    chunks = manager_chunks(leaves)
    # Steps: the leadership, each region, each grid manager, each rep, outsider, history.
    total = 1 + len(REGIONS) + len(chunks) + len(rep_plan) + 2
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        progress("team", done, total)

    def join(user, grid, role=MembershipRole.MEMBER, share=100, **dates) -> None:
        nonlocal memberships
        dates.setdefault("valid_from", start)
        membership_create(user=user, grid=grid, role=role, share_pct=Decimal(share), **dates)
        memberships += 1

    admin = User.objects.create_superuser(
        username="admin",
        email="admin@example.com",
        password=None,
        role=Role.ADMIN,
        display_name="系统管理员",
    )
    people.usernames.add(admin.username)
    director = people.hire(username="director", role=Role.DIRECTOR, title="销售总监")
    people.hire(username="analyst", role=Role.ANALYST, title="销售运营分析师", manager=director)
    step()

    regional: dict[str, User] = {}
    for code, _name in REGIONS:
        region_leaves = [leaf for leaf in leaves if leaf.district.region == code]
        home = rnd.choice(region_leaves)
        regional[code] = people.hire(
            username="regional" if code == DEMO_REGION else None,
            role=Role.REGIONAL_MANAGER,
            title="大区经理",
            manager=director,
            home=home,
        )
        join(regional[code], regions[code], role=MembershipRole.MANAGER)
        step()

    for chunk in chunks:
        first = chunk[0]
        manager = people.hire(
            username="gridmanager" if first.grid.code == DEMO_LEAF else None,
            role=Role.GRID_MANAGER,
            title="网格经理",
            manager=regional[first.district.region],
            home=first,
        )
        for leaf in chunk:
            leaf.manager = manager
            join(manager, leaf.grid, role=MembershipRole.MANAGER)
        step()

    demo_rep_named = False
    hired: list[tuple[User, list[tuple[Leaf, int]]]] = []
    for desk in rep_plan:
        first = desk[0][0]
        username = None
        if first.grid.code == DEMO_LEAF and not demo_rep_named:
            username, demo_rep_named = "rep", True
        title = names.weighted(rnd, REP_TITLES)[0]
        rep = people.hire(
            username=username,
            role=Role.REP,
            title=title,
            manager=first.manager,
            home=first,
        )
        for leaf, share in desk:
            leaf.members.append((rep, share))
            join(rep, leaf.grid, share=share)
        hired.append((rep, desk))
        step()

    people.hire(username="outsider", role=Role.REP, title="客户经理", manager=director)
    step()

    # History, so grid and rep pages have something to show: a few reps moved grid at
    # the start of the year, and two left the company.
    # Movers come from single-grid, single-rep desks and land in grids not their own.
    movers = [(user, desk) for user, desk in hired if len(desk) == 1 and user.username != "rep"]
    targets = [leaf for leaf in leaves if leaf.grid.code != DEMO_LEAF]
    rnd.shuffle(targets)
    for user, desk in rnd.sample(movers, 3):
        leaf = next(t for t in targets if all(u != user for u, _share in t.members))
        targets.remove(leaf)
        join(
            user,
            leaf.grid,
            valid_from=history_start,
            valid_to=history_end,
            note=f"{start.year} 年初调岗至 {desk[0][0].grid.code}",
        )
    for _ in range(2):
        leaf = targets.pop()
        leaver = people.hire(
            role=Role.REP,
            title="客户经理",
            manager=leaf.manager,
            is_active=False,
            home=leaf,
        )
        join(leaver, leaf.grid, valid_from=history_start, valid_to=history_end, note="离职")
    step()
    return StaffSummary(users=people.users + 1, memberships=memberships)
