from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.recognition.models import Award, AwardType


class AwardTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardType
        fields = [
            "id",
            "code",
            "name",
            "description",
            "icon",
            "colour",
            "rule",
            "metric",
            "period_kind",
            "top_n",
            "threshold",
            "active",
        ]


class AwardSerializer(serializers.ModelSerializer):
    award_type = serializers.SlugRelatedField(slug_field="code", queryset=AwardType.objects.all())
    rep = ScopedSlugRelatedField(slug_field="username", queryset=User.objects.all())
    grid = serializers.CharField(source="grid.code", read_only=True, default=None)
    given_by = serializers.CharField(source="given_by.username", read_only=True, default=None)

    class Meta:
        model = Award
        fields = [
            "id",
            "award_type",
            "rep",
            "grid",
            "period",
            "rank",
            "value",
            "citation",
            "source",
            "given_by",
            "given_at",
        ]
        read_only_fields = ["rank", "value", "source", "given_at"]


class AwardUpdateSerializer(AwardSerializer):
    class Meta(AwardSerializer.Meta):
        read_only_fields = [f for f in AwardSerializer.Meta.fields if f != "citation"]


class RulesRunSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7)
