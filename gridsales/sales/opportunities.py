"""Writes for opportunities (deals): create, update, move between stages, delete.

A deal's `state` is always its stage's kind and `closed_on` the day it was won or lost;
every stage a deal enters writes one OpportunityStageChange (from, to, when, who), the
first one with no `from_stage`. Conversion and cycle figures are read from those rows
(gridsales.sales.pipeline_selectors).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.core.services import model_save
from gridsales.customers.models import Customer
from gridsales.customers.selectors import grids_on
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage
from gridsales.sales.pipelines import default_pipeline

# What opportunity_update changes; the stage only moves through opportunity_move.
OPPORTUNITY_FIELDS = (
    "name",
    "customer",
    "owner",
    "amount",
    "expected_close",
    "source",
    "competitor",
    "description",
    "loss_reason",
)


def _grid_id_at(customer: Customer, created_at: dt.datetime | None) -> int | None:
    """The customer's grid when the deal was created: its current grid, or for a deal
    created in the past (imports, the demo) its grid on that day."""
    if created_at is None:
        return customer.current_grid_id
    day = timezone.localtime(created_at).date()
    return grids_on([(customer.pk, day)])[(customer.pk, day)]


def _entry_stage(pipeline: Pipeline | None, stage: Stage | None) -> tuple[Pipeline, Stage]:
    if stage is not None:
        if pipeline is not None and stage.pipeline_id != pipeline.pk:
            raise ValidationError({"stage": _wrong_pipeline(stage, pipeline)})
        return stage.pipeline, stage
    pipeline = pipeline or default_pipeline()
    if pipeline is None:
        raise ValidationError({"pipeline": _("Choose a pipeline: there is no default one.")})
    first = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position").first()
    if first is None:
        raise ValidationError(
            {"stage": _("Pipeline “{pipeline}” has no open stage.").format(pipeline=pipeline)}
        )
    return pipeline, first


def _wrong_pipeline(stage: Stage, pipeline: Pipeline) -> str:
    return _(
        "Stage “{stage}” belongs to pipeline “{other}”, not to the deal's pipeline "
        "“{pipeline}”: choose one of its stages."
    ).format(stage=stage.name, other=stage.pipeline.name, pipeline=pipeline.name)


def _loss_reason_missing(stage: Stage) -> ValidationError:
    return ValidationError(
        {
            "loss_reason": _(
                "Give a loss reason: “{stage}” marks the deal as lost, and the reason is what "
                "the team learns from."
            ).format(stage=stage.name)
        }
    )


def _closing_fields(stage: Stage, moment: dt.datetime, loss_reason: str) -> dict:
    """state, closed_on and loss_reason for a deal entering `stage` at `moment`."""
    loss_reason = (loss_reason or "").strip()
    if stage.kind == StageKind.LOST and not loss_reason:
        raise _loss_reason_missing(stage)
    closed = stage.kind in (StageKind.WON, StageKind.LOST)
    return {
        "state": stage.kind,
        "closed_on": timezone.localtime(moment).date() if closed else None,
        # A deal that is not lost has no loss reason: reopening forgets the old one.
        "loss_reason": loss_reason if stage.kind == StageKind.LOST else "",
    }


def _record_move(opportunity, from_stage, to_stage, moment, user) -> OpportunityStageChange:
    change = OpportunityStageChange(
        opportunity=opportunity,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=moment,
        user=user if user is not None and user.pk else None,
        user_name=user.get_username() if user is not None else "system",
    )
    change.full_clean()
    change.save()
    return change


@transaction.atomic
def opportunity_create(
    *,
    name: str,
    customer: Customer,
    owner,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    amount: Decimal = Decimal("0"),
    expected_close: dt.date | None = None,
    source: str = "",
    competitor: str = "",
    description: str = "",
    loss_reason: str = "",
    created_at: dt.datetime | None = None,
    user=None,
) -> Opportunity:
    """Create a deal in `stage` (default: the first open stage of `pipeline`, default: the
    default pipeline). Its grid is the customer's grid at creation; `created_at` (now
    unless given, for imports and the demo) is also the time of its first stage-history
    row, written by `user`. A deal created lost needs a loss reason."""
    pipeline, stage = _entry_stage(pipeline, stage)
    moment = created_at or timezone.now()
    grid_id = _grid_id_at(customer, created_at)
    opportunity = Opportunity(created_at=moment)
    model_save(
        opportunity,
        name=name,
        customer=customer,
        owner=owner,
        pipeline=pipeline,
        stage=stage,
        amount=amount,
        expected_close=expected_close,
        source=source,
        competitor=competitor,
        description=description,
        grid_id=grid_id,
        **_closing_fields(stage, moment, loss_reason),
    )
    _record_move(opportunity, None, stage, moment, user)
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, **fields) -> Opportunity:
    """Change a deal's name, customer, owner, amount, expected close, source, competitor,
    description or (while lost) loss reason. The stage moves only with opportunity_move;
    a new customer brings its current grid."""
    values = {k: v for k, v in fields.items() if k in OPPORTUNITY_FIELDS}
    if "loss_reason" in values:
        values["loss_reason"] = (values["loss_reason"] or "").strip()
        if opportunity.state != StageKind.LOST:
            values["loss_reason"] = ""
        elif not values["loss_reason"]:
            raise _loss_reason_missing(opportunity.stage)
    customer = values.get("customer")
    # Compared with the stored row: a ModelForm has already put the new customer on the
    # instance.
    stored = Opportunity.objects.filter(pk=opportunity.pk).values_list("customer_id", flat=True)
    if customer is not None and customer.pk != stored.first():
        values["grid_id"] = customer.current_grid_id
    return model_save(opportunity, **values)


@transaction.atomic
def opportunity_move(
    *,
    opportunity: Opportunity,
    stage: Stage,
    user,
    loss_reason: str = "",
    moved_at: dt.datetime | None = None,
) -> Opportunity:
    """Move a deal to another stage of its pipeline and record the move (from, to, when,
    who). Won or lost closes it today (or on `moved_at`'s day, for imports and the demo);
    lost needs a loss reason; moving back to an open stage reopens it (no close date, no
    loss reason). Moving to the stage it is in changes nothing."""
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationError({"stage": _wrong_pipeline(stage, opportunity.pipeline)})
    if stage.pk == opportunity.stage_id:
        return opportunity
    moment = moved_at or timezone.now()
    from_stage = opportunity.stage
    model_save(opportunity, stage=stage, **_closing_fields(stage, moment, loss_reason))
    _record_move(opportunity, from_stage, stage, moment, user)
    return opportunity


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity) -> None:
    """Delete a deal and its stage history (the audit log keeps its last state); its
    activities stay, no longer linked to it."""
    opportunity.delete()
