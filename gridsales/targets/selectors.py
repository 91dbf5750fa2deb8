"""Scoped reads for targets: the matrix, cell lineage, version diff, bottom-up comparison,
attainment. Every read goes through `restrict(user, "view")`."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from gridsales.targets.models import (
    Actual,
    PeriodKind,
    TargetLine,
    TargetPlan,
    TargetPlanVersion,
    TargetProposal,
)
from gridsales.targets.periods import fiscal_months, month_key


def visible_lines(user, version: TargetPlanVersion):
    return TargetLine.objects.restrict(user, "view").filter(version=version)


@dataclass
class MatrixRow:
    grid_id: int
    grid_code: str
    grid_name: str
    depth: int
    user_id: int | None
    username: str
    year: Decimal
    cells: list[tuple[str, Decimal, int]]  # (period key, amount, line id)
    lineage: dict | None
    fixable: bool = False  # its months may be fixed by hand (set by the matrix page)


def matrix(user, version: TargetPlanVersion, kind: str = PeriodKind.MONTH) -> tuple[list, list]:
    """(period keys, rows): units the user may see × the periods of `kind`."""
    rows: dict[tuple[int, int | None], MatrixRow] = {}
    keys: dict[str, None] = {}
    lines = (
        visible_lines(user, version)
        .filter(period_kind__in=[PeriodKind.YEAR, kind])
        .select_related("grid", "user")
        .order_by("grid__path", "user__username", "period")
    )
    for line in lines:
        unit = (line.grid_id, line.user_id)
        row = rows.get(unit)
        if row is None:
            row = rows[unit] = MatrixRow(
                line.grid_id,
                line.grid.code,
                line.grid.name,
                line.grid.depth,
                line.user_id,
                line.user.get_username() if line.user_id else "",
                Decimal(0),
                [],
                None,
            )
        if line.period_kind == PeriodKind.YEAR:
            row.year = line.amount
            row.lineage = line.lineage
        else:
            keys.setdefault(line.period, None)
            row.cells.append((line.period, line.amount, line.pk))
    return list(keys), list(rows.values())


def cell_lineage(user, line: TargetLine) -> dict:
    """Why a cell is what it is: the unit's lineage plus, for a period cell, its share."""
    year_line = (
        visible_lines(user, line.version)
        .filter(grid=line.grid_id, user=line.user_id, period_kind=PeriodKind.YEAR)
        .first()
    )
    plan = line.version.plan
    result = {
        "unit": line.grid.code + (f" / {line.user.get_username()}" if line.user_id else ""),
        "period": line.period,
        "amount": str(line.amount),
        "year_amount": str(year_line.amount) if year_line else None,
        "unit_lineage": year_line.lineage if year_line else None,
        "cell_lineage": line.lineage if line.period_kind != PeriodKind.YEAR else None,
        "seasonality": line.version.parameters.get("seasonality"),
        "week_basis": plan.week_basis,
        "calendar_note": line.version.calendar_note,
    }
    return result


def version_diff(user, a: TargetPlanVersion, b: TargetPlanVersion) -> list[dict]:
    """Per unit and period (year and months), the cells that differ between two versions."""
    kinds = [PeriodKind.YEAR, PeriodKind.MONTH]

    def cells(version):
        rows = (
            visible_lines(user, version)
            .filter(period_kind__in=kinds)
            .values_list("grid__code", "user__username", "period", "amount")
        )
        return {(g, u or "", p): amt for g, u, p, amt in rows}

    old, new = cells(a), cells(b)
    out = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key, Decimal(0)), new.get(key, Decimal(0))
        if before != after:
            out.append(
                {
                    "grid": key[0],
                    "user": key[1],
                    "period": key[2],
                    "before": before,
                    "after": after,
                    "delta": after - before,
                }
            )
    return out


def bottom_up_compare(user, plan: TargetPlan) -> list[dict]:
    """Top-down (the latest version's year row) vs bottom-up proposals, with the gap."""
    version = plan.latest_version()
    top_down = {}
    if version is not None:
        top_down = dict(
            visible_lines(user, version)
            .filter(period_kind=PeriodKind.YEAR, user__isnull=True)
            .values_list("grid_id", "amount")
        )
    rows = []
    for p in (
        TargetProposal.objects.restrict(user, "view")
        .filter(plan=plan)
        .select_related("grid", "submitted_by")
    ):
        td = top_down.get(p.grid_id)
        rows.append(
            {
                "proposal": p,
                "grid": p.grid,
                "top_down": td,
                "bottom_up": p.amount,
                "gap": None if td is None else p.amount - td,
            }
        )
    return rows


def period_bounds(plan: TargetPlan, key: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a period key of the plan (year, Qn, YYYY-MM or YYYY-Www)."""
    months = fiscal_months(plan.year, plan.fiscal_year_start_month)

    def month_range(y, m):
        first = datetime.date(y, m, 1)
        last = datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)
        return first, last

    if key == str(plan.year):
        return month_range(*months[0])[0], month_range(*months[-1])[1]
    if len(key) == 2 and key[0] == "Q" and key[1] in "1234":
        i = (int(key[1]) - 1) * 3
        return month_range(*months[i])[0], month_range(*months[i + 2])[1]
    if "-W" in key:
        y, w = key.split("-W")
        start = datetime.date.fromisocalendar(int(y), int(w), 1)
        return start, start + datetime.timedelta(days=6)
    y, m = key.split("-")
    return month_range(int(y), int(m))


def run_rate(actual: Decimal, start, end, on: datetime.date) -> Decimal:
    """Forecast for the period end at the pace so far (by calendar days)."""
    if on < start:
        return Decimal(0)
    if on >= end:
        return actual
    elapsed = (on - start).days + 1
    days = (end - start).days + 1
    return (actual * days / elapsed).quantize(Decimal("0.01"))


def attainment(user, version: TargetPlanVersion, key: str, on: datetime.date) -> list[dict]:
    """Per visible unit: target, actual (to `on`), %, gap, run-rate forecast for `key`."""
    plan = version.plan
    start, end = period_bounds(plan, key)
    until = min(end, on)
    lines = (
        visible_lines(user, version)
        .filter(period=key)
        .select_related("grid", "user")
        .order_by("grid__path", "user__username")
    )
    actuals = Actual.objects.restrict(user, "view").filter(
        metric=plan.metric, date__gte=start, date__lte=until
    )
    by_grid: dict[int, Decimal] = defaultdict(Decimal)
    by_rep: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for grid_path, grid_id, user_id, total in (
        actuals.order_by()
        .values_list("grid__path", "grid_id", "user_id")
        .annotate(total=Sum("amount"))
    ):
        for ancestor in grid_path.strip("/").split("/"):
            by_grid[int(ancestor)] += total
        if user_id:
            by_rep[(grid_id, user_id)] += total
    rows = []
    for line in lines:
        actual = by_rep[(line.grid_id, line.user_id)] if line.user_id else by_grid[line.grid_id]
        target = line.amount
        rows.append(
            {
                "line": line,
                "unit": line.grid.code,
                "user": line.user.get_username() if line.user_id else "",
                "target": target,
                "actual": actual,
                "pct": (actual * 100 / target).quantize(Decimal("0.1")) if target else None,
                "gap": target - actual,
                "forecast": run_rate(actual, start, end, on),
            }
        )
    return rows


def month_keys(plan: TargetPlan) -> list[str]:
    return [month_key(y, m) for y, m in fiscal_months(plan.year, plan.fiscal_year_start_month)]
