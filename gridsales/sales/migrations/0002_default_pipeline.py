"""The default sales pipeline ("standard", 标准销售流程) with its six stages.

The demo and the board rely on the code "standard" and positions 1..6. The stage list is
copied here rather than imported (a migration must not change when the code does);
gridsales.sales.pipelines.STANDARD_STAGES holds the same list, and a test keeps the two
equal.
"""

from django.db import migrations

CODE = "standard"
NAME = "标准销售流程"
# (position, name, probability %, kind)
STAGES = [
    (1, "线索", 10, "open"),
    (2, "需求确认", 25, "open"),
    (3, "方案报价", 50, "open"),
    (4, "商务谈判", 75, "open"),
    (5, "赢单", 100, "won"),
    (6, "输单", 0, "lost"),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.filter(code=CODE).exists():
        return
    has_default = Pipeline.objects.filter(is_default=True).exists()
    pipeline = Pipeline.objects.create(code=CODE, name=NAME, is_default=not has_default)
    Stage.objects.bulk_create(
        Stage(pipeline=pipeline, position=position, name=name, probability=p, kind=kind)
        for position, name, p, kind in STAGES
    )


def remove_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Opportunity = apps.get_model("sales", "Opportunity")
    # Never take deals' stages away: the pipeline stays when any deal uses it.
    if not Opportunity.objects.filter(pipeline__code=CODE).exists():
        Pipeline.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, remove_default_pipeline)]
