from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.core.scope import scope_for
from gridsales.grids.models import Grid
from gridsales.targets.choices import PlanStatus
from gridsales.targets.models import (
    Actual,
    TargetLine,
    TargetPlan,
    TargetPlanVersion,
    TargetProposal,
    TargetUnitInput,
)


class HideTotalMixin:
    """The company total is not a number of a rep's or a manager's own: only roles that read
    everything see it (their own rows are in /target-lines/)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not scope_for(request.user).read_all:
            data["total"] = None
        return data


class TargetPlanSerializer(HideTotalMixin, serializers.ModelSerializer):
    latest_version = serializers.IntegerField(
        source="latest_version_number", read_only=True, default=None
    )

    class Meta:
        model = TargetPlan
        fields = [
            "id",
            "code",
            "name",
            "metric",
            "year",
            "fiscal_year_start_month",
            "total",
            "currency",
            "status",
            "level_methods",
            "reference_source",
            "seasonality",
            "seasonality_years",
            "week_basis",
            "latest_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.LOCKED, PlanStatus.DRAFT]
    )


class SplitSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    members_on = serializers.DateField(required=False, allow_null=True, default=None)


class ReplanSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class FixMonthSerializer(serializers.Serializer):
    """Fix one month of a leaf unit (a grid without sub-grids or reps, or a rep) by hand."""

    grid = ScopedSlugRelatedField(slug_field="code", queryset=Grid.objects.all())
    rep = ScopedSlugRelatedField(
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="the rep's username, for a rep's row; empty for the grid's row",
    )
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="calendar month YYYY-MM")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class TargetPlanVersionSerializer(HideTotalMixin, serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TargetPlanVersion
        fields = [
            "id",
            "plan",
            "number",
            "kind",
            "note",
            "total",
            "calendar_note",
            "parameters",
            "created_at",
        ]


class TargetLineSerializer(serializers.ModelSerializer):
    plan = serializers.CharField(source="version.plan.code", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    grid = serializers.CharField(source="grid.code", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = TargetLine
        fields = [
            "id",
            "plan",
            "version",
            "grid",
            "user",
            "period_kind",
            "period",
            "amount",
            "lineage",
        ]


class TargetProposalSerializer(serializers.ModelSerializer):
    plan = ScopedSlugRelatedField(slug_field="code", queryset=TargetPlan.objects.all())
    grid = ScopedSlugRelatedField(slug_field="code", queryset=Grid.objects.all())
    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, default=None
    )

    class Meta:
        model = TargetProposal
        fields = ["id", "plan", "grid", "amount", "note", "status", "submitted_by", "updated_at"]
        read_only_fields = ["status", "updated_at"]
        # One proposal per plan and grid: submitting again replaces it (the service upserts).
        validators = []


class TargetUnitInputSerializer(serializers.ModelSerializer):
    plan = ScopedSlugRelatedField(slug_field="code", queryset=TargetPlan.objects.all())
    grid = ScopedSlugRelatedField(slug_field="code", queryset=Grid.objects.all())

    class Meta:
        model = TargetUnitInput
        fields = ["id", "plan", "grid", "lock", "min_amount", "max_amount", "weight", "reference"]
        validators = []


class ActualSerializer(serializers.ModelSerializer):
    grid = serializers.CharField(source="grid.code", read_only=True)
    user = serializers.CharField(source="user.username", read_only=True, default=None)

    class Meta:
        model = Actual
        fields = ["id", "metric", "grid", "user", "date", "amount", "source", "imported_at"]
