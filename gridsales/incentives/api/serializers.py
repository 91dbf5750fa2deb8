from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.grids.models import Grid
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
from gridsales.incentives.services import warning_text


class ScopedLineField(serializers.PrimaryKeyRelatedField):
    """A statement line the caller may see (others read as "does not exist")."""

    def get_queryset(self):
        request = self.context.get("request")
        return StatementLine.objects.restrict(request.user if request else None, "view")


class IncentivePlanSerializer(serializers.ModelSerializer):
    definition = serializers.JSONField(write_only=True, required=False)
    effective_from = serializers.RegexField(
        r"^\d{4}-(0[1-9]|1[0-2])$", write_only=True, required=False
    )

    class Meta:
        model = IncentivePlan
        fields = ["id", "code", "name", "description", "created_at", "definition", "effective_from"]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        if self.instance is None:
            missing = {
                k: serializers.Field.default_error_messages["required"]
                for k in ("definition", "effective_from")
                if k not in attrs
            }
            if missing:
                raise serializers.ValidationError(missing)
        return attrs


class IncentivePlanVersionSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = IncentivePlanVersion
        fields = [
            "id",
            "plan",
            "number",
            "effective_from",
            "effective_to",
            "definition",
            "note",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["number", "created_at"]


class NewVersionSerializer(serializers.Serializer):
    definition = serializers.JSONField()
    effective_from = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$")
    effective_to = serializers.RegexField(
        r"^(\d{4}-(0[1-9]|1[0-2]))?$", required=False, allow_blank=True, default=""
    )
    note = serializers.CharField(required=False, default="", allow_blank=True)


class PlanAssignmentSerializer(serializers.ModelSerializer):
    plan = ScopedSlugRelatedField(slug_field="code", queryset=IncentivePlan.objects.all())
    user = ScopedSlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )
    grid = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
    # Plain text (checked by the model's choices): a second enum of the account roles
    # would collide with the users' in the OpenAPI schema.
    role = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="An account role: " + ", ".join(Role.values),
    )

    class Meta:
        model = PlanAssignment
        fields = ["id", "plan", "user", "role", "grid", "valid_from", "valid_to"]


class CommissionRunSerializer(serializers.ModelSerializer):
    warnings = serializers.SerializerMethodField()
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    paid_by = serializers.CharField(source="paid_by.username", read_only=True, default=None)

    class Meta:
        model = CommissionRun
        fields = [
            "id",
            "period",
            "status",
            "total",
            "revenue",
            "rep_count",
            "line_count",
            "warnings",
            "calculated_at",
            "approved_by",
            "approved_at",
            "paid_by",
            "paid_at",
        ]
        read_only_fields = [f for f in fields if f != "period"]

    def get_warnings(self, run) -> list[str]:
        return [warning_text(w) for w in run.warnings]


class StatementLineSerializer(serializers.ModelSerializer):
    explanation = serializers.CharField(read_only=True)
    # Stored in whole fen (and, for order lines, read through the order line).
    order_no = serializers.CharField(read_only=True)
    line_no = serializers.IntegerField(read_only=True, allow_null=True)
    base = serializers.DecimalField(16, 2, read_only=True, allow_null=True)
    rate = serializers.DecimalField(16, 10, source="line_rate", read_only=True, allow_null=True)
    multiplier = serializers.DecimalField(
        10, 4, source="line_multiplier", read_only=True, allow_null=True
    )
    amount = serializers.DecimalField(16, 2, read_only=True)

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "position",
            "kind",
            "order_line",
            "order_no",
            "line_no",
            "base",
            "rate",
            "multiplier",
            "amount",
            "explanation",
        ]


class StatementSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="run.period", read_only=True)
    rep = serializers.CharField(source="rep.username", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True, default=None)
    plan = serializers.CharField(source="plan_version.__str__", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "run",
            "period",
            "rep",
            "grid",
            "plan",
            "base",
            "target",
            "attainment",
            "tier_commission",
            "bonus",
            "cap_adjustment",
            "pool",
            "clawback",
            "draw",
            "draw_recovery",
            "draw_balance",
            "adjustments",
            "total",
            "warnings",
        ]

    def get_warnings(self, statement) -> list[str]:
        return [warning_text(w) for w in statement.warnings]


class StatementDetailSerializer(StatementSerializer):
    lines = serializers.SerializerMethodField()

    @extend_schema_field(StatementLineSerializer(many=True))
    def get_lines(self, statement) -> list[dict]:
        # The lines with their order lines in one query (a statement holds hundreds).
        return StatementLineSerializer(statement.display_lines(), many=True).data

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "lines"]


class AdjustmentSerializer(serializers.ModelSerializer):
    rep = ScopedSlugRelatedField(slug_field="username", queryset=User.objects.all())
    created_by = serializers.CharField(source="created_by.username", read_only=True, default=None)

    class Meta:
        model = Adjustment
        fields = ["id", "run", "rep", "amount", "reason", "created_by", "created_at"]
        read_only_fields = ["created_at"]


class DisputeSerializer(serializers.ModelSerializer):
    line = ScopedLineField()
    rep = serializers.CharField(source="statement.rep.username", read_only=True)
    period = serializers.CharField(source="statement.run.period", read_only=True)
    raised_by = serializers.CharField(source="raised_by.username", read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, default=None)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "statement",
            "period",
            "rep",
            "line",
            "line_text",
            "message",
            "status",
            "raised_by",
            "raised_at",
            "resolution",
            "adjustment",
            "resolved_by",
            "resolved_at",
        ]
        read_only_fields = [
            "statement",
            "line_text",
            "status",
            "raised_at",
            "resolution",
            "adjustment",
            "resolved_at",
        ]


class AcceptSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    resolution = serializers.CharField(max_length=300)


class RejectSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=300)
