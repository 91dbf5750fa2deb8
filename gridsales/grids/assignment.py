"""Putting customers in grids: decide, write effective-dated history, summarise moves.

Where a customer goes (docs/assignment.md):

1. pinned customers (`grid_pinned`, reason `manual`) stay where a person put them;
2. otherwise the first active leaf *segment* grid (lowest code) whose rules match;
3. otherwise the active leaf *geo* grid that covers the location; on a shared border or in
   an overlap, the covering grid with the lowest code (`gridsales.grids.spatial`);
4. otherwise no grid (reason `none`), with the nearest grid and the distance noted;
5. a customer without coordinates that no rule matches keeps its grid (nothing to decide).

Every change closes the customer's open CustomerGridAssignment row and opens a new one.
Bulk runs write with raw executemany (1M customers in seconds), which bypasses the audit
signals: they add one summary ObjectChange (action "update" on the Customer type,
object_id 0) with the counts and moves instead. Single saves go through the customer
services, `gridsales.grids.placement` and their normal audit record.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gridsales.core.context import current_request_id, current_user
from gridsales.core.models import ChangeAction, ObjectChange
from gridsales.customers.choices import AssignmentReason
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.grids import segments
from gridsales.grids.choices import GridKind, GridStatus
from gridsales.grids.models import Grid
from gridsales.grids.spatial import PointIndex

REASONS = {r.value for r in AssignmentReason}
SEGMENT_FIELDS = ("code", "name", "type", "industry", "tier", "status", "address", "tags")
# Changing any of these can change where an unpinned customer belongs.
PLACEMENT_FIELDS = frozenset({"lat", "lng", "owner", *SEGMENT_FIELDS})
_CHUNK = 20_000


Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Decision:
    """Where one customer goes and why."""

    grid_id: int | None
    reason: str
    detail: str = ""
    nearest_id: int | None = None
    distance_m: float | None = None


@dataclass
class AssignSummary:
    """What a bulk assignment did (or would do, when `dry_run`)."""

    total: int = 0
    moved: int = 0
    newly_assigned: int = 0
    unassigned: int = 0
    unchanged: int = 0
    pinned_kept: int = 0
    no_location: int = 0
    outside: int = 0  # customers with a location in no grid after the run
    moves: Counter = field(default_factory=Counter)  # (from code|None, to code|None) → n
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return self.moved + self.newly_assigned + self.unassigned

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "moved": self.moved,
            "newly_assigned": self.newly_assigned,
            "unassigned": self.unassigned,
            "unchanged": self.unchanged,
            "pinned_kept": self.pinned_kept,
            "no_location": self.no_location,
            "outside": self.outside,
            "moves": [{"from": a, "to": b, "count": n} for (a, b), n in self.moves.most_common(50)],
        }


# -- the grids ------------------------------------------------------------------------


@dataclass
class _Grids:
    geo_ids: np.ndarray  # sorted by code: index = rank in the border rule
    polygons: np.ndarray
    segments: list[tuple[int, list[dict]]]
    codes: dict[int, str]
    _index: PointIndex | None = None

    @property
    def index(self) -> PointIndex:
        if self._index is None:
            self._index = PointIndex(self.polygons)
        return self._index


def _load_grids(geo_filter: Q | None = None) -> _Grids:
    leaves = Grid.objects.filter(is_leaf=True, status=GridStatus.ACTIVE).order_by("code")
    geo = leaves.filter(kind=GridKind.GEO, geometry__isnull=False)
    if geo_filter is not None:
        geo = geo.filter(geo_filter)
    rows = list(geo.values_list("pk", "code", "geometry"))
    polygons = shapely.from_geojson([_geojson(g) for _, _, g in rows]) if rows else []
    seg_rows = list(leaves.filter(kind=GridKind.SEGMENT).values_list("pk", "code", "segment_rules"))
    return _Grids(
        geo_ids=np.array([pk for pk, _, _ in rows], dtype=np.int64),
        polygons=np.asarray(polygons, dtype=object),
        segments=[(pk, rules) for pk, _, rules in seg_rows if rules],
        codes={pk: code for pk, code, _ in [*rows, *seg_rows]},
    )


def _geojson(geometry: dict) -> str:
    return json.dumps(geometry)


# -- deciding ---------------------------------------------------------------------------


def _outside(grids: _Grids, lng: np.ndarray, lat: np.ndarray) -> list[Decision]:
    nearest, metres = grids.index.nearest(lng, lat)
    decisions = []
    for i, m in zip(nearest, metres, strict=True):
        if i < 0:
            decisions.append(Decision(None, AssignmentReason.NONE, "outside every grid"))
            continue
        gid = int(grids.geo_ids[i])
        decisions.append(
            Decision(
                None,
                AssignmentReason.NONE,
                f"nearest {grids.codes[gid]} at {m:.0f} m",
                nearest_id=gid,
                distance_m=round(float(m), 1),
            )
        )
    return decisions


# -- writing ----------------------------------------------------------------------------


def _who() -> tuple[int | None, str]:
    user = current_user.get()
    if user is None or not user.pk:
        return None, "system"
    return user.pk, user.get_username()


def _candidate_customers(grid: Grid | None, customer_ids, grids: _Grids):
    qs = Customer.objects.all()
    if customer_ids is not None:
        ids = sorted(set(customer_ids))
        return [qs.filter(pk__in=ids[i : i + _CHUNK]) for i in range(0, len(ids), _CHUNK)]
    if grid is None:
        return [qs]
    subtree = Grid.objects.subtree(grid)
    cond = Q(current_grid__path__startswith=grid.path)
    if subtree.filter(is_leaf=True, kind=GridKind.SEGMENT).exists():
        return [qs]  # any customer may match the subtree's rules
    boxes = subtree.filter(is_leaf=True, min_lng__isnull=False).values_list(
        "min_lng", "min_lat", "max_lng", "max_lat"
    )
    boxes = list(boxes)
    if boxes:
        cond |= Q(
            lng__gte=min(b[0] for b in boxes),
            lat__gte=min(b[1] for b in boxes),
            lng__lte=max(b[2] for b in boxes),
            lat__lte=max(b[3] for b in boxes),
        )
    return [qs.filter(cond)]


def _read(querysets, with_segment_fields: bool) -> list[tuple]:
    cols = ["pk", "lat", "lng", "current_grid_id", "assignment_reason", "grid_pinned"]
    if with_segment_fields:
        cols += [*SEGMENT_FIELDS, "owner__username"]
    rows: list[tuple] = []
    for qs in querysets:
        if with_segment_fields:
            rows.extend(qs.values_list(*cols))
            continue
        # Plain rows through the cursor: 3× faster than values_list at a million rows.
        sql, params = qs.order_by().values_list(*cols).query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows.extend(cursor.fetchall())
    return rows


def customers_assign(
    *,
    customer_ids=None,
    grid: Grid | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> AssignSummary:
    """(Re)assign customers to grids and record every move (all customers by default).

    `customer_ids`: only these (e.g. after an import). `grid`: the customers currently in
    that grid's subtree or inside its leaves' bounding box; only those that are in or come
    into the subtree are changed. Writes nothing when `dry_run`.
    """
    report = progress or (lambda stage, done, total: None)
    grids = _load_grids()
    report("load", 0, 1)
    rows = _read(_candidate_customers(grid, customer_ids, grids), bool(grids.segments))
    report("load", 1, 1)
    n = len(rows)
    summary = AssignSummary(dry_run=dry_run)
    if n == 0:
        return summary
    cols = list(zip(*rows, strict=True))
    ids = np.array(cols[0], dtype=np.int64)
    lat = np.array(cols[1], dtype=float)
    lng = np.array(cols[2], dtype=float)
    cur = np.nan_to_num(np.array(cols[3], dtype=float), nan=-1).astype(np.int64)
    old_reason = np.array(cols[4], dtype=object)
    pinned = np.array(cols[5], dtype=bool)

    new = cur.copy()
    reason = np.full(n, "", dtype=object)
    decided = np.zeros(n, dtype=bool)
    details: dict[int, Decision] = {}
    todo = ~pinned
    if grids.segments:
        for i in np.flatnonzero(todo):
            row = rows[i]
            values = dict(zip(SEGMENT_FIELDS, row[6:14], strict=True))
            values["owner"] = row[14] or ""
            hit = segments.first_match(grids.segments, values)
            if hit is not None:
                new[i], reason[i], decided[i] = hit, AssignmentReason.RULE, True
                details[i] = Decision(hit, AssignmentReason.RULE, f"rules of {grids.codes[hit]}")
    located = todo & ~decided & np.isfinite(lat) & np.isfinite(lng)
    where = np.flatnonzero(located)
    report("locate", 0, len(where))
    if len(where) and len(grids.geo_ids):
        found = grids.index.locate(lng[where], lat[where])
    else:
        found = np.full(len(where), -1, dtype=np.int64)
    inside = found >= 0
    new[where[inside]] = grids.geo_ids[found[inside]]
    reason[where[inside]] = AssignmentReason.POLYGON
    new[where[~inside]] = -1
    reason[where[~inside]] = AssignmentReason.NONE
    decided[where] = True
    report("locate", len(where), len(where))

    # Customers without coordinates and no rule: keep the grid; record "none" only for
    # those never assigned before, so they show up in the unassigned list.
    no_loc = todo & ~decided
    never = no_loc & (cur < 0) & (old_reason != AssignmentReason.NONE)
    reason[never] = AssignmentReason.NONE
    decided[never] = True

    # Pinned without a "manual" record (e.g. pinned by an import that named the grid):
    # record the pin, so the customer page can say why.
    pin_unrecorded = pinned & (old_reason != AssignmentReason.MANUAL)
    reason[pin_unrecorded] = AssignmentReason.MANUAL
    decided[pin_unrecorded] = True

    subtree_ids = None
    if grid is not None:
        subtree_ids = np.array(
            list(Grid.objects.subtree(grid).values_list("pk", flat=True)), dtype=np.int64
        )
        in_scope = np.isin(cur, subtree_ids) | np.isin(new, subtree_ids)
    else:
        in_scope = np.ones(n, dtype=bool)

    known = np.isin(old_reason, list(REASONS))
    changed = decided & in_scope & ((new != cur) | (reason != old_reason) | ~known)
    summary.total = int(in_scope.sum())
    summary.pinned_kept = int((pinned & in_scope).sum())
    summary.no_location = int((no_loc & ~never & in_scope).sum())
    summary.outside = int((in_scope & (new < 0) & np.isfinite(lat) & np.isfinite(lng)).sum())
    moved = changed & (cur >= 0) & (new >= 0) & (cur != new)
    summary.moved = int(moved.sum())
    summary.newly_assigned = int((changed & (cur < 0) & (new >= 0)).sum())
    summary.unassigned = int((changed & (cur >= 0) & (new < 0)).sum())
    summary.unchanged = summary.total - summary.changed - summary.pinned_kept - summary.no_location

    idx = np.flatnonzero(changed)
    codes = _all_codes(np.concatenate([cur[idx], new[idx]]))
    pairs = Counter(zip(cur[idx].tolist(), new[idx].tolist(), strict=True))
    summary.moves = Counter(
        {(codes.get(a), codes.get(b)): c for (a, b), c in pairs.items() if a != b}
    )
    if dry_run or not len(idx):
        return summary

    outside_idx = idx[(new[idx] < 0) & np.isfinite(lat[idx]) & np.isfinite(lng[idx])]
    if len(outside_idx) and len(grids.geo_ids):
        for i, d in zip(
            outside_idx, _outside(grids, lng[outside_idx], lat[outside_idx]), strict=True
        ):
            details[int(i)] = d
    with transaction.atomic():
        _write(ids, new, reason, idx, details, codes, report)
        _record_summary(summary, grid)
    return summary


def _all_codes(grid_ids: np.ndarray) -> dict[int, str]:
    wanted = sorted({int(g) for g in grid_ids if g >= 0})
    codes: dict[int, str] = {}
    for i in range(0, len(wanted), _CHUNK):
        codes.update(Grid.objects.filter(pk__in=wanted[i : i + _CHUNK]).values_list("pk", "code"))
    return codes


def _write(ids, new, reason, idx, details, codes, report) -> None:
    """Update the customers, close their open rows, open new ones — set-based.

    The changes go into a temporary table first (executemany into a table without
    indexes), then three statements join it: UPDATE … FROM, UPDATE … IN, INSERT … SELECT.
    At a million customers on SQLite this is 2.5× faster than per-row statements.
    """
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    user_id, user_name = _who()
    customers = Customer._meta.db_table
    history = CustomerGridAssignment._meta.db_table
    batch = "gridsales_assign_batch"
    key = "integer" if connection.vendor == "sqlite" else "bigint"  # SQLite: the rowid
    total = len(idx)
    report("write", 0, total)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection: index updates of a million rows
            # otherwise thrash SQLite's default 2 MB cache.
            cursor.execute("PRAGMA cache_size = -262144")
        cursor.execute(f"DROP TABLE IF EXISTS {batch}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {batch} (id {key} PRIMARY KEY, grid_id bigint NULL, "
            "reason varchar(10), detail varchar(200), nearest_id bigint NULL, "
            "distance double precision NULL)"
        )
        step = 100_000
        for start in range(0, total, step):
            part = idx[start : start + step]
            rows = []
            for i in part.tolist():
                g = int(new[i]) if new[i] >= 0 else None
                if reason[i] == AssignmentReason.POLYGON:
                    detail, near, metres = f"inside {codes[g]}", None, None
                elif reason[i] == AssignmentReason.MANUAL:
                    detail, near, metres = f"pinned to {codes.get(g, '-')}", None, None
                else:
                    d = details.get(i) or Decision(g, reason[i], "no location")
                    detail, near, metres = d.detail[:200], d.nearest_id, d.distance_m
                rows.append((int(ids[i]), g, reason[i], detail, near, metres))
            cursor.executemany(f"INSERT INTO {batch} VALUES (%s, %s, %s, %s, %s, %s)", rows)
            report("write", min(start + step, total) // 2, total)
        cursor.execute(
            f"UPDATE {customers} SET current_grid_id = b.grid_id, assignment_reason = b.reason, "
            f"updated_at = %s FROM {batch} AS b WHERE {customers}.id = b.id",
            [stamp],
        )
        # Every changed customer's open row, whatever its recorded reason said: the open
        # rows are few to look at through the partial unique index.
        cursor.execute(
            f"UPDATE {history} SET valid_to = %s WHERE valid_to IS NULL "
            f"AND customer_id IN (SELECT id FROM {batch})",
            [stamp],
        )
        cursor.execute(
            f"INSERT INTO {history} (customer_id, grid_id, valid_from, reason, detail, "
            "nearest_grid_id, distance_m, user_id, user_name) "
            f"SELECT id, grid_id, %s, reason, detail, nearest_id, distance, %s, %s FROM {batch}",
            [stamp, user_id, user_name],
        )
        cursor.execute(f"DROP TABLE {batch}")
    report("write", total, total)


def _record_summary(summary: AssignSummary, grid: Grid | None) -> None:
    user_id, user_name = _who()
    ObjectChange.objects.create(
        user_id=user_id,
        user_name=user_name,
        request_id=current_request_id.get(),
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Customer),
        object_id=0,
        object_repr=f"customers_assign {grid.code if grid else '*'}: {summary.changed} changed",
        before=None,
        after={"grid": grid.code if grid else None, **summary.as_dict()},
    )
