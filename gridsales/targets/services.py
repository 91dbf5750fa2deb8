"""Writes for targets: plans and their status, unit inputs, splits, re-plans, proposals,
actuals. Services load data, call the pure cores (decompose, periods), save the results.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridsales.core.services import model_save
from gridsales.grids.models import Grid
from gridsales.targets.choices import (
    PlanStatus,
    ProposalStatus,
)
from gridsales.targets.models import (
    Actual,
    TargetPlan,
    TargetProposal,
    TargetUnitInput,
)

# The version writers live in versioning.py; callers use them through services.
from gridsales.targets.versioning import (  # noqa: E402, F401
    leaf_units,
    period_plan,
    plan_end,
    plan_seasonality,
    plan_start,
    rep_shares,
    split_reps,
    target_plan_fix_month,
    target_plan_import,
    target_plan_replan,
    target_plan_split,
)

PLAN_FIELDS = (
    "code",
    "name",
    "metric",
    "year",
    "fiscal_year_start_month",
    "total",
    "currency",
    "level_methods",
    "reference_source",
    "seasonality",
    "seasonality_years",
    "week_basis",
)

# status → the statuses it may move to
TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.SUBMITTED},
    PlanStatus.SUBMITTED: {PlanStatus.APPROVED, PlanStatus.DRAFT},
    PlanStatus.APPROVED: {PlanStatus.LOCKED, PlanStatus.DRAFT},
    PlanStatus.LOCKED: set(),
}


def _validate_plan_fields(plan: TargetPlan) -> None:
    errors = {}
    methods = plan.level_methods or []
    if not isinstance(methods, list) or any(
        m not in ("equal", "reference", "weights") for m in methods
    ):
        errors["level_methods"] = _("Use equal, reference or weights for each level.")
    seasonality = plan.seasonality or []
    if seasonality and (
        not isinstance(seasonality, list)
        or len(seasonality) != 12
        or any(not isinstance(v, int | float | str) or Decimal(str(v)) < 0 for v in seasonality)
    ):
        errors["seasonality"] = _("Give 12 monthly weights of zero or more, or leave it empty.")
    if plan.total is not None and Decimal(plan.total) != Decimal(plan.total).quantize(
        Decimal("0.01")
    ):
        errors["total"] = _("At most 2 decimals.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def target_plan_create(*, created_by=None, **fields) -> TargetPlan:
    """Create a draft plan."""
    plan = TargetPlan(created_by=created_by, status=PlanStatus.DRAFT)
    for name, value in fields.items():
        if name in PLAN_FIELDS:
            setattr(plan, name, value)
    _validate_plan_fields(plan)
    return model_save(plan)


@transaction.atomic
def target_plan_update(*, plan: TargetPlan, **fields) -> TargetPlan:
    """Change a draft plan's settings; plans past draft are frozen."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be changed; return it to draft first."))
    for name, value in fields.items():
        if name in PLAN_FIELDS:
            setattr(plan, name, value)
    _validate_plan_fields(plan)
    return model_save(plan)


def _transition(plan: TargetPlan, to: str) -> TargetPlan:
    if to not in TRANSITIONS[PlanStatus(plan.status)]:
        raise ValidationError(
            _("A plan in status {status} cannot become {to}.").format(
                status=plan.get_status_display(), to=PlanStatus(to).label
            )
        )
    if to in (PlanStatus.SUBMITTED, PlanStatus.APPROVED) and not plan.versions.exists():
        raise ValidationError(_("Split the plan first: there is no version to submit."))
    return model_save(plan, status=to)


@transaction.atomic
def target_plan_submit(*, plan: TargetPlan) -> TargetPlan:
    """draft → submitted (for approval)."""
    return _transition(plan, PlanStatus.SUBMITTED)


@transaction.atomic
def target_plan_approve(*, plan: TargetPlan) -> TargetPlan:
    """submitted → approved: the numbers are official."""
    return _transition(plan, PlanStatus.APPROVED)


@transaction.atomic
def target_plan_lock(*, plan: TargetPlan) -> TargetPlan:
    """approved → locked: nothing changes any more, not even a re-plan."""
    return _transition(plan, PlanStatus.LOCKED)


@transaction.atomic
def target_plan_reopen(*, plan: TargetPlan) -> TargetPlan:
    """submitted/approved → draft, to change settings and split again."""
    return _transition(plan, PlanStatus.DRAFT)


@transaction.atomic
def target_unit_input_set(
    *,
    plan: TargetPlan,
    grid: Grid,
    lock: Decimal | None = None,
    min_amount: Decimal | None = None,
    max_amount: Decimal | None = None,
    weight: Decimal | None = None,
    reference: Decimal | None = None,
) -> TargetUnitInput | None:
    """Set (or clear, when everything is None) a grid's lock, bounds, weight, reference."""
    if plan.status != PlanStatus.DRAFT:
        raise ValidationError(_("Only a draft plan can be changed; return it to draft first."))
    values = {
        "lock": lock,
        "min_amount": min_amount,
        "max_amount": max_amount,
        "weight": weight,
        "reference": reference,
    }
    for name, value in values.items():
        if value is not None and Decimal(value) < 0:
            raise ValidationError({name: _("Must be zero or more.")})
    if min_amount is not None and max_amount is not None and min_amount > max_amount:
        raise ValidationError({"max_amount": _("The maximum is below the minimum.")})
    existing = TargetUnitInput.objects.filter(plan=plan, grid=grid).first()
    if all(v is None for v in values.values()):
        if existing is not None:
            existing.delete()
        return None
    return model_save(existing or TargetUnitInput(plan=plan, grid=grid), **values)


# ------------------------------------------------------------------------ bottom-up


@transaction.atomic
def target_proposal_submit(
    *, plan: TargetPlan, grid: Grid, amount: Decimal, note: str = "", user=None
) -> TargetProposal:
    """A grid manager proposes a year target for a grid (one proposal per plan and grid;
    submitting again replaces it)."""
    if plan.status not in (PlanStatus.DRAFT, PlanStatus.SUBMITTED):
        raise ValidationError(_("Proposals are taken while the plan is a draft or submitted."))
    proposal = TargetProposal.objects.filter(plan=plan, grid=grid).first() or TargetProposal(
        plan=plan, grid=grid
    )
    return model_save(
        proposal, amount=amount, note=note, submitted_by=user, status=ProposalStatus.SUBMITTED
    )


@transaction.atomic
def target_proposal_accept(*, proposal: TargetProposal) -> TargetProposal:
    """Reconcile by taking the proposal: it becomes the grid's lock for the next split."""
    plan = proposal.plan
    existing = TargetUnitInput.objects.filter(plan=plan, grid=proposal.grid).first()
    target_unit_input_set(
        plan=plan,
        grid=proposal.grid,
        lock=proposal.amount,
        min_amount=existing.min_amount if existing else None,
        max_amount=existing.max_amount if existing else None,
        weight=existing.weight if existing else None,
        reference=existing.reference if existing else None,
    )
    return model_save(proposal, status=ProposalStatus.ACCEPTED)


@transaction.atomic
def target_proposal_keep_top_down(*, proposal: TargetProposal) -> TargetProposal:
    """Reconcile by keeping the top-down number; the proposal stays on record."""
    return model_save(proposal, status=ProposalStatus.KEPT_TOP_DOWN)


# ------------------------------------------------------------------------ actuals


@transaction.atomic
def actuals_import(*, rows: list[dict], source: str = "import") -> int:
    """Write validated actual rows (grid, user, date, amount, metric) in one go; a summary
    audit record is written on nothing else, so the caller reports the count."""
    objects = [
        Actual(
            grid=r["grid"],
            user=r.get("user"),
            date=r["date"],
            amount=r["amount"],
            metric=r["metric"],
            source=source,
        )
        for r in rows
    ]
    Actual.objects.bulk_create(objects, batch_size=2000)
    return len(objects)
