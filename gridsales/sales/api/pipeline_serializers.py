from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Customer
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage
from gridsales.sales.pipeline_selectors import weighted


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^(" + "|".join(StageKind.values) + ")$",
        "description": "open, won or lost",
    }
)
class StageKindField(serializers.ChoiceField):
    """A stage's kind and a deal's state (open, won, lost). Described by a pattern, not an
    enum: the schema's enum components are named per field name, and `kind`/`state` would
    collide with other apps' choice sets (the override belongs in ENUM_NAME_OVERRIDES)."""

    def __init__(self, **kwargs):
        super().__init__(choices=StageKind.choices, **kwargs)


class PipelineStageSerializer(serializers.ModelSerializer):
    kind = StageKindField(read_only=True)

    class Meta:
        model = Stage
        fields = ["id", "position", "name", "probability", "kind"]


class PipelineSerializer(serializers.ModelSerializer):
    stages = PipelineStageSerializer(many=True, read_only=True)

    class Meta:
        model = Pipeline
        fields = ["id", "code", "name", "description", "is_default", "is_active", "stages"]


class StageSerializer(serializers.ModelSerializer):
    pipeline = serializers.SlugRelatedField(slug_field="code", queryset=Pipeline.objects.all())
    kind = StageKindField(required=False)

    class Meta:
        model = Stage
        fields = ["id", "pipeline", "position", "name", "probability", "kind"]
        # New stages go last; the order changes with POST /pipelines/{id}/reorder/.
        read_only_fields = ["position"]

    def validate_pipeline(self, value):
        if self.instance is not None and value != self.instance.pipeline:
            raise serializers.ValidationError(_("A stage cannot move to another pipeline."))
        return value


class ReorderSerializer(serializers.Serializer):
    stages = serializers.ListField(
        child=serializers.IntegerField(), help_text="Every stage id of the pipeline, in order."
    )


class OpportunitySerializer(serializers.ModelSerializer):
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())
    owner = ScopedSlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        help_text="Username; default: the caller.",
    )
    pipeline = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Pipeline.objects.all(),
        required=False,
        help_text="Pipeline code; default: the stage's pipeline, else the default pipeline.",
    )
    stage = serializers.PrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text="Stage id when creating (default: the pipeline's first open stage). "
        "Move a deal with POST …/move/.",
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    state = StageKindField(read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    weighted_amount = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "customer",
            "owner",
            "pipeline",
            "stage",
            "stage_name",
            "state",
            "amount",
            "weighted_amount",
            "expected_close",
            "source",
            "competitor",
            "loss_reason",
            "description",
            "grid",
            "created_at",
            "closed_on",
            "updated_at",
        ]
        read_only_fields = ["state", "created_at", "closed_on", "updated_at"]

    def get_weighted_amount(self, obj) -> str:
        return str(weighted(obj.amount, obj.stage.probability))

    def validate(self, attrs):
        if self.instance is not None:
            for name in ("pipeline", "stage"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError(
                        {
                            name: _(
                                "A deal changes stage only by a move: POST "
                                "/api/v1/opportunities/{id}/move/ with the stage."
                            ).format(id=self.instance.pk)
                        }
                    )
                attrs.pop(name, None)
        return attrs


class MoveSerializer(serializers.Serializer):
    stage = serializers.PrimaryKeyRelatedField(queryset=Stage.objects.select_related("pipeline"))
    loss_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Required when the stage is a lost stage.",
    )


class OpportunityStageChangeSerializer(serializers.ModelSerializer):
    opportunity_name = serializers.CharField(source="opportunity.name", read_only=True)
    from_stage_name = serializers.CharField(source="from_stage.name", read_only=True, default=None)
    to_stage_name = serializers.CharField(source="to_stage.name", read_only=True)

    class Meta:
        model = OpportunityStageChange
        fields = [
            "id",
            "opportunity",
            "opportunity_name",
            "from_stage",
            "from_stage_name",
            "to_stage",
            "to_stage_name",
            "changed_at",
            "user_name",
        ]
