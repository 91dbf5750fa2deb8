"""Two years of the demo company's past: the calendar, where customers were, who served them.

The CRM builders (orders, deals, activities, surveys) all ask the same two questions of
any past day: which grid was the customer in, and which rep gets the credit. `History`
answers both from what the builder wrote: customers are backdated (they existed before
their first order), ~2% of them moved to a neighbouring grid about six months ago (the
grid-assignment history says so, as the assignment service would have written it), and
the team's memberships say who worked which grid when.

Generation is keyed by customer code, username and grid code, never by primary key, so
the same seed and the same "today" give the same data on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db import connection
from django.utils import timezone

from gridsales.customers.choices import AssignmentReason, CustomerStatus
from gridsales.customers.models import Contact, Customer, CustomerGridAssignment
from gridsales.demo import geo, names
from gridsales.demo.plan import Leaf, rng
from gridsales.demo.rows import adapt_datetime, write_rows
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership

HISTORY_DAYS = 730
MOVED_SHARE = 0.02
MOVED_DAYS_AGO = 182
WRITE_CHUNK = 2000


def np_rng(seed: int, stream: str) -> np.random.Generator:
    """A numpy generator per part of the build, independent of the others (see plan.rng)."""
    return np.random.default_rng([seed, zlib.crc32(stream.encode())])


@dataclass(frozen=True)
class Calendar:
    """Day numbers of the history: day 0 is `start`, day `days - 1` is today."""

    today: dt.date
    now: dt.datetime
    days: int = HISTORY_DAYS

    @property
    def start(self) -> dt.date:
        return self.today - dt.timedelta(days=self.days - 1)

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))

    def index(self, date: dt.date) -> int:
        return (date - self.start).days

    def at(self, day: int, minutes: int) -> dt.datetime:
        """Local time `minutes` after midnight of `day` (may be negative or past today)."""
        midnight = dt.datetime.combine(self.date(day), dt.time.min)
        return timezone.make_aware(midnight + dt.timedelta(minutes=int(minutes)))

    def weekday(self, days: np.ndarray) -> np.ndarray:
        """0 = Monday … 6 = Sunday for an array of day numbers."""
        return (np.asarray(days) + self.start.weekday()) % 7


@dataclass
class Team:
    """Who was a member (not a manager) of which grid on which day."""

    # grid pk -> [(user pk, first day, last day)], biggest share first, then username
    members: dict[int, list[tuple[int, int, int]]]
    usernames: dict[int, str]

    def is_member(self, user_id: int, grid_id: int, day: int) -> bool:
        return any(u == user_id and a <= day <= b for u, a, b in self.members.get(grid_id, ()))

    def first_member(self, grid_id: int, day: int) -> int | None:
        for user_id, first, last in self.members.get(grid_id, ()):
            if first <= day <= last:
                return user_id
        return None


@dataclass
class History:
    """The customers (ordered by code) with their past, and the team's."""

    calendar: Calendar
    team: Team
    leaves: dict[int, Leaf]  # grid pk -> leaf
    ids: np.ndarray
    codes: list[str]
    names: list[str]
    tier: np.ndarray  # "A".."D"
    type: np.ndarray
    industry: np.ndarray
    status: np.ndarray
    grid: np.ndarray  # current grid pk
    owner: np.ndarray  # current owner pk
    lat: np.ndarray
    lng: np.ndarray
    contact: np.ndarray  # primary contact pk, -1 when none
    created: np.ndarray  # day number the customer was created (negative: before start)
    moved_on: np.ndarray  # day number of the move, -1 when it never moved
    old_grid: np.ndarray
    old_owner: np.ndarray
    old_lat: np.ndarray
    old_lng: np.ndarray
    grid_codes: dict[int, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def before_move(self, i: int, day: int) -> bool:
        # A customer moved during a day counts in its new grid that day (grids_on).
        return bool(self.moved_on[i] >= 0 and day < self.moved_on[i])

    def grid_on(self, i: int, day: int) -> int:
        return int(self.old_grid[i] if self.before_move(i, day) else self.grid[i])

    def owner_on(self, i: int, day: int) -> int:
        return int(self.old_owner[i] if self.before_move(i, day) else self.owner[i])

    def position_on(self, i: int, day: int) -> tuple[float, float]:
        """(lng, lat) of the customer on `day`: movers had another address before."""
        if self.before_move(i, day):
            return float(self.old_lng[i]), float(self.old_lat[i])
        return float(self.lng[i]), float(self.lat[i])

    def rep_on(self, i: int, day: int) -> int:
        """The rep credited for the customer on `day`: its owner then, when a member of its
        grid that day; else the grid's member that day; else the owner (before the team
        was staffed, the owner stands in)."""
        grid_id, owner_id = self.grid_on(i, day), self.owner_on(i, day)
        if self.team.is_member(owner_id, grid_id, day):
            return owner_id
        return self.team.first_member(grid_id, day) or owner_id

    def by_owner(self) -> dict[int, np.ndarray]:
        """Customer indexes per current owner pk."""
        if not len(self.owner):
            return {}
        order = np.argsort(self.owner, kind="stable")
        owners, starts = np.unique(self.owner[order], return_index=True)
        return dict(zip(owners.tolist(), np.split(order, starts[1:]), strict=True))


def load_team(calendar: Calendar) -> Team:
    """Member rows as day ranges, in the order the credit rule prefers them."""
    rows = (
        Membership.objects.filter(role=MembershipRole.MEMBER)
        .order_by("grid_id", "-share_pct", "user__username", "valid_from")
        .values_list("grid_id", "user_id", "valid_from", "valid_to", "user__username")
    )
    members: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    usernames: dict[int, str] = {}
    for grid_id, user_id, first, last, username in rows:
        end = calendar.index(last) if last else calendar.days + 3650
        members[grid_id].append((user_id, calendar.index(first), end))
        usernames[user_id] = username
    return Team(members=dict(members), usernames=usernames)


def build_history(*, leaves: list[Leaf], calendar: Calendar, seed: int) -> History:
    """Backdate the customers, move ~2% of them to a neighbouring grid, load the result."""
    rows = list(
        Customer.objects.order_by("code").values_list(
            "pk",
            "code",
            "name",
            "tier",
            "type",
            "industry",
            "status",
            "current_grid_id",
            "owner_id",
            "lat",
            "lng",
        )
    )
    by_grid = {leaf.grid.pk: leaf for leaf in leaves}
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * 11
    ids = np.array(cols[0], dtype=np.int64)
    status = np.array(cols[6], dtype=object)
    created = _backdate(ids, status, calendar, seed)
    primary = dict(Contact.objects.filter(is_primary=True).values_list("customer_id", "pk"))
    history = History(
        calendar=calendar,
        team=load_team(calendar),
        leaves=by_grid,
        ids=ids,
        codes=list(cols[1]),
        names=list(cols[2]),
        tier=np.array(cols[3], dtype=object),
        type=np.array(cols[4], dtype=object),
        industry=np.array(cols[5], dtype=object),
        status=status,
        grid=np.array(cols[7], dtype=np.int64),
        owner=np.array(cols[8], dtype=np.int64),
        lat=np.array(cols[9], dtype=float),
        lng=np.array(cols[10], dtype=float),
        contact=np.array([primary.get(int(pk), -1) for pk in ids], dtype=np.int64),
        created=created,
        moved_on=np.full(n, -1, dtype=np.int64),
        old_grid=np.array(cols[7], dtype=np.int64),
        old_owner=np.array(cols[8], dtype=np.int64),
        old_lat=np.array(cols[9], dtype=float),
        old_lng=np.array(cols[10], dtype=float),
        grid_codes={pk: leaf.grid.code for pk, leaf in by_grid.items()},
    )
    _move_customers(history, seed=seed)
    return history


def _backdate(ids, status, calendar: Calendar, seed: int) -> np.ndarray:
    """Customers existed before their history: set created_at (and the start of their
    first grid stay) to a plausible past day. Leads and prospects are recent."""
    gen = np_rng(seed, "customers-created")
    n = len(ids)
    recent = np.isin(status, [CustomerStatus.LEAD, CustomerStatus.PROSPECT])
    created = np.where(
        recent,
        calendar.days - gen.integers(10, 540, n),
        -gen.integers(30, 1500, n),
    ).astype(np.int64)
    minutes = gen.integers(9 * 60, 18 * 60, n)
    stamps = [
        adapt_datetime(calendar.at(day, m))
        for day, m in zip(created.tolist(), minutes.tolist(), strict=True)
    ]
    customers = Customer._meta.db_table
    assignments = CustomerGridAssignment._meta.db_table
    batch = "gridsales_demo_created"
    stamp_type = connection.data_types["DateTimeField"]
    # Set-based, as grids.assignment writes: the new dates into a temporary table, then
    # one UPDATE … FROM per table (row-by-row updates take seconds on PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {batch}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {batch} (id bigint PRIMARY KEY, created_at {stamp_type})"
        )
        write_rows(batch, ["id", "created_at"], list(zip(ids.tolist(), stamps, strict=True)))
        cursor.execute(
            f"UPDATE {customers} SET created_at = b.created_at FROM {batch} AS b "
            f"WHERE {customers}.id = b.id"
        )
        cursor.execute(
            f"UPDATE {assignments} SET valid_from = b.created_at FROM {batch} AS b "
            f"WHERE {assignments}.customer_id = b.id"
        )
        cursor.execute(f"DROP TABLE {batch}")
    return created


def neighbours(leaves: list[Leaf]) -> dict[int, list[Leaf]]:
    """Leaf grids sharing a border with each leaf (by grid pk), in code order."""
    ordered = sorted(leaves, key=lambda leaf: leaf.grid.code)
    geoms = np.array([leaf.geom for leaf in ordered], dtype=object)
    tree = shapely.STRtree(geoms)
    # Neighbouring districts' outlines leave hairline gaps: "touching" within ~10 m.
    left, right = tree.query(geoms, predicate="dwithin", distance=1e-4)
    found: dict[int, list[Leaf]] = defaultdict(list)
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        if a != b:
            found[ordered[a].grid.pk].append(ordered[b])
    return {pk: sorted(v, key=lambda leaf: leaf.grid.code) for pk, v in found.items()}


def _move_customers(history: History, *, seed: int) -> None:
    """Move ~2% of the ordering customers to a neighbouring grid about six months ago.

    They moved house: a new address inside the new grid, so the assignment service would
    put them there too. Their stay in the old grid is closed on the move and a new one
    opened, their owner becomes a member of the new grid, and everything dated before the
    move keeps the old grid and rep.
    """
    rnd = rng(seed, "moves")
    cal = history.calendar
    near = neighbours(list(history.leaves.values()))
    candidates = [
        i
        for i in range(len(history))
        if history.status[i] in (CustomerStatus.ACTIVE, CustomerStatus.DORMANT)
        and near.get(int(history.grid[i]))
    ]
    count = min(len(candidates), round(len(history) * MOVED_SHARE))
    movers = sorted(rnd.sample(candidates, count))
    if not movers:
        return
    changed: list[Customer] = []
    stays: list[CustomerGridAssignment] = []
    closing: list[tuple[str, int]] = []
    for i in movers:
        target = rnd.choice(near[int(history.grid[i])])
        day = cal.days - MOVED_DAYS_AGO + rnd.randint(-20, 20)
        when = cal.at(day, rnd.randint(9 * 60, 17 * 60))
        lng, lat = geo.sample_points(target.geom, 1, rnd)[0]
        owners, shares = zip(*target.members, strict=True)
        owner = rnd.choices(owners, weights=shares)[0]
        history.old_grid[i], history.old_owner[i] = history.grid[i], history.owner[i]
        history.old_lat[i], history.old_lng[i] = history.lat[i], history.lng[i]
        history.grid[i], history.owner[i] = target.grid.pk, owner.pk
        history.lat[i], history.lng[i] = lat, lng
        history.moved_on[i] = day
        address = names.street_address(rnd, target.district.name)
        changed.append(
            Customer(
                pk=int(history.ids[i]),
                current_grid_id=target.grid.pk,
                owner_id=owner.pk,
                lat=lat,
                lng=lng,
                address=address,
                assignment_reason=AssignmentReason.POLYGON,
            )
        )
        closing.append((connection.ops.adapt_datetimefield_value(when), int(history.ids[i])))
        stays.append(
            CustomerGridAssignment(
                customer_id=int(history.ids[i]),
                grid_id=target.grid.pk,
                valid_from=when,
                reason=AssignmentReason.POLYGON,
                detail=f"inside {target.grid.code}",
                user_name="system",
            )
        )
    table = CustomerGridAssignment._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET valid_to = %s WHERE customer_id = %s AND valid_to IS NULL",
            closing,
        )
    CustomerGridAssignment.objects.bulk_create(stays, batch_size=WRITE_CHUNK)
    Customer.objects.bulk_update(
        changed,
        ["current_grid", "owner", "lat", "lng", "address", "assignment_reason"],
        batch_size=200,
    )
