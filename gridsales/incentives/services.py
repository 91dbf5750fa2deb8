"""Writes of the incentives app: plans and their versions, assignments, commission runs
(calculate → approve → pay), adjustments and disputes."""

from __future__ import annotations

import gc
import json
import re
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridsales.core.services import model_save
from gridsales.incentives.calculator import Calculator, Text, fen_str, grid_revenue_of
from gridsales.incentives.choices import DisputeStatus, LineKind, RunStatus
from gridsales.incentives.contract import InputError, parse_plan, rate_str
from gridsales.incentives.feed import (
    draw_inputs,
    grid_members,
    period_facts,
    rep_plans,
    rep_targets,
)
from gridsales.incentives.models import (
    Adjustment,
    CommissionRun,
    Dispute,
    IncentivePlan,
    IncentivePlanVersion,
    PlanAssignment,
    Statement,
    StatementLine,
)

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NO_PLAN = gettext_noop(
    "{rep} has sales in {period} but no commission plan: assign a plan and recalculate."
)
ADJUSTMENT = gettext_noop("Adjustment by {user}: {reason} ({amount}).")


def _check_month(value: str, field: str) -> None:
    if not MONTH_RE.match(value or ""):
        raise ValidationError(
            {field: _("{value} is not a month such as 2026-03.").format(value=value)}
        )


def _checked_definition(definition: dict) -> None:
    try:
        parse_plan(json.dumps(definition), file=_("the rules"))
    except (InputError, TypeError) as exc:
        messages = exc.messages(_) if isinstance(exc, InputError) else [str(exc)]
        raise ValidationError({"definition": messages}) from exc


# ---------------------------------------------------------------------------- plans


@transaction.atomic
def incentive_plan_create(
    *,
    code: str,
    name: str,
    definition: dict,
    effective_from: str,
    description: str = "",
    user=None,
) -> IncentivePlan:
    """A plan with its first version, in force from `effective_from` (YYYY-MM)."""
    plan = model_save(IncentivePlan(), code=code, name=name, description=description)
    incentive_plan_version_create(
        plan=plan, definition=definition, effective_from=effective_from, user=user
    )
    return plan


@transaction.atomic
def incentive_plan_update(*, plan: IncentivePlan, **fields) -> IncentivePlan:
    """Rename or describe a plan (its rules change only through a new version)."""
    return model_save(plan, **fields)


@transaction.atomic
def incentive_plan_version_create(
    *,
    plan: IncentivePlan,
    definition: dict,
    effective_from: str,
    effective_to: str = "",
    note: str = "",
    user=None,
) -> IncentivePlanVersion:
    """A new version of the plan's rules; the rules are checked as the calculator reads them."""
    _check_month(effective_from, "effective_from")
    if effective_to:
        _check_month(effective_to, "effective_to")
    _checked_definition(definition)
    last = plan.versions.order_by("-number").first()
    return model_save(
        IncentivePlanVersion(),
        plan=plan,
        number=(last.number + 1) if last else 1,
        definition=definition,
        effective_from=effective_from,
        effective_to=effective_to,
        note=note,
        created_by=user,
    )


@transaction.atomic
def plan_assignment_create(
    *,
    plan: IncentivePlan,
    valid_from: str,
    valid_to: str = "",
    user=None,
    role: str = "",
    grid=None,
) -> PlanAssignment:
    """Apply the plan to one rep, a role or a grid's reps for a range of months."""
    _check_month(valid_from, "valid_from")
    if valid_to:
        _check_month(valid_to, "valid_to")
    if sum(bool(x) for x in (user, role, grid)) != 1:
        raise ValidationError(_("Choose exactly one of a rep, a role or a grid."))
    return model_save(
        PlanAssignment(),
        plan=plan,
        user=user,
        role=role,
        grid=grid,
        valid_from=valid_from,
        valid_to=valid_to,
    )


# ---------------------------------------------------------------------------- runs


@transaction.atomic
def commission_run_create(*, period: str) -> CommissionRun:
    """A draft run for a month (one run per month)."""
    _check_month(period, "period")
    if CommissionRun.objects.filter(period=period).exists():
        raise ValidationError(
            {"period": _("There is already a run for {period}.").format(period=period)}
        )
    return model_save(CommissionRun(), period=period)


@contextmanager
def _without_cycle_collector():
    """A month builds a million small acyclic objects: the cyclic garbage collector would
    rescan the growing heap again and again (a third of the time). Reference counting
    still frees everything; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@transaction.atomic
def commission_run_calculate(*, run: CommissionRun) -> CommissionRun:
    """(Re)calculate every statement of the run from the order lines and targets.

    Only a draft or calculated run, and only while no dispute was raised on it.
    """
    with _without_cycle_collector():
        return _calculate(run)


def _calculate(run: CommissionRun) -> CommissionRun:
    if run.status not in (RunStatus.DRAFT, RunStatus.CALCULATED):
        raise ValidationError(_("Only a draft or calculated run can be recalculated."))
    if Dispute.objects.filter(statement__run=run).exists():
        raise ValidationError(
            _("Reps have disputed lines of this run: resolve the disputes instead.")
        )
    _delete_statements(run)
    facts = period_facts(run.period)
    targets = rep_targets(facts.months)
    members = grid_members(run.period)
    hires, balances = draw_inputs(run.period)
    reps = facts.reps | {rep for rep, month in targets if month == run.period}
    reps |= {rep for shares in members.values() for rep in shares}
    reps |= set(hires) | set(balances)
    plans = rep_plans(run.period, reps)
    names = dict(get_user_model().objects.filter(pk__in=reps).values_list("pk", "username"))
    warnings: list[dict] = []
    groups: dict[int, list[int]] = defaultdict(list)
    versions = {}
    for rep, rp in sorted(plans.items()):
        if rp.version is None:
            if rep in facts.reps:
                warnings.append(
                    {"template": NO_PLAN, "params": {"rep": names[rep], "period": run.period}}
                )
            continue
        groups[rp.version.pk].append(rep)
        versions[rp.version.pk] = rp.version
    parsed = {pk: parse_plan(json.dumps(v.definition)) for pk, v in versions.items()}
    revenue = None
    if any(plan.team_pool_rate is not None for plan in parsed.values()):
        # Every line of the grid, whoever's plan.
        revenue = grid_revenue_of(facts.grouped)
    results = []
    for version_pk, group in groups.items():
        members_of_group = set(group)
        grouped = {key: v for key, v in facts.grouped.items() if key[0] in members_of_group}
        group_targets = {k: v for k, v in targets.items() if k[0] in members_of_group}
        result = Calculator(
            parsed[version_pk],
            (),
            group_targets,
            grouped=grouped,
            line_order=attrgetter("ref"),
            memberships=members,
            grid_revenue=revenue,
            hires=hires,
            draw_balances=balances,
            rep_order=lambda rep: (names.get(rep, ""), rep),
        ).calculate(run.period, only=members_of_group)
        results += [(versions[version_pk], r) for r in result.reps.values()]
    written = _write_statements(run, results, plans, names)
    for w in (w for _v, r in results for w in r.warnings):
        warnings.append(
            {"template": w.template, "params": w.params | {"rep": names[w.params["rep"]]}}
        )
    run.warnings = warnings
    _refresh_totals(run)
    run.rep_count = len(results)
    run.line_count = written
    run.calculated_at = timezone.now()
    return model_save(run, status=RunStatus.CALCULATED)


def _delete_statements(run: CommissionRun) -> None:
    # One DELETE for the lines: the ORM would load a million of them first (disputes point
    # at lines, and a run with disputes is never recalculated).
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {StatementLine._meta.db_table} WHERE statement_id IN "
            f"(SELECT id FROM {Statement._meta.db_table} WHERE run_id = %s)",
            [run.pk],
        )
    Statement.objects.filter(run=run).delete()


def _money(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def _write_statements(run, results, plans, names) -> int:
    """Write the statements and their lines; answer how many lines."""
    # Plain tuples too (the ORM spends most of a bulk_create formatting Decimals); the
    # ids are read back by rep, in the order of `results`.
    warnings_field = Statement._meta.get_field("warnings")
    zero = Decimal("0.00")
    rows = [
        (
            run.pk,
            r.rep,
            plans[r.rep].grid_id,
            version.pk,
            _money(r.base_fen),
            None if r.target_fen is None else _money(r.target_fen),
            None if r.attainment is None else Decimal(round(r.attainment * 10000)) / 10000,
            _money(r.tier_commission_fen),
            _money(r.bonus_fen),
            _money(r.cap_adjustment_fen),
            _money(r.pool_fen),
            _money(r.clawback_fen),
            _money(r.draw_fen),
            _money(r.draw_recovery_fen),
            _money(r.draw_balance_fen),
            None if r.line_rate is None else Decimal(rate_str(r.line_rate)),
            zero,
            _money(r.total_fen),
            warnings_field.get_db_prep_save(
                [
                    {"template": w.template, "params": w.params | {"rep": names[r.rep]}}
                    for w in r.warnings
                ],
                connection,
            ),
        )
        for version, r in results
    ]
    columns = (
        "run_id, rep_id, grid_id, plan_version_id, base, target, attainment, "
        "tier_commission, bonus, cap_adjustment, pool, clawback, draw, draw_recovery, "
        "draw_balance, line_rate, adjustments, total, warnings"
    )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {Statement._meta.db_table} ({columns}) "
                f"VALUES ({', '.join(['%s'] * len(rows[0]))})",
                rows,
            )
    ids = dict(Statement.objects.filter(run=run).values_list("rep_id", "pk"))
    statement_ids = [ids[r.rep] for _version, r in results]
    grid_codes = _pool_grid_codes(results)
    params_field = StatementLine._meta.get_field("params")
    order_rows: list[tuple] = []
    other_rows: list[tuple] = []
    for pk, (_version, r) in zip(statement_ids, results, strict=True):
        # Plain tuples of integers for a million rows: the order number, date, category and
        # the sentence are read from the order line when the statement is shown.
        order_rows += [
            (pk, position, sale.ref, net, fen)
            for position, (sale, net, fen) in enumerate(r.order_lines, start=1)
        ]
        for position, ln in enumerate(r.other_lines, start=len(r.order_lines) + 1):
            params = ln.text.params
            if ln.kind == LineKind.POOL:
                params = params | {"grid": grid_codes.get(params["grid"], params["grid"])}
            other_rows.append(
                (
                    pk,
                    position,
                    ln.kind,
                    ln.ref,
                    ln.base_fen,
                    None if ln.rate is None else Decimal(rate_str(ln.rate)),
                    ln.multiplier,
                    ln.amount_fen,
                    ln.text.template,
                    params_field.get_db_prep_save(params, connection),
                )
            )
    table = StatementLine._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (statement_id, position, kind, order_line_id, base_fen, "
            f"amount_fen) VALUES (%s, %s, 'order_line', %s, %s, %s)",
            order_rows,
        )
        cursor.executemany(
            f"INSERT INTO {table} (statement_id, position, kind, order_line_id, base_fen, "
            f"rate, multiplier, amount_fen, template, params) "
            f"VALUES ({', '.join(['%s'] * 10)})",
            other_rows,
        )
    written = len(order_rows) + len(other_rows)
    adjustments = list(Adjustment.objects.filter(run=run).select_related("created_by"))
    if adjustments:
        statements = {
            s.rep_id: s
            for s in Statement.objects.filter(run=run, rep_id__in={a.rep_id for a in adjustments})
        }
        for adjustment in adjustments:
            statement = statements.get(adjustment.rep_id)
            if statement is not None:
                _add_adjustment_line(statement, adjustment)
                written += 1
    return written


def _pool_grid_codes(results) -> dict:
    from gridsales.grids.models import Grid

    ids = {
        ln.text.params["grid"]
        for _v, r in results
        for ln in r.other_lines
        if ln.kind == LineKind.POOL
    }
    return dict(Grid.objects.filter(pk__in=ids).values_list("pk", "code")) if ids else {}


def _add_adjustment_line(statement: Statement, adjustment: Adjustment) -> None:
    last = statement.lines.order_by("-position").values_list("position", flat=True).first()
    StatementLine.objects.create(
        statement=statement,
        position=(last or 0) + 1,
        kind=LineKind.ADJUSTMENT,
        amount_fen=int(adjustment.amount * 100),
        template=ADJUSTMENT,
        params={
            "user": adjustment.created_by.username if adjustment.created_by else "-",
            "reason": adjustment.reason,
            "amount": fen_str(int(adjustment.amount * 100)),
        },
    )
    statement.adjustments += adjustment.amount
    statement.total += adjustment.amount
    statement.save(update_fields=["adjustments", "total"])


def _refresh_totals(run: CommissionRun) -> None:
    totals = Statement.objects.filter(run=run).values_list("total", "base")
    run.total = sum((t for t, _b in totals), Decimal("0"))
    run.revenue = sum((b for _t, b in totals), Decimal("0"))


def _transition(run: CommissionRun, source: str, target: str, **fields) -> CommissionRun:
    if run.status != source:
        raise ValidationError(
            _("The run is {status}; only a {source} run can become {target}.").format(
                status=run.get_status_display(),
                source=RunStatus(source).label,
                target=RunStatus(target).label,
            )
        )
    return model_save(run, status=target, **fields)


@transaction.atomic
def commission_run_approve(*, run: CommissionRun, user) -> CommissionRun:
    """calculated → approved: the statements are official (adjustments still possible)."""
    return _transition(
        run, RunStatus.CALCULATED, RunStatus.APPROVED, approved_by=user, approved_at=timezone.now()
    )


@transaction.atomic
def commission_run_pay(*, run: CommissionRun, user) -> CommissionRun:
    """approved → paid: locked for good."""
    if Dispute.objects.filter(statement__run=run, status=DisputeStatus.OPEN).exists():
        raise ValidationError(_("Resolve the open disputes before marking the run paid."))
    return _transition(
        run, RunStatus.APPROVED, RunStatus.PAID, paid_by=user, paid_at=timezone.now()
    )


# ---------------------------------------------------------------------------- adjustments


@transaction.atomic
def adjustment_create(*, run: CommissionRun, rep, amount: Decimal, reason: str, user) -> Adjustment:
    """Change a rep's commission in a run by `amount`, with a reason (not once paid)."""
    if run.status == RunStatus.PAID:
        raise ValidationError(_("The run is paid: adjust in next month's run."))
    statement = Statement.objects.filter(run=run, rep=rep).first()
    if statement is None:
        raise ValidationError(
            _("{rep} has no statement in this run.").format(rep=getattr(rep, "username", rep))
        )
    adjustment = model_save(
        Adjustment(), run=run, rep=rep, amount=amount, reason=reason, created_by=user
    )
    _add_adjustment_line(statement, adjustment)
    _refresh_totals(run)
    run.line_count += 1
    model_save(run)
    return adjustment


# ---------------------------------------------------------------------------- disputes


@transaction.atomic
def dispute_open(*, line: StatementLine, user, message: str) -> Dispute:
    """A rep disputes a line of their own statement, once the run is calculated."""
    statement = line.statement
    if statement.rep_id != user.pk:
        raise PermissionDenied(_("Only the rep of a statement can dispute its lines."))
    if statement.run.status not in (RunStatus.CALCULATED, RunStatus.APPROVED):
        raise ValidationError(_("Lines can be disputed once calculated and until paid."))
    if Dispute.objects.filter(line=line, status=DisputeStatus.OPEN).exists():
        raise ValidationError(_("This line is already disputed."))
    return model_save(
        Dispute(),
        statement=statement,
        line=line,
        line_text=line.explanation[:500],
        message=message,
        raised_by=user,
    )


def _resolve(dispute: Dispute, user, **fields) -> Dispute:
    if dispute.status != DisputeStatus.OPEN:
        raise ValidationError(_("The dispute is already resolved."))
    return model_save(dispute, resolved_by=user, resolved_at=timezone.now(), **fields)


@transaction.atomic
def dispute_accept(*, dispute: Dispute, amount: Decimal, resolution: str, user) -> Dispute:
    """Accept a dispute: an adjustment of `amount` with the resolution as its reason."""
    adjustment = adjustment_create(
        run=dispute.statement.run,
        rep=dispute.statement.rep,
        amount=amount,
        reason=resolution,
        user=user,
    )
    return _resolve(
        dispute,
        user,
        status=DisputeStatus.ACCEPTED,
        resolution=resolution,
        adjustment=adjustment,
    )


@transaction.atomic
def dispute_reject(*, dispute: Dispute, resolution: str, user) -> Dispute:
    """Reject a dispute; the reason is shown to the rep."""
    if not resolution.strip():
        raise ValidationError({"resolution": _("Say why the dispute is rejected.")})
    return _resolve(dispute, user, status=DisputeStatus.REJECTED, resolution=resolution)


def warning_text(warning: dict) -> str:
    """A stored warning in the active language."""
    return Text(warning["template"], warning["params"]).render(_)
