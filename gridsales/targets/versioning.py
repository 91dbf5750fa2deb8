"""Versions of a target plan: the top-down split, the mid-year re-plan, the Excel import
and months fixed by hand. Each loads data, calls the pure cores (decompose, periods) and writes an immutable
version with all its cells (services re-exports these)."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils.translation import gettext as _

from gridsales.core.services import model_save
from gridsales.customers.models import Customer
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid
from gridsales.targets.choices import (
    PlanStatus,
    ReferenceSource,
    VersionKind,
)
from gridsales.targets.decompose import (
    SplitError,
    Unit,
    fen_str,
    from_fen,
    split_fen,
    split_tree,
    to_fen,
)
from gridsales.targets.models import (
    Actual,
    PeriodKind,
    TargetLine,
    TargetPlan,
    TargetPlanVersion,
    TargetUnitInput,
)
from gridsales.targets.periods import PeriodPlan, fiscal_months, seasonality_from_actuals
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership

# ------------------------------------------------------------------------ the split


def plan_start(plan: TargetPlan) -> datetime.date:
    return datetime.date(plan.year, plan.fiscal_year_start_month, 1)


def plan_end(plan: TargetPlan) -> datetime.date:
    y, m = fiscal_months(plan.year, plan.fiscal_year_start_month)[-1]
    return datetime.date(y + m // 12, m % 12 + 1, 1) - datetime.timedelta(days=1)


def _actual_sums_by_grid(
    plan: TargetPlan, start: datetime.date, end: datetime.date
) -> dict[int, Decimal]:
    rows = (
        Actual.objects.filter(metric=plan.metric, date__gte=start, date__lte=end)
        .order_by()
        .values("grid_id")
        .annotate(total=Sum("amount"))
    )
    return {r["grid_id"]: r["total"] for r in rows}


def _references(plan: TargetPlan, grids: list[Grid]) -> dict[int, Decimal]:
    """Reference per leaf grid from the plan's source (internal grids sum their children)."""
    leaves = [g.pk for g in grids if g.is_leaf]
    if plan.reference_source == ReferenceSource.CUSTOMER_COUNT:
        rows = (
            Customer.objects.filter(current_grid_id__in=leaves)
            .order_by()
            .values("current_grid_id")
            .annotate(n=Count("pk"))
        )
        return {r["current_grid_id"]: Decimal(r["n"]) for r in rows}
    if plan.reference_source == ReferenceSource.LAST_YEAR:
        start = datetime.date(plan.year - 1, plan.fiscal_year_start_month, 1)
        end = plan_start(plan) - datetime.timedelta(days=1)
        sums = _actual_sums_by_grid(plan, start, end)
        return {pk: sums[pk] for pk in leaves if pk in sums}
    return {}  # market potential: entered per grid as the input's reference


def plan_seasonality(plan: TargetPlan) -> list:
    """The plan's 12 monthly weights: derived from the last N years' actuals, or as set."""
    if plan.seasonality_years:
        years = range(plan.year - plan.seasonality_years, plan.year)
        first = datetime.date(years.start, plan.fiscal_year_start_month, 1)
        rows = (
            Actual.objects.filter(metric=plan.metric, date__gte=first, date__lt=plan_start(plan))
            .order_by()
            .values_list("date", "amount")
        )
        monthly: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for day, amount in rows:
            monthly[(day.year, day.month)] += amount
        return seasonality_from_actuals(
            monthly, years=years, start_month=plan.fiscal_year_start_month
        )
    return plan.seasonality or "flat"


def period_plan(plan: TargetPlan) -> PeriodPlan:
    return PeriodPlan(
        year=plan.year,
        start_month=plan.fiscal_year_start_month,
        seasonality=plan_seasonality(plan),
        week_basis=plan.week_basis,
    )


def _split_error(exc: SplitError) -> ValidationError:
    return ValidationError(exc.messages(_))


def _cells_for(grid_id, user_id, year_fen, periods, lineage) -> list[tuple]:
    """One unit's cells as (grid, user, period kind, period, fen, lineage) tuples."""
    cells = [(grid_id, user_id, PeriodKind.YEAR, str(periods.year), year_fen, lineage)]
    for kind, values in (
        (PeriodKind.QUARTER, periods.quarters),
        (PeriodKind.MONTH, periods.months),
        (PeriodKind.WEEK, periods.weeks),
    ):
        cells += [(grid_id, user_id, kind, key, fen, None) for key, fen in values.items()]
    return cells


def _write_cells(version: TargetPlanVersion, cells: list[tuple]) -> None:
    """Insert a version's cells with one prepared statement (executemany): a plan of
    10,000 grids has ~700,000 cells, too many for model instances and bulk_create."""
    table = TargetLine._meta.db_table
    columns = ["version_id", "grid_id", "user_id", "period_kind", "period", "amount", "lineage"]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(table), ", ".join(qn(c) for c in columns), ", ".join(["%s"] * len(columns))
    )
    vid = version.pk
    # PostgreSQL gets an exact Decimal. SQLite stores a decimal column as REAL anyway (what
    # Django writes is converted by the column's NUMERIC affinity) and Django reads it back
    # quantized to 2 places, so the float fen / 100 — the double nearest the exact amount,
    # exact to the fen below 10^13 yuan — is the same row, written ~25 % faster.
    if connection.vendor == "sqlite":
        money = lambda fen: fen / 100  # noqa: E731
    else:
        money = lambda fen: Decimal(fen).scaleb(-2)  # noqa: E731
    lineage_field = TargetLine._meta.get_field("lineage")
    rows = (
        (
            vid,
            grid_id,
            user_id,
            str(kind),
            period,
            money(fen),
            None if lineage is None else lineage_field.get_db_prep_save(lineage, connection),
        )
        for grid_id, user_id, kind, period, fen, lineage in cells
    )
    if connection.vendor == "postgresql":
        _copy_cells(table, columns, rows)
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # A bigger page cache for the duration: the indexes of ~700,000 new rows
            # otherwise thrash SQLite's default 2 MB cache.
            cursor.execute("PRAGMA cache_size")
            (cache_size,) = cursor.fetchone()
            cursor.execute("PRAGMA cache_size = -262144")
        try:
            while batch := list(itertools.islice(rows, 20000)):
                cursor.executemany(sql, batch)
        finally:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA cache_size = {int(cache_size)}")


def _copy_cells(table: str, columns: list[str], rows) -> None:
    """PostgreSQL: COPY … FROM STDIN, several times faster than executemany."""
    qn = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(qn(table), ", ".join(qn(c) for c in columns))
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def rep_shares(plan: TargetPlan, grid_ids: Iterable[int], on: datetime.date) -> dict[int, list]:
    """Members (role member, share > 0) of each grid on `on`: grid id → [(user id, share %)]."""
    rows = (
        Membership.objects.active(on)
        .filter(grid_id__in=list(grid_ids), role=MembershipRole.MEMBER, share_pct__gt=0)
        .order_by("grid_id", "user__username")
        .values_list("grid_id", "user_id", "share_pct")
    )
    shares: dict[int, list] = defaultdict(list)
    for grid_id, user_id, pct in rows:
        shares[grid_id].append((user_id, pct))
    return shares


def split_reps(grid_fen: int, shares: list) -> list[tuple[int, int, int]]:
    """(user id, fen, rounding fen) per member: the grid's amount × share %, by largest
    remainder together with the unassigned rest (shares under 100 % leave it at the grid)."""
    basis = [int(pct * 100) for _user, pct in shares]
    rest = max(0, 10000 - sum(basis))
    parts, bumps = split_fen(grid_fen, [*basis, rest])
    return [(user, parts[i], bumps[i]) for i, (user, _pct) in enumerate(shares)]


def _next_number(plan: TargetPlan) -> int:
    return (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1


def _new_version(plan, kind, *, total, note, periods, user) -> TargetPlanVersion:
    """An unsaved version of `plan`, numbered next, with the calendar note of `periods`."""
    return TargetPlanVersion(
        plan=plan,
        number=_next_number(plan),
        kind=kind,
        note=note,
        total=total,
        calendar_note=periods.calendar_note or "",
        created_by=user,
    )


@transaction.atomic
def target_plan_split(
    *, plan: TargetPlan, user=None, note: str = "", members_on: datetime.date | None = None
) -> TargetPlanVersion:
    """Split the plan's total down the active grid tree and over the periods; reps get their
    grid's amount × membership share (members on the plan's first day, or `members_on`).
    The result is a new version; nothing is saved when the split is impossible."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be split; return it to draft first."))
    grids = list(
        Grid.objects.filter(status=GridStatus.ACTIVE)
        .order_by("path")
        .only("pk", "code", "parent_id", "is_leaf", "path")
    )
    if not grids:
        raise ValidationError(_("There are no active grids to split into."))
    code_of = {g.pk: g.code for g in grids}
    refs = _references(plan, grids)
    inputs = {
        row["grid_id"]: row
        for row in TargetUnitInput.objects.filter(plan=plan).values(
            "grid_id", "lock", "min_amount", "max_amount", "weight", "reference"
        )
    }
    units = []
    for g in grids:
        i = inputs.get(g.pk, {})
        reference = refs.get(g.pk)
        if i.get("reference") is not None:
            reference = i["reference"]
        units.append(
            Unit(
                code=g.code,
                # A grid whose parent is retired hangs from the top.
                parent=code_of.get(g.parent_id),
                reference=reference,
                weight=i.get("weight"),
                lock=i.get("lock"),
                min=i.get("min_amount"),
                max=i.get("max_amount"),
            )
        )
    try:
        split = split_tree(total=plan.total, units=units, method=plan.methods())
        periods = period_plan(plan)
    except SplitError as exc:
        raise _split_error(exc) from exc
    on = members_on or plan_start(plan)
    version = _new_version(
        plan, VersionKind.SPLIT, total=plan.total, note=note, periods=periods, user=user
    )
    lines: list[tuple] = []
    shares = rep_shares(plan, (g.pk for g in grids), on)
    for g in grids:
        fen = split.amounts[g.code]
        lineage = split.lineage[g.code].as_dict()
        lineage["reference_source"] = plan.reference_source
        lines += _cells_for(g.pk, None, fen, periods.split(fen), lineage)
        for user_id, rep_fen, bump in split_reps(fen, shares.get(g.pk, [])):
            pct = dict(shares[g.pk])[user_id]
            rep_lineage = {
                "parent": g.code,
                "parent_amount": fen_str(fen),
                "method": "share",
                "share_pct": str(pct),
                "members_on": on.isoformat(),
                "rounding_fen": bump,
            }
            lines += _cells_for(g.pk, user_id, rep_fen, periods.split(rep_fen), rep_lineage)
    version.parameters = {
        "methods": plan.methods(),
        "reference_source": plan.reference_source,
        "seasonality": [str(w) for w in periods.month_weights],
        "week_basis": plan.week_basis,
        "members_on": on.isoformat(),
        "units": len(grids),
        "rows": len(lines),
    }
    # The version's own audit record (a create) is the summary of its rows.
    model_save(version)
    _write_cells(version, lines)
    return version


# ------------------------------------------------------------------------ re-plan


def _unit_actuals(plan, grids, start, end) -> tuple[dict[int, int], dict[tuple[int, int], int]]:
    """Actual fen to date per grid (its whole subtree) and per (grid, rep)."""
    by_grid = _actual_sums_by_grid(plan, start, end)
    path_of = {g.pk: g.path for g in grids}
    subtree: dict[int, int] = defaultdict(int)
    for grid_id, amount in by_grid.items():
        path = path_of.get(grid_id)
        if path is None:
            continue
        for ancestor in path.strip("/").split("/"):
            subtree[int(ancestor)] += to_fen(Decimal(amount).quantize(Decimal("0.01")))
    rep_rows = (
        Actual.objects.filter(
            metric=plan.metric, date__gte=start, date__lte=end, user__isnull=False
        )
        .order_by()
        .values("grid_id", "user_id")
        .annotate(total=Sum("amount"))
    )
    reps = {
        (r["grid_id"], r["user_id"]): to_fen(Decimal(r["total"]).quantize(Decimal("0.01")))
        for r in rep_rows
    }
    return subtree, reps


@transaction.atomic
def target_plan_replan(
    *, plan: TargetPlan, as_of: datetime.date, user=None, note: str = ""
) -> TargetPlanVersion:
    """Mid-year re-plan from the latest version: months before `as_of`'s month keep their
    targets; each unit's later months share max(0, year target − actual to date) by the
    remaining months' seasonality. The result is a new version."""
    if plan.status == PlanStatus.LOCKED:
        raise ValidationError(_("A locked plan cannot be re-planned."))
    base = plan.latest_version()
    if base is None:
        raise ValidationError(_("Split the plan first: there is no version to re-plan."))
    periods = period_plan(plan)
    cutoff = datetime.date(as_of.year, as_of.month, 1)
    first_future = sum(1 for y, m in periods.months if datetime.date(y, m, 1) < cutoff)
    if first_future == 0 or first_future == 12:
        raise ValidationError(
            _(
                "Re-plan between the second and the last month of the plan year ({start} to {end})."
            ).format(start=plan_start(plan).isoformat(), end=plan_end(plan).isoformat())
        )
    grids = list(
        Grid.objects.filter(pk__in=base.lines.values("grid_id")).only("pk", "parent_id", "path")
    )
    ids = {g.pk for g in grids}
    top = {g.pk for g in grids if g.parent_id not in ids}
    grid_actuals, rep_actuals = _unit_actuals(
        plan, grids, plan_start(plan), cutoff - datetime.timedelta(days=1)
    )
    cells: dict[tuple[int, int | None], dict[str, int]] = defaultdict(dict)
    base_lineage: dict[tuple[int, int | None], dict] = {}
    for grid_id, user_id, kind, period, amount, lineage in base.lines.filter(
        period_kind__in=[PeriodKind.YEAR, PeriodKind.MONTH]
    ).values_list("grid_id", "user_id", "period_kind", "period", "amount", "lineage"):
        cells[(grid_id, user_id)][period] = to_fen(amount)
        if kind == PeriodKind.YEAR:
            base_lineage[(grid_id, user_id)] = lineage
    version = _new_version(
        plan, VersionKind.REPLAN, total=Decimal(0), note=note, periods=periods, user=user
    )
    weights = periods.remaining_weights(first_future)
    lines: list[tuple] = []
    total = 0
    for (grid_id, user_id), values in cells.items():
        year_target = values.get(str(plan.year), 0)
        past = [values.get(k, 0) for k in periods.month_keys[:first_future]]
        actual = rep_actuals.get((grid_id, user_id), 0) if user_id else grid_actuals.get(grid_id, 0)
        remaining = max(0, year_target - actual)
        future, _bumps = split_fen(remaining, weights)
        split = periods.from_months([*past, *future])
        new_year = sum(past) + remaining
        if user_id is None and grid_id in top:
            total += new_year
        lineage = {
            "method": "replan",
            "as_of": as_of.isoformat(),
            "year_target": fen_str(year_target),
            "actual_to_date": fen_str(actual),
            "past_months": fen_str(sum(past)),
            "remaining": fen_str(remaining),
            "base_version": base.number,
            "base": base_lineage.get((grid_id, user_id)),
        }
        lines += _cells_for(grid_id, user_id, new_year, split, lineage)
    version.total = from_fen(total)
    version.parameters = {
        "as_of": as_of.isoformat(),
        "base_version": base.number,
        "rows": len(lines),
    }
    model_save(version)
    _write_cells(version, lines)
    return version


@transaction.atomic
def target_plan_import(*, plan: TargetPlan, rows: list[dict], user=None, note: str = ""):
    """A new version from validated unit rows {grid, user, year, months[12]}: quarters and
    weeks are derived from the months (weeks by the plan's week basis)."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be imported into; return it to draft."))
    if not rows:
        raise ValidationError(_("The file has no rows."))
    periods = period_plan(plan)
    version = _new_version(
        plan, VersionKind.IMPORT, total=Decimal(0), note=note, periods=periods, user=user
    )
    lines: list[tuple] = []
    grid_ids = {r["grid"].pk for r in rows if r["user"] is None}
    parents = dict(Grid.objects.filter(pk__in=grid_ids).values_list("pk", "parent_id"))
    total = 0
    for r in rows:
        months = [to_fen(m) for m in r["months"]]
        year = sum(months)
        if r["user"] is None and parents.get(r["grid"].pk) not in grid_ids:
            total += year
        lineage = {"method": "import", "note": note}
        lines += _cells_for(
            r["grid"].pk,
            r["user"].pk if r["user"] else None,
            year,
            periods.from_months(months),
            lineage,
        )
    version.total = from_fen(total)
    version.parameters = {"rows": len(lines), "units": len(rows)}
    model_save(version)
    _write_cells(version, lines)
    return version


# ------------------------------------------------------------------------ months by hand


def leaf_units(version: TargetPlanVersion) -> set[tuple[int, int | None]]:
    """The (grid, rep) units of a version whose months may be fixed by hand: every rep row,
    and every grid row without sub-grid rows or rep rows. (A unit's months derive from its
    own year amount, so a parent's months are never pushed down to its children.)"""
    rows = version.lines.filter(period_kind=PeriodKind.YEAR).values_list(
        "grid_id", "user_id", "grid__parent_id"
    )
    units, parents, with_reps = set(), set(), set()
    for grid_id, user_id, parent_id in rows:
        units.add((grid_id, user_id))
        parents.add(parent_id)
        if user_id is not None:
            with_reps.add(grid_id)
    return {(g, u) for g, u in units if u is not None or (g not in parents and g not in with_reps)}


@transaction.atomic
def target_plan_fix_month(
    *,
    plan: TargetPlan,
    grid: Grid,
    month: str,
    amount: Decimal,
    rep=None,
    user=None,
    note: str = "",
) -> TargetPlanVersion:
    """Fix one month of a leaf unit (a rep, or a grid without sub-grids or reps) by hand in
    a draft plan: the month keeps `amount`, the unit's months fixed before keep theirs, and
    its other months share the rest of its (unchanged) year by their seasonality weights;
    quarters and weeks follow. Every other unit is copied. The result is a new version."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be changed; return it to draft first."))
    base = plan.latest_version()
    if base is None:
        raise ValidationError(_("Split the plan first: there is no version to change."))
    unit = grid.code + (f"/{rep.get_username()}" if rep is not None else "")
    key = (grid.pk, rep.pk if rep is not None else None)
    amount = Decimal(amount)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("At most 2 decimals.")})
    periods = period_plan(plan)
    years: dict[tuple[int, int | None], int] = {}
    year_lineage: dict[tuple[int, int | None], dict | None] = {}
    months: dict[tuple[int, int | None], dict[str, int]] = defaultdict(dict)
    month_lineage: dict[tuple[int, int | None], dict[str, dict]] = defaultdict(dict)
    for grid_id, user_id, kind, period, value, lineage in base.lines.filter(
        period_kind__in=[PeriodKind.YEAR, PeriodKind.MONTH]
    ).values_list("grid_id", "user_id", "period_kind", "period", "amount", "lineage"):
        if kind == PeriodKind.YEAR:
            years[(grid_id, user_id)] = to_fen(value)
            year_lineage[(grid_id, user_id)] = lineage
        else:
            months[(grid_id, user_id)][period] = to_fen(value)
            if lineage:
                month_lineage[(grid_id, user_id)][period] = lineage
    if key not in years:
        raise ValidationError(
            _("{unit} has no row in version {number}.").format(unit=unit, number=base.number)
        )
    if key not in leaf_units(base):
        raise ValidationError(
            _(
                "Months can be fixed by hand only on a rep or a grid without sub-grids or reps:"
                " {unit} has them. Fix the months of those instead."
            ).format(unit=unit)
        )
    fixed = {
        period: months[key].get(period, 0)
        for period, lineage in month_lineage[key].items()
        if lineage.get("method") == "fixed"
    }
    fixed[month] = to_fen(amount)
    try:
        new_months = periods.fix_months(years[key], fixed, unit=unit)
    except SplitError as exc:
        raise _split_error(exc) from exc
    by = user.get_username() if user is not None else ""
    month_lineage[key] = {
        period: (
            {"method": "fixed", "amount": fen_str(fen), "by": by, "version": _next_number(plan)}
            if period == month
            else month_lineage[key][period]
        )
        for period, fen in fixed.items()
    }
    lineage = dict(year_lineage[key] or {})
    lineage["fixed_months"] = {p: fen_str(fixed[p]) for p in periods.month_keys if p in fixed}
    year_lineage[key] = lineage
    version = _new_version(
        plan, VersionKind.MANUAL, total=base.total, note=note, periods=periods, user=user
    )
    lines: list[tuple] = []
    for unit_key, year_fen in years.items():
        if unit_key == key:
            parts = new_months
        elif months.get(unit_key):
            parts = [months[unit_key].get(p, 0) for p in periods.month_keys]
        else:  # a version without month rows: the months by seasonality
            parts = list(periods.split(year_fen).months.values())
        cells = _cells_for(
            unit_key[0],
            unit_key[1],
            year_fen,
            periods.from_months(parts),
            year_lineage.get(unit_key),
        )
        own = month_lineage.get(unit_key)
        if own:
            cells = [
                (*c[:5], own[c[3]]) if c[2] == PeriodKind.MONTH and c[3] in own else c
                for c in cells
            ]
        lines += cells
    version.parameters = {
        **{k: v for k, v in (base.parameters or {}).items() if k != "rows"},
        "base_version": base.number,
        "fixed": {"unit": unit, "month": month, "amount": fen_str(to_fen(amount))},
        "rows": len(lines),
    }
    model_save(version)
    _write_cells(version, lines)
    return version
