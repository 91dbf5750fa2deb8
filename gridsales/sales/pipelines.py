"""Writes for pipelines and their stages (reference data: admins and directors).

Rules every write keeps: a stage's probability is 0–100 (won 100, lost 0); a pipeline has
at least one open, one won and one lost stage and its positions run 1..n; stage names are
unique within a pipeline; a stage that deals are in, or have passed through, is never
deleted; exactly one pipeline is the default (and it is active).
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gridsales.core.audit import record, snapshot
from gridsales.core.services import model_save
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage

PIPELINE_FIELDS = ("code", "name", "description", "is_default", "is_active")
STAGE_FIELDS = ("name", "probability", "kind")
STANDARD_CODE = "standard"
# (position, name, probability %, kind): the default pipeline made by migration 0002.
STANDARD_STAGES = [
    (1, "线索", 10, "open"),
    (2, "需求确认", 25, "open"),
    (3, "方案报价", 50, "open"),
    (4, "商务谈判", 75, "open"),
    (5, "赢单", 100, "won"),
    (6, "输单", 0, "lost"),
]
# Stage kinds and deal states as shown to people (the choices' context-bound labels).
KIND_LABELS = dict(StageKind.choices)
KIND_CHOICES = list(KIND_LABELS.items())
# Positions are moved out of the way first (the unique (pipeline, position) constraint
# holds after every statement); no pipeline has this many stages.
_PARKING = 10000


def default_pipeline() -> Pipeline | None:
    """The default pipeline (None only in a database without any)."""
    return Pipeline.objects.filter(is_default=True).first()


def _check_stages(pipeline: Pipeline) -> None:
    """Raise unless the pipeline has an open, a won and a lost stage and no name twice."""
    stages = list(pipeline.stages.order_by("position"))
    kinds = {s.kind for s in stages}
    missing = [KIND_LABELS[k] for k in StageKind if k not in kinds]
    if missing:
        raise ValidationError(
            _(
                "Pipeline “{pipeline}” needs at least one open, one won and one lost stage: "
                "it would have no “{kind}” stage."
            ).format(pipeline=pipeline.name, kind=missing[0])
        )
    twice = [name for name, n in Counter(s.name for s in stages).items() if n > 1]
    if twice:
        raise ValidationError(
            _(
                "Stage “{name}” appears twice in pipeline “{pipeline}”: give it another name."
            ).format(name=twice[0], pipeline=pipeline.name)
        )


def _check_probability(kind: str, probability) -> None:
    if kind == StageKind.WON and probability != 100:
        raise ValidationError(
            {
                "probability": _("A won stage has a probability of 100 %, not {p} %.").format(
                    p=probability
                )
            }
        )
    if kind == StageKind.LOST and probability != 0:
        raise ValidationError(
            {
                "probability": _("A lost stage has a probability of 0 %, not {p} %.").format(
                    p=probability
                )
            }
        )


def _make_only_default(pipeline: Pipeline) -> None:
    for other in Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk):
        model_save(other, is_default=False)


def _check_default(pipeline: Pipeline, fields: dict, *, was_default: bool) -> None:
    if was_default and fields.get("is_default") is False:
        raise ValidationError(
            {
                "is_default": _(
                    "“{pipeline}” is the default pipeline: make another pipeline the default "
                    "instead."
                ).format(pipeline=pipeline.name)
            }
        )
    if fields.get("is_active") is False and (was_default or fields.get("is_default")):
        raise ValidationError(
            {
                "is_active": _(
                    "The default pipeline cannot be inactive: make another pipeline the "
                    "default first."
                )
            }
        )


def _stage_usage(stage: Stage) -> int:
    """Deals that are in the stage or whose history names it (PROTECT references)."""
    history = OpportunityStageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).values(
        "opportunity"
    )
    return Opportunity.objects.filter(Q(stage=stage) | Q(pk__in=history)).order_by().count()


def _remove_stage(stage: Stage) -> None:
    used = _stage_usage(stage)
    if used:
        raise ValidationError(
            _(
                "Stage “{stage}” cannot be deleted: {count} deal(s) are in it or have passed "
                "through it. Rename it instead, or move those deals first."
            ).format(stage=stage.name, count=used)
        )
    stage.delete()


def _set_positions(pipeline: Pipeline, order: list[Stage]) -> None:
    """Give `order` positions 1..n, audited as one update per stage that moved."""
    moved = [(s, i) for i, s in enumerate(order, start=1) if s.position != i]
    if not moved:
        return
    # Two set-based passes (out of the way, then into place) keep the unique constraint
    # true at every step; the signals do not see queryset updates, so each moved stage
    # gets its audit record here.
    befores = {s.pk: snapshot(s) for s, _i in moved}
    for s, i in moved:
        Stage.objects.filter(pk=s.pk).update(position=_PARKING + i)
    for s, i in moved:
        Stage.objects.filter(pk=s.pk).update(position=i)
        s.position = i
        record(s, "update", befores[s.pk], snapshot(s))


def _compact(pipeline: Pipeline) -> None:
    _set_positions(pipeline, list(pipeline.stages.order_by("position", "pk")))


@transaction.atomic
def pipeline_create(
    *,
    code: str,
    name: str,
    description: str = "",
    is_default: bool = False,
    is_active: bool = True,
    stages: list[dict] | None = None,
) -> Pipeline:
    """Create a pipeline with `stages` ({name, probability, kind} in order), or with a copy
    of the standard six stages when none are given. The first pipeline, or one created
    with `is_default`, becomes the only default."""
    is_default = is_default or not Pipeline.objects.filter(is_default=True).exists()
    fields = {"is_default": is_default, "is_active": is_active}
    _check_default(Pipeline(name=name), fields, was_default=False)
    pipeline = model_save(
        Pipeline(),
        code=code,
        name=name,
        description=description,
        is_default=is_default,
        is_active=is_active,
    )
    if is_default:
        _make_only_default(pipeline)
    if stages is None:
        stages = [{"name": n, "probability": p, "kind": k} for _pos, n, p, k in STANDARD_STAGES]
    for position, data in enumerate(stages, start=1):
        fields = {k: v for k, v in data.items() if k in STAGE_FIELDS}
        _save_stage(Stage(pipeline=pipeline), position=position, **fields)
    _check_stages(pipeline)
    return pipeline


@transaction.atomic
def pipeline_update(*, pipeline: Pipeline, **fields) -> Pipeline:
    """Change a pipeline's code, name, description, default or active flag. Making it the
    default takes that from the others; the default cannot be unset or deactivated (make
    another pipeline the default instead)."""
    fields = {k: v for k, v in fields.items() if k in PIPELINE_FIELDS}
    was_default = Pipeline.objects.filter(pk=pipeline.pk, is_default=True).exists()
    _check_default(pipeline, fields, was_default=was_default)
    pipeline = model_save(pipeline, **fields)
    if pipeline.is_default:
        _make_only_default(pipeline)
    return pipeline


@transaction.atomic
def pipeline_delete(*, pipeline: Pipeline) -> None:
    """Delete a pipeline and its stages: refused for the default pipeline and for one that
    deals use (deactivate it instead)."""
    if pipeline.is_default:
        raise ValidationError(
            _("“{pipeline}” is the default pipeline and cannot be deleted.").format(
                pipeline=pipeline.name
            )
        )
    used = Opportunity.objects.filter(pipeline=pipeline).count()
    if used:
        raise ValidationError(
            _(
                "Pipeline “{pipeline}” cannot be deleted: {count} deal(s) use it. Untick "
                "“Active” to retire it instead."
            ).format(pipeline=pipeline.name, count=used)
        )
    for stage in pipeline.stages.all():
        stage.delete()
    pipeline.delete()


def _save_stage(stage: Stage, *, position: int | None = None, **fields) -> Stage:
    values = {k: v for k, v in fields.items() if k in STAGE_FIELDS}
    kind = values.get("kind", stage.kind)
    stored = Stage.objects.filter(pk=stage.pk).values_list("kind", flat=True).first()
    if stored is not None and kind != stored:
        # A deal's state is its stage's kind, and a lost deal has a loss reason: deals
        # change state only by being moved.
        held = Opportunity.objects.filter(stage_id=stage.pk).count()
        if held:
            raise ValidationError(
                {
                    "kind": _(
                        "Stage “{stage}” holds {count} deal(s): its kind cannot change until "
                        "they are moved to other stages."
                    ).format(stage=stage.name, count=held)
                }
            )
    probability = values.get("probability", stage.probability)
    if probability is not None:
        _check_probability(kind, probability)
    if position is not None:
        values["position"] = position
    return model_save(stage, **values)


@transaction.atomic
def stage_save(*, stage: Stage | None = None, pipeline: Pipeline | None = None, **fields) -> Stage:
    """Create a stage at the end of `pipeline` (stage=None) or change a stage's name,
    probability (0–100; won 100, lost 0) or kind (not while deals are in it). Refused when the pipeline would lose its last open, won or lost stage.
    Positions change only through stage_reorder."""
    if stage is None:
        if pipeline is None:
            raise ValidationError({"pipeline": _("Choose the pipeline of the new stage.")})
        last = pipeline.stages.order_by("-position").values_list("position", flat=True).first()
        stage = _save_stage(Stage(pipeline=pipeline), position=(last or 0) + 1, **fields)
    else:
        stage = _save_stage(stage, **fields)
    _check_stages(stage.pipeline)
    return stage


@transaction.atomic
def stage_reorder(*, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    """Put the pipeline's stages in the order of `stage_ids` (every stage, once)."""
    stages = {s.pk: s for s in pipeline.stages.all()}
    ids = [int(i) for i in stage_ids]
    if sorted(ids) != sorted(stages):
        raise ValidationError(
            {
                "stages": _(
                    "List every stage of pipeline “{pipeline}” exactly once (ids {ids})."
                ).format(pipeline=pipeline.name, ids=", ".join(str(i) for i in sorted(stages)))
            }
        )
    order = [stages[i] for i in ids]
    _set_positions(pipeline, order)
    return order


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    """Delete a stage no deal is in or has passed through; the later stages move up.
    Refused when the pipeline would lose its last open, won or lost stage."""
    pipeline = stage.pipeline
    _remove_stage(stage)
    _check_stages(pipeline)
    _compact(pipeline)


@transaction.atomic
def pipeline_stages_set(*, pipeline: Pipeline, stages: list[dict]) -> list[Stage]:
    """The pipeline form's one write: `stages` in their new order, each {name, probability,
    kind} plus `stage` (the existing Stage, or None for a new one). Stages of the pipeline
    left out are deleted (refused while deals use them). The rules are checked on the
    result, so kinds may be swapped in one go."""
    keep = {d["stage"].pk for d in stages if d.get("stage") is not None}
    for old in pipeline.stages.exclude(pk__in=keep):
        _remove_stage(old)
    order: list[Stage] = []
    for data in stages:
        fields = {k: v for k, v in data.items() if k in STAGE_FIELDS}
        existing = data.get("stage")
        if existing is None:
            last = pipeline.stages.order_by("-position").values_list("position", flat=True)
            position = (last.first() or 0) + 1
            order.append(_save_stage(Stage(pipeline=pipeline), position=position, **fields))
        else:
            order.append(_save_stage(existing, **fields))
    _check_stages(pipeline)
    _set_positions(pipeline, order)
    return order
