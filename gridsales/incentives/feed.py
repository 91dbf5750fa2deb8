"""What a commission run feeds the calculator: whose plan applies, the OrderLine facts and
the per-rep monthly targets. Reads only (services.py writes the statements).

Targets (docs/incentives.md, "Where the numbers come from"): a rep's target for a month is
the sum of their month cells (TargetLine with a user, period_kind month, period "YYYY-MM")
in the latest version of every approved or locked revenue target plan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

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


# The fact table is read with SQL: a month can hold a million lines, and building model
# instances (or Decimals) for each would cost more than the whole calculation. Amounts are
# read as whole fen (ROUND makes SQLite's stored REAL exact again), dates as text (parsed
# once per distinct day below, not once per row by the driver).
LINE_SQL = """
SELECT l.id, o.number, l.line_no, CAST(l.order_date AS TEXT), l.rep_id, c.code,
       CAST(ROUND(l.amount * 100) AS INTEGER), l.status,
       CAST(ROUND(l.returned_amount * 100) AS INTEGER), CAST(l.return_date AS TEXT)
FROM sales_orderline l
JOIN sales_order o ON o.id = l.order_id
JOIN sales_product p ON p.id = l.product_id
JOIN sales_productcategory c ON c.id = p.category_id
WHERE {where}
"""


def _fetch(where: str, params: list) -> list[SaleLine]:
    with connection.cursor() as cursor:
        cursor.execute(LINE_SQL.format(where=where), params)
        rows = cursor.fetchall()
    days: dict = {None: None}  # SQLite answers dates as text: parse each day once

    def day(value):
        parsed = days.get(value, days)
        if parsed is days:
            parsed = days[value] = _as_date(value)
        return parsed

    return [
        SaleLine(
            number,
            line_no,
            day(order_date),
            rep_id,
            category,
            amount,
            status == "cancelled",
            returned or 0,
            day(return_date),
            pk,
        )
        for pk, number, line_no, order_date, rep_id, category, amount, status, returned, return_date in rows
    ]


@dataclass
class Facts:
    """The lines of a month, the earlier lines returned in it, and their months' lines."""

    lines: list[SaleLine]
    reps: set[int]
    months: set[str]


def period_facts(period: str) -> Facts:
    """Every line dated in `period`, plus what clawbacks need: the earlier lines returned
    in `period` and all lines of their reps in the months those lines were sold."""
    start, end = month_bounds(period)
    lines = _fetch("l.order_date BETWEEN %s AND %s", [start, end])
    returned = _fetch(
        "l.return_date BETWEEN %s AND %s AND l.order_date < %s AND l.status != 'cancelled'",
        [start, end, start],
    )
    reps = {ln.rep for ln in lines} | {ln.rep for ln in returned}
    months = {period}
    earlier: dict[str, set[int]] = defaultdict(set)
    for ln in returned:
        earlier[f"{ln.order_date:%Y-%m}"].add(ln.rep)
    for month, month_reps in sorted(earlier.items()):
        months.add(month)
        m_start, m_end = month_bounds(month)
        ids = sorted(month_reps)
        marks = ", ".join(["%s"] * len(ids))
        lines += _fetch(
            f"l.order_date BETWEEN %s AND %s AND l.rep_id IN ({marks})", [m_start, m_end, *ids]
        )
    return Facts(lines=lines, reps=reps, months=months)


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
