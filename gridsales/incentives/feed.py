"""What a commission run feeds the calculator: whose plan applies, the OrderLine facts,
the per-rep monthly targets, the grids' reps and shares (team pool) and the hire dates and
outstanding balances (draw). Reads only (services.py writes the statements).

Targets (docs/incentives.md, "Where the numbers come from"): a rep's target for a month is
the sum of their month cells (TargetLine with a user, period_kind month, period "YYYY-MM")
in the latest version of every approved or locked revenue target plan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, namedtuple
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from gridsales.incentives.calculator import SaleLine
from gridsales.incentives.models import IncentivePlanVersion, PlanAssignment


def month_bounds(period: str) -> tuple[datetime.date, datetime.date]:
    year, month = int(period[:4]), int(period[5:7])
    start = datetime.date(year, month, 1)
    nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
    return start, nxt - datetime.timedelta(days=1)


def _as_date(value) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


# The fact table is read with one lean SQL query per slice: a month can hold a million
# lines, and building model instances (or Decimals) for each would cost more than the
# whole calculation. No join: the category comes from a dict of the few products, the
# order number only for the lines clawed back (order lines show theirs from the order
# line when a statement is read). Amounts are read as whole fen (ROUND makes SQLite's
# stored REAL exact again), dates as text (parsed once per distinct day below).
Grouped = dict[tuple[int, str], list]

LINE_SQL = """
SELECT l.id, CAST(l.order_date AS TEXT), l.rep_id, l.product_id,
       CAST(ROUND(l.amount * 100) AS BIGINT),
       CAST(ROUND(l.returned_amount * 100) AS BIGINT), CAST(l.return_date AS TEXT), l.grid_id
FROM sales_orderline l
WHERE l.status != 'cancelled' AND {where}
"""


# The month's own lines, leaner still: five integers a row, the amount already net of a
# return in the same month (the only return that counts in the month: a later one is
# clawed back in its own month, from the full row read then).
PERIOD_SQL = """
SELECT l.id, l.rep_id, l.product_id,
       CAST(ROUND((l.amount - CASE WHEN l.return_date BETWEEN %s AND %s
                                   THEN l.returned_amount ELSE 0 END) * 100) AS BIGINT),
       l.grid_id
FROM sales_orderline l
WHERE l.status != 'cancelled' AND l.order_date BETWEEN %s AND %s
"""


class _Fact(namedtuple("_Fact", "ref rep product amount_fen grid")):
    """A line of the month being calculated, as the Calculator reads a SaleLine: a tuple
    (built in C from the database row) with the attributes it does not need as
    constants. `amount_fen` is net of the month's own return."""

    __slots__ = ()
    order_no = ""
    line_no = 0
    order_date = None
    cancelled = False
    returned_fen = 0
    return_date = None


def _fact_type(categories: dict[int, str]) -> type:
    return type(
        "Fact",
        (_Fact,),
        {"__slots__": (), "category": property(lambda fact: categories[fact.product])},
    )


def _fetch_period(start, end, categories: dict[int, str], into: Grouped, period: str) -> None:
    """The month's non-cancelled lines, added to `into` by (rep, period)."""
    with connection.cursor() as cursor:
        cursor.execute(PERIOD_SQL, [start, end, start, end])
        rows = cursor.fetchall()
    by_rep: dict[int, list] = {}
    for fact in map(_fact_type(categories)._make, rows):
        bucket = by_rep.get(fact.rep)
        if bucket is None:
            bucket = by_rep[fact.rep] = []
        bucket.append(fact)
    for rep, facts in by_rep.items():
        into[(rep, period)] = facts


def _categories() -> dict[int, str]:
    from gridsales.sales.models import Product

    return dict(Product.objects.values_list("pk", "category__code"))


def _fetch(where: str, params: list, categories: dict[int, str], into: Grouped) -> list[SaleLine]:
    """The non-cancelled lines matching `where`, added to `into` by (rep, month)."""
    with connection.cursor() as cursor:
        cursor.execute(LINE_SQL.format(where=where), params)
        rows = cursor.fetchall()
    days: dict = {None: None}  # dates come as text "YYYY-MM-DD": parse each day once
    for row in rows:
        for value in (row[1], row[6]):
            if value not in days:
                days[value] = _as_date(value)
    out = []
    append = out.append
    lists: dict = {}
    for pk, order_date, rep_id, product_id, amount, returned, return_date, grid_id in rows:
        line = SaleLine(
            "",
            0,
            days[order_date],
            rep_id,
            categories[product_id],
            amount,
            False,
            returned or 0,
            days[return_date],
            pk,
            grid_id,
        )
        append(line)
        key = (rep_id, order_date[:7])
        bucket = lists.get(key)
        if bucket is None:
            bucket = lists[key] = into.setdefault(key, [])
        bucket.append(line)
    return out


def _number_lines(lines: list[SaleLine], ids: set[int]) -> None:
    """Give the lines in `ids` their order number and line number (for clawback lines)."""
    from gridsales.sales.models import OrderLine

    numbers = {
        pk: (number, line_no)
        for pk, number, line_no in OrderLine.objects.filter(pk__in=ids).values_list(
            "pk", "order__number", "line_no"
        )
    }
    for ln in lines:
        if ln.ref in numbers:
            ln.order_no, ln.line_no = numbers[ln.ref]


@dataclass
class Facts:
    """The lines of a month, the earlier lines returned in it, and their months' lines:
    non-cancelled, grouped by (rep, month of the order date) for the Calculator."""

    grouped: Grouped
    reps: set[int]
    months: set[str]


def period_facts(period: str) -> Facts:
    """Every line dated in `period`, plus what clawbacks need: the earlier lines returned
    in `period` and all lines of their reps in the months those lines were sold."""
    start, end = month_bounds(period)
    categories = _categories()
    grouped: Grouped = {}
    _fetch_period(start, end, categories, grouped, period)
    returned = _fetch(
        "l.return_date BETWEEN %s AND %s AND l.order_date < %s",
        [start, end, start],
        categories,
        {},
    )
    reps = {rep for rep, _month in grouped} | {ln.rep for ln in returned}
    months = {period}
    earlier: dict[str, set[int]] = defaultdict(set)
    for ln in returned:
        earlier[f"{ln.order_date:%Y-%m}"].add(ln.rep)
    clawed = []
    for month, month_reps in sorted(earlier.items()):
        months.add(month)
        m_start, m_end = month_bounds(month)
        ids = sorted(month_reps)
        marks = ", ".join(["%s"] * len(ids))
        clawed += _fetch(
            f"l.order_date BETWEEN %s AND %s AND l.rep_id IN ({marks})",
            [m_start, m_end, *ids],
            categories,
            grouped,
        )
    if returned:
        _number_lines(clawed, {ln.ref for ln in returned})
    return Facts(grouped=grouped, reps=reps, months=months)


def grid_members(period: str) -> dict[int, dict[int, Decimal]]:
    """grid id → {rep id: share %}: the reps (account role rep) whose membership of the
    grid is in force on the last day of `period` (the team pool's members)."""
    from gridsales.accounts.choices import Role
    from gridsales.team.models import Membership

    _start, end = month_bounds(period)
    members: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = (
        Membership.objects.active(end)
        .filter(user__role=Role.REP, share_pct__gt=0)
        .order_by("valid_from", "pk")
        .values_list("grid_id", "user_id", "share_pct")
    )
    for grid_id, user_id, share in rows:
        members[grid_id][user_id] = share  # the latest membership wins
    return dict(members)


def draw_inputs(period: str) -> tuple[dict[int, datetime.date], dict[int, int]]:
    """For the draw: (rep id → hire date, for reps hired within the longest guarantee of
    any plan version; rep id → fen outstanding before `period`, from the rep's statement
    in the latest approved or paid run before it)."""
    from gridsales.incentives.choices import RunStatus
    from gridsales.incentives.models import Statement
    from gridsales.team.models import RepProfile

    longest = 0
    for definition in IncentivePlanVersion.objects.values_list("definition", flat=True):
        draw = (definition or {}).get("draw") if isinstance(definition, dict) else None
        if isinstance(draw, dict) and isinstance(draw.get("months"), int):
            longest = max(longest, draw["months"])
    hires: dict[int, datetime.date] = {}
    if longest:
        start, end = month_bounds(period)
        months = start.year * 12 + start.month - 1 - (longest - 1)
        first = datetime.date(months // 12, months % 12 + 1, 1)
        hires = dict(
            RepProfile.objects.filter(hire_date__gte=first, hire_date__lte=end).values_list(
                "user_id", "hire_date"
            )
        )
    balances: dict[int, int] = {}
    rows = (
        Statement.objects.filter(
            run__status__in=[RunStatus.APPROVED, RunStatus.PAID], run__period__lt=period
        )
        .order_by("rep_id", "-run__period")
        .values_list("rep_id", "draw_balance")
    )
    for rep_id, balance in rows:
        if rep_id not in balances:
            balances[rep_id] = int(balance * 100)
    return hires, {rep: fen for rep, fen in balances.items() if fen > 0}


def rep_targets(months: set[str]) -> dict[tuple[int, str], int]:
    """(rep id, month) → target in fen, from the approved target plans (module docstring)."""
    from gridsales.targets.choices import Metric, PlanStatus
    from gridsales.targets.models import PeriodKind, TargetLine, TargetPlan

    versions = []
    plans = TargetPlan.objects.filter(
        status__in=[PlanStatus.APPROVED, PlanStatus.LOCKED], metric=Metric.REVENUE
    )
    for plan in plans:
        version = plan.latest_version()
        if version is not None:
            versions.append(version.pk)
    targets: dict[tuple[int, str], int] = defaultdict(int)
    rows = TargetLine.objects.filter(
        version_id__in=versions,
        user__isnull=False,
        period_kind=PeriodKind.MONTH,
        period__in=sorted(months),
    ).values_list("user_id", "period", "amount")
    for user_id, period, amount in rows:
        targets[(user_id, period)] += int(amount * 100)
    return {k: v for k, v in targets.items() if v > 0}


@dataclass
class RepPlan:
    version: IncentivePlanVersion | None
    grid_id: int | None


def rep_plans(period: str, rep_ids: set[int]) -> dict[int, RepPlan]:
    """Each rep's plan version for `period` and their grid (their membership at the end of
    the month). A rep's own assignment wins over a grid's (the deepest grid first), a
    grid's over a role's."""
    from gridsales.team.models import Membership

    _start, end = month_bounds(period)
    memberships: dict[int, list[tuple[str, int]]] = defaultdict(list)
    rows = (
        Membership.objects.active(end)
        .filter(user_id__in=rep_ids)
        .order_by("user_id", "grid__path")
        .values_list("user_id", "grid__path", "grid_id")
    )
    for user_id, path, grid_id in rows:
        memberships[user_id].append((path, grid_id))
    # A rep who has left the grid since (or a run of a month before the memberships were
    # recorded) is placed by today's membership.
    missing = rep_ids - set(memberships)
    if missing:
        rows = (
            Membership.objects.active()
            .filter(user_id__in=missing)
            .order_by("user_id", "grid__path")
            .values_list("user_id", "grid__path", "grid_id")
        )
        for user_id, path, grid_id in rows:
            memberships[user_id].append((path, grid_id))
    roles = dict(get_user_model().objects.filter(pk__in=rep_ids).values_list("pk", "role"))
    assignments = list(
        PlanAssignment.objects.filter(valid_from__lte=period)
        .filter(Q(valid_to="") | Q(valid_to__gte=period))
        .select_related("plan", "grid")
    )
    by_user = {a.user_id: a for a in assignments if a.user_id}
    by_grid = sorted(
        (a for a in assignments if a.grid_id), key=lambda a: len(a.grid.path), reverse=True
    )
    by_role = {a.role: a for a in assignments if a.role}
    versions: dict[int, IncentivePlanVersion | None] = {}
    out: dict[int, RepPlan] = {}
    for rep in rep_ids:
        paths = memberships.get(rep, [])
        assignment = by_user.get(rep)
        if assignment is None:
            assignment = next(
                (a for a in by_grid if any(p.startswith(a.grid.path) for p, _g in paths)), None
            )
        if assignment is None:
            assignment = by_role.get(roles.get(rep))
        version = None
        if assignment is not None:
            if assignment.plan_id not in versions:
                versions[assignment.plan_id] = assignment.plan.version_for(period)
            version = versions[assignment.plan_id]
        out[rep] = RepPlan(version=version, grid_id=paths[0][1] if paths else None)
    return out
