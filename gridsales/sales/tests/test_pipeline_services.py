"""Pipelines and stages: the default pipeline, its rules, reordering and deleting."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from gridsales.core.models import ObjectChange
from gridsales.sales import opportunities, pipelines
from gridsales.sales.models import Pipeline, Stage
from gridsales.sales.tests.factories import OpportunityFactory, stage_at, standard_pipeline

MIGRATION = importlib.import_module("gridsales.sales.migrations.0002_default_pipeline")


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def stages_of(pipeline) -> list[tuple]:
    return list(pipeline.stages.order_by("position").values_list("position", "name", "kind"))


def small_pipeline(code="P2", **kwargs) -> Pipeline:
    return pipelines.pipeline_create(
        code=code,
        name=f"流程 {code}",
        stages=[
            {"name": "A", "probability": 20, "kind": "open"},
            {"name": "B", "probability": 100, "kind": "won"},
            {"name": "C", "probability": 0, "kind": "lost"},
        ],
        **kwargs,
    )


def test_the_migration_makes_the_standard_pipeline_the_default(db):
    Pipeline.objects.filter(code="standard").delete()
    MIGRATION.create_default_pipeline(apps, None)
    pipeline = Pipeline.objects.get(code="standard")
    assert (pipeline.name, pipeline.is_default, pipeline.is_active) == ("标准销售流程", True, True)
    rows = list(
        pipeline.stages.order_by("position").values_list("position", "name", "probability", "kind")
    )
    assert rows == [
        (1, "线索", 10, "open"),
        (2, "需求确认", 25, "open"),
        (3, "方案报价", 50, "open"),
        (4, "商务谈判", 75, "open"),
        (5, "赢单", 100, "won"),
        (6, "输单", 0, "lost"),
    ]
    assert rows == [tuple(row) for row in pipelines.STANDARD_STAGES]


def test_running_the_migration_again_changes_nothing(db):
    pipeline = standard_pipeline()
    MIGRATION.create_default_pipeline(apps, None)
    assert Pipeline.objects.filter(code="standard").get().pk == pipeline.pk
    assert pipeline.stages.count() == 6


def test_a_new_pipeline_without_stages_gets_the_standard_six(db):
    standard_pipeline()
    pipeline = pipelines.pipeline_create(code="KA", name="大客户流程")
    assert [name for _p, name, _k in stages_of(pipeline)] == [
        "线索",
        "需求确认",
        "方案报价",
        "商务谈判",
        "赢单",
        "输单",
    ]
    assert pipeline.is_default is False
    change = ObjectChange.objects.filter(content_type__model="pipeline", object_id=pipeline.pk)
    assert change.get().action == "create"


def test_there_is_always_exactly_one_default_pipeline(db):
    standard = standard_pipeline()
    other = small_pipeline(is_default=True)
    standard.refresh_from_db()
    assert (standard.is_default, other.is_default) == (False, True)
    pipelines.pipeline_update(pipeline=standard, is_default=True)
    assert list(Pipeline.objects.filter(is_default=True)) == [standard]
    with pytest.raises(ValidationError) as caught:
        pipelines.pipeline_update(pipeline=standard, is_default=False)
    assert caught.value.message_dict == {
        "is_default": [
            "“标准销售流程” is the default pipeline: make another pipeline the default instead."
        ]
    }
    with pytest.raises(ValidationError) as caught:
        pipelines.pipeline_update(pipeline=standard, is_active=False)
    assert caught.value.message_dict == {
        "is_active": [
            "The default pipeline cannot be inactive: make another pipeline the default first."
        ]
    }


def test_the_first_pipeline_of_an_empty_database_becomes_the_default(db):
    Pipeline.objects.all().delete()
    pipeline = small_pipeline()
    assert pipeline.is_default is True


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"probability": 101}, {"probability": ["Ensure this value is less than or equal to 100."]}),
        ({"kind": "won", "probability": 90}, {"probability": ["A won stage has a probability of 100 %, not 90 %."]}),
        ({"kind": "lost", "probability": 5}, {"probability": ["A lost stage has a probability of 0 %, not 5 %."]}),
        ({"name": ""}, {"name": ["This field cannot be blank."]}),
    ],
)  # fmt: skip
def test_a_stage_is_checked_before_it_is_saved(fields, message, db):
    pipeline = standard_pipeline()
    data = {"name": "新阶段", "probability": 30, "kind": "open", **fields}
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_save(pipeline=pipeline, **data)
    assert caught.value.message_dict == message
    assert pipeline.stages.count() == 6


def test_a_new_stage_goes_last(db):
    pipeline = standard_pipeline()
    stage = pipelines.stage_save(pipeline=pipeline, name="回款", probability=100, kind="won")
    assert stage.position == 7


def test_a_pipeline_keeps_an_open_a_won_and_a_lost_stage(db):
    pipeline = small_pipeline()
    won = pipeline.stages.get(name="B")
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_save(stage=won, kind="open", probability=50)
    assert caught.value.messages == [
        "Pipeline “流程 P2” needs at least one open, one won and one lost stage: it would have "
        "no “Won” stage."
    ]
    assert Stage.objects.get(pk=won.pk).kind == "won"
    with pytest.raises(ValidationError):
        pipelines.stage_delete(stage=pipeline.stages.get(name="C"))
    assert pipeline.stages.count() == 3


def test_a_pipeline_cannot_be_created_without_a_lost_stage(db):
    with pytest.raises(ValidationError) as caught:
        pipelines.pipeline_create(
            code="BAD",
            name="缺输单",
            stages=[
                {"name": "A", "probability": 20, "kind": "open"},
                {"name": "B", "probability": 100, "kind": "won"},
            ],
        )
    assert caught.value.messages == [
        "Pipeline “缺输单” needs at least one open, one won and one lost stage: it would have "
        "no “Lost” stage."
    ]


def test_stage_names_are_unique_in_a_pipeline(db):
    pipeline = standard_pipeline()
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_save(pipeline=pipeline, name="线索", probability=10, kind="open")
    assert caught.value.messages == [
        "Stage “线索” appears twice in pipeline “标准销售流程”: give it another name."
    ]


def test_reordering_puts_the_stages_in_the_given_order_and_audits_each_move(db):
    pipeline = small_pipeline()
    a, b, c = (pipeline.stages.get(name=n) for n in "ABC")
    pipelines.stage_reorder(pipeline=pipeline, stage_ids=[c.pk, a.pk, b.pk])
    assert stages_of(pipeline) == [(1, "C", "lost"), (2, "A", "open"), (3, "B", "won")]
    moved_c = ObjectChange.objects.filter(content_type__model="stage", object_id=c.pk)
    last = moved_c.order_by("pk").last()
    assert (last.action, last.before["position"], last.after["position"]) == ("update", 3, 1)


def test_reordering_needs_every_stage_once(db):
    pipeline = small_pipeline()
    a, b, c = (pipeline.stages.get(name=n) for n in "ABC")
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_reorder(pipeline=pipeline, stage_ids=[c.pk, a.pk, a.pk])
    assert caught.value.message_dict == {
        "stages": [
            f"List every stage of pipeline “流程 P2” exactly once (ids {a.pk}, {b.pk}, {c.pk})."
        ]
    }


def test_a_stage_with_deals_or_history_is_not_deleted(world):
    pipeline = standard_pipeline()
    deal = OpportunityFactory(customer=world.customers["CUS-G1"], stage=stage_at(2))
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_delete(stage=stage_at(2))
    assert caught.value.messages == [
        "Stage “需求确认” cannot be deleted: 1 deal(s) are in it or have passed through it. "
        "Rename it instead, or move those deals first."
    ]
    opportunities.opportunity_move(opportunity=deal, stage=stage_at(3), user=None)
    with pytest.raises(ValidationError):  # it is in the deal's history
        pipelines.stage_delete(stage=stage_at(2))
    pipelines.stage_delete(stage=stage_at(1))
    assert [name for _p, name, _k in stages_of(pipeline)] == [
        "需求确认",
        "方案报价",
        "商务谈判",
        "赢单",
        "输单",
    ]
    assert [p for p, _n, _k in stages_of(pipeline)] == [1, 2, 3, 4, 5]


def test_the_kind_of_a_stage_holding_deals_does_not_change(world):
    OpportunityFactory(customer=world.customers["CUS-G1"], stage=stage_at(4))
    with pytest.raises(ValidationError) as caught:
        pipelines.stage_save(stage=stage_at(4), kind="lost", probability=0)
    assert caught.value.message_dict == {
        "kind": [
            "Stage “商务谈判” holds 1 deal(s): its kind cannot change until they are moved to "
            "other stages."
        ]
    }


def test_the_stage_list_can_swap_kinds_rename_add_and_drop_in_one_go(db):
    pipeline = small_pipeline()
    a, b, c = (pipeline.stages.get(name=n) for n in "ABC")
    pipelines.pipeline_stages_set(
        pipeline=pipeline,
        stages=[
            {"stage": a, "name": "初访", "probability": 20, "kind": "open"},
            {"stage": None, "name": "报价", "probability": 60, "kind": "open"},
            {"stage": c, "name": "C", "probability": 100, "kind": "won"},
            {"stage": b, "name": "B", "probability": 0, "kind": "lost"},
        ],
    )
    assert stages_of(pipeline) == [
        (1, "初访", "open"),
        (2, "报价", "open"),
        (3, "C", "won"),
        (4, "B", "lost"),
    ]
    pipelines.pipeline_stages_set(
        pipeline=pipeline,
        stages=[
            {"stage": pipeline.stages.get(name="报价"), "name": "报价", "probability": 60,
             "kind": "open"},
            {"stage": c, "name": "C", "probability": 100, "kind": "won"},
            {"stage": b, "name": "B", "probability": 0, "kind": "lost"},
        ],
    )  # fmt: skip
    assert stages_of(pipeline) == [(1, "报价", "open"), (2, "C", "won"), (3, "B", "lost")]


def test_the_default_pipeline_and_pipelines_with_deals_are_not_deleted(world):
    standard = standard_pipeline()
    other = small_pipeline()
    with pytest.raises(ValidationError) as caught:
        pipelines.pipeline_delete(pipeline=standard)
    assert caught.value.messages == [
        "“标准销售流程” is the default pipeline and cannot be deleted."
    ]
    OpportunityFactory(customer=world.customers["CUS-G1"], pipeline=other)
    with pytest.raises(ValidationError) as caught:
        pipelines.pipeline_delete(pipeline=other)
    assert caught.value.messages == [
        "Pipeline “流程 P2” cannot be deleted: 1 deal(s) use it. Untick “Active” to retire it "
        "instead."
    ]
    empty = small_pipeline(code="P3")
    pipelines.pipeline_delete(pipeline=empty)
    assert not Pipeline.objects.filter(code="P3").exists()
    assert not Stage.objects.filter(pipeline_id=empty.pk).exists()
