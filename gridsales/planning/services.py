"""Writes for planning scenarios: create, run (a background task), move a unit by hand,
approve, schedule and apply (planning.apply), stop, delete."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from decimal import Decimal

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.accounts.choices import Role
from gridsales.core.audit import record
from gridsales.core.models import ChangeAction
from gridsales.core.scope import scope_for
from gridsales.core.services import model_save
from gridsales.grids.models import Grid
from gridsales.planning.choices import ACTIVITIES, ScenarioStatus, UnitSource
from gridsales.planning.districting import evaluate, solve
from gridsales.planning.errors import DistrictingError
from gridsales.planning.headcount import recommended_territories
from gridsales.planning.models import Scenario
from gridsales.planning.units import build_units, fill_unassigned, instance_for

logger = logging.getLogger(__name__)

EDITABLE = (
    "name",
    "unit_source",
    "resolution",
    "territories",
    "tolerance",
    "balance",
    "time_limit",
    "disruption_weight",
    "seed",
)
RUNNABLE = (
    ScenarioStatus.DRAFT,
    ScenarioStatus.DONE,
    ScenarioStatus.STOPPED,
    ScenarioStatus.FAILED,
)
PROGRESS_EVERY = 1.0  # seconds between progress writes (and stop checks) of a run
STALE_AFTER = 120  # seconds without a progress write after which a run counts as dead


def _plain(value):
    """JSON-safe copy (numpy numbers and booleans to Python ones)."""
    return json.loads(
        json.dumps(value, default=lambda o: o.item() if hasattr(o, "item") else str(o))
    )


def _check_balance(balance) -> list[str]:
    if not isinstance(balance, list) or not balance:
        raise ValidationError({"balance": _("Choose at least one activity to balance.")})
    unknown = [a for a in balance if a not in ACTIVITIES]
    if unknown:
        raise ValidationError(
            {
                "balance": _("Unknown activity “{name}”: choose from {names}.").format(
                    name=unknown[0], names=", ".join(ACTIVITIES)
                )
            }
        )
    return [a for a in ACTIVITIES if a in balance]


def ensure_may_approve(user) -> None:
    """Approving and applying a redesign is for directors and administrators."""
    if scope_for(user).role not in (Role.ADMIN, Role.DIRECTOR):
        raise PermissionDenied(_("Only a sales director or an administrator can do this."))


@transaction.atomic
def scenario_create(*, parent: Grid, name: str, user=None, **fields) -> Scenario:
    """A draft scenario for `parent`; without `territories`, the recommended headcount of
    its subtree (planning.headcount.recommended_territories)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    scenario = Scenario(parent=parent, name=name, created_by=user)
    for key, value in fields.items():
        setattr(scenario, key, value)
    scenario.balance = _check_balance(scenario.balance)
    if scenario.territories is None:
        scenario.territories = recommended_territories(grid=parent)
    if scenario.unit_source == UnitSource.H3 and not parent.geometry:
        raise ValidationError(
            {
                "unit_source": _(
                    "Grid “{code}” has no boundary: H3 units need one (or use its child grids as units)."
                ).format(code=parent.code)
            }
        )
    return model_save(scenario)


@transaction.atomic
def scenario_update(*, scenario: Scenario, **fields) -> Scenario:
    """Change the settings of a scenario that is not running, approved or applied; the
    proposed plan is kept until the next run."""
    if scenario.status not in RUNNABLE:
        raise ValidationError(
            _("A scenario that is {status} cannot be changed.").format(
                status=scenario.get_status_display()
            )
        )
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if "balance" in fields:
        fields["balance"] = _check_balance(fields["balance"])
    if "territories" in fields and fields["territories"] is None:
        fields["territories"] = recommended_territories(grid=scenario.parent)
    return model_save(scenario, **fields)


@transaction.atomic
def scenario_run(*, scenario: Scenario) -> Scenario:
    """Queue a run of the optimiser (tasks.scenario_run_task); the page polls its progress."""
    from gridsales.planning.tasks import scenario_run_task

    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if scenario.status not in RUNNABLE:
        raise ValidationError(
            _("A scenario that is {status} cannot be run.").format(
                status=scenario.get_status_display()
            )
        )
    model_save(scenario, status=ScenarioStatus.QUEUED)
    _set(scenario.pk, progress=0, message=_("Waiting for a worker…"), stop_requested=False)
    scenario_run_task.enqueue(scenario.pk)
    scenario.refresh_from_db()
    return scenario


@transaction.atomic
def scenario_stop(*, scenario: Scenario) -> Scenario:
    """Stop a scenario: a queued one at once; a running one at its next progress check,
    keeping the best plan found so far; a run whose worker has not reported for
    STALE_AFTER seconds (a worker that died) is marked failed."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    if not scenario.is_running:
        raise ValidationError(_("The scenario is not running."))
    if scenario.status == ScenarioStatus.QUEUED:
        _set(scenario.pk, status=ScenarioStatus.STOPPED, message=_("Stopped before it started."))
    elif timezone.now() - scenario.updated_at > dt.timedelta(seconds=STALE_AFTER):
        _set(
            scenario.pk,
            status=ScenarioStatus.FAILED,
            message=_("The worker stopped reporting; run the scenario again."),
        )
    else:
        _set(scenario.pk, stop_requested=True, message=_("Stopping…"))
    scenario.refresh_from_db()
    return scenario


def _set(pk: int, **fields) -> None:
    """Run-time fields, written without the audit log (updated_at: the worker is alive)."""
    Scenario.objects.filter(pk=pk).update(updated_at=timezone.now(), **fields)


def scenario_execute(scenario_id: int) -> None:
    """The background run: build the units, solve, store the plan and both reports.

    Progress (%) and a message are written at most every PROGRESS_EVERY seconds; a stop
    request ends the search with the best plan so far (status "stopped")."""
    scenario = Scenario.objects.filter(pk=scenario_id).select_related("parent").first()
    if scenario is None or scenario.status != ScenarioStatus.QUEUED:
        return
    if scenario.stop_requested:
        _set(scenario.pk, status=ScenarioStatus.STOPPED, message=_("Stopped before it started."))
        return
    _set(scenario.pk, status=ScenarioStatus.RUNNING, progress=1, message=_("Building the units…"))
    try:
        built = build_units(
            parent=scenario.parent, source=scenario.unit_source, resolution=scenario.resolution
        )
        p = scenario.territories
        inst = instance_for(built.units, built.edges, scenario.balance)
        tau = float(scenario.tolerance)
        current = np.array(built.current)
        # Today's grids beyond p cannot be territories: their units start unassigned.
        start_plan = np.where(current < p, current, -1) if (current >= 0).any() else None
        last = [0.0]

        def progress(info: dict) -> bool:
            now = time.monotonic()
            if now - last[0] < PROGRESS_EVERY and info["phase"] != "start":
                return False
            last[0] = now
            state = (
                _("balanced within τ")
                if info["feasible"]
                else _("imbalance {value:.3f}").format(value=info["imbalance"])
            )
            _set(
                scenario.pk,
                progress=max(2, min(99, int(info["fraction"] * 100))),
                message=_("Searching: best plan {state}, largest diameter {km:.2f} km.").format(
                    state=state, km=info["max_diameter"]
                ),
            )
            return Scenario.objects.filter(pk=scenario.pk, stop_requested=True).exists()

        _set(scenario.pk, progress=2, message=_("Searching…"))
        result = solve(
            inst,
            p,
            tau,
            time_limit=float(scenario.time_limit),
            seed=scenario.seed,
            current=start_plan,
            disruption_weight=scenario.disruption_weight,
            max_iterations=scenario.max_iterations,
            progress=progress,
        )
    except DistrictingError as exc:
        _set(scenario.pk, status=ScenarioStatus.FAILED, progress=0, message=exc.message(_)[:200])
        return
    except ValidationError as exc:
        _set(
            scenario.pk,
            status=ScenarioStatus.FAILED,
            progress=0,
            message=" ".join(exc.messages)[:200],
        )
        return
    except Exception:
        logger.exception("planning scenario %s failed", scenario.pk)
        _set(
            scenario.pk,
            status=ScenarioStatus.FAILED,
            progress=0,
            message=_("The run failed with an internal error; see the server log."),
        )
        return
    stopped = Scenario.objects.filter(pk=scenario.pk, stop_requested=True).exists()
    assignment = [int(t) for t in result.assign]
    report, current_report = reports(
        built.units, built.edges, built.current, assignment, p, tau, scenario.balance
    )
    status = ScenarioStatus.STOPPED if stopped else ScenarioStatus.DONE
    _set(
        scenario.pk,
        units=built.units,
        edges=built.edges,
        current=built.current,
        current_grids=built.current_grids,
        assignment=assignment,
        report=report,
        current_report=current_report,
        run_seconds=round(result.seconds, 2),
        manual_moves=0,
        status=status,
        progress=100,
        message=_("Stopped: the best plan found so far is shown.")
        if stopped
        else _("Done in {seconds:.1f} s.").format(seconds=result.seconds),
    )
    scenario.refresh_from_db()
    record(
        scenario, ChangeAction.UPDATE, None, {"run": status, "seconds": round(result.seconds, 2)}
    )


def reports(units, edges, current, assignment, p, tau, balance) -> tuple[dict, dict]:
    """districting.evaluate of the proposed plan (every activity, not only the balanced
    ones) with the customers moved, and of today's plan over today's grids."""
    everything = instance_for(units, edges, list(ACTIVITIES))
    current_arr = np.array(current)
    report = evaluate(everything, assignment, p, tau, current=current_arr)
    _balance_summary(report, balance, tau)
    report["loads"] = _loads(units, assignment, p)
    current_report: dict = {}
    k = max(current) + 1 if current and max(current) >= 0 else 0
    if k:
        filled = fill_unassigned(current, edges)
        current_report = evaluate(everything, filled, k, tau)
        _balance_summary(current_report, balance, tau)
        current_report["loads"] = _loads(units, filled, k)
    return _plain(report), _plain(current_report)


def _balance_summary(report: dict, balance: list[str], tau: float) -> None:
    """The balanced activities, whether all are within τ, and their largest deviation
    (`max_deviation` covers every activity, balanced or not)."""
    deviations = [abs(t["deviation"][a]) for t in report["territories"] for a in balance]
    report["balance"] = list(balance)
    report["balance_deviation"] = max(deviations, default=0.0)
    report["balanced_on"] = report["balance_deviation"] <= tau + 1e-9


def _loads(units, assignment, p) -> list[dict]:
    loads = [{a: 0.0 for a in ACTIVITIES} for _t in range(p)]
    for u, t in zip(units, assignment, strict=True):
        for a in ACTIVITIES:
            loads[t][a] += float(u[a])
    return [{a: round(v, 2) for a, v in row.items()} for row in loads]


def _editable_plan(scenario: Scenario) -> None:
    if (
        scenario.status not in (ScenarioStatus.DONE, ScenarioStatus.STOPPED)
        or not scenario.assignment
    ):
        raise ValidationError(
            _("Only a finished run that is not approved yet can be changed by hand.")
        )


@transaction.atomic
def scenario_move_unit(*, scenario: Scenario, unit: str, territory: int) -> Scenario:
    """Move one unit to another territory by hand and recompute the reports."""
    scenario = Scenario.objects.select_for_update().get(pk=scenario.pk)
    _editable_plan(scenario)
    index = {u["id"]: i for i, u in enumerate(scenario.units)}
    if unit not in index:
        raise ValidationError({"unit": _("Unknown unit “{unit}”.").format(unit=unit)})
    p = scenario.territories
    if not isinstance(territory, int) or not 0 <= territory < p:
        raise ValidationError(
            {
                "territory": _("Territory {territory} does not exist: choose 1 to {p}.").format(
                    territory=territory + 1 if isinstance(territory, int) else territory, p=p
                )
            }
        )
    i = index[unit]
    before = scenario.assignment[i]
    if before == territory:
        return scenario
    assignment = list(scenario.assignment)
    assignment[i] = territory
    report, current_report = reports(
        scenario.units,
        scenario.edges,
        scenario.current,
        assignment,
        p,
        float(scenario.tolerance),
        scenario.balance,
    )
    scenario.assignment = assignment
    scenario.report = report
    scenario.current_report = current_report
    scenario.manual_moves += 1
    scenario.save(
        update_fields=["assignment", "report", "current_report", "manual_moves", "updated_at"]
    )
    record(
        scenario,
        ChangeAction.UPDATE,
        {"unit": unit, "territory": before + 1},
        {"unit": unit, "territory": territory + 1},
    )
    return scenario


@transaction.atomic
def scenario_approve(*, scenario: Scenario, user) -> Scenario:
    """Approve a finished plan (directors, administrators): every territory contiguous and
    none empty. Balance beyond τ is shown, not refused: the approver decides."""
    ensure_may_approve(user)
    _editable_plan(scenario)
    if not scenario.report.get("contiguous") or scenario.report.get("empty_territories"):
        raise ValidationError(
            _(
                "The plan has a territory in pieces or without units: run again or move units by hand."
            )
        )
    return model_save(
        scenario, status=ScenarioStatus.APPROVED, approved_by=user, approved_at=timezone.now()
    )


@transaction.atomic
def scenario_reopen(*, scenario: Scenario, user) -> Scenario:
    """Withdraw an approval (or a schedule that has not been applied)."""
    ensure_may_approve(user)
    if scenario.status not in (ScenarioStatus.APPROVED, ScenarioStatus.SCHEDULED):
        raise ValidationError(_("Only an approved or scheduled scenario can be reopened."))
    return model_save(
        scenario,
        status=ScenarioStatus.DONE,
        approved_by=None,
        approved_at=None,
        effective_from=None,
    )


@transaction.atomic
def scenario_delete(*, scenario: Scenario) -> None:
    """Delete a scenario that was never applied (an applied one is the redesign's record)."""
    if scenario.status in (ScenarioStatus.APPLIED, ScenarioStatus.SCHEDULED) or scenario.is_running:
        raise ValidationError(
            _("A scenario that is {status} cannot be deleted.").format(
                status=scenario.get_status_display()
            )
        )
    scenario.delete()


def first_of_next_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def tolerance_percent(value: Decimal) -> str:
    return f"{value * 100:.1f}%"
