from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from gridsales.activities.models import Activity
from gridsales.care.choices import QuestionKind, SurveyStatus
from gridsales.care.models import (
    CadencePolicy,
    FollowUpRule,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyTemplate,
)
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.choices import Tier
from gridsales.customers.models import Contact, Customer
from gridsales.grids.models import Grid


class CadencePolicySerializer(serializers.ModelSerializer):
    grid = ScopedSlugRelatedField(
        slug_field="code", queryset=Grid.objects.all(), required=False, allow_null=True
    )
    # The service checks the range and duplicates with messages naming what to fix.
    interval_days = serializers.IntegerField()

    class Meta:
        model = CadencePolicy
        fields = ["id", "tier", "grid", "industry", "interval_days", "is_active"]
        validators = []


class FollowUpRuleSerializer(serializers.ModelSerializer):
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=Tier.choices), required=False
    )
    delay_days = serializers.IntegerField()  # the service gives the range in its message

    class Meta:
        model = FollowUpRule
        fields = ["id", "name", "trigger", "delay_days", "activity_type", "tiers", "is_active"]


class SurveyQuestionSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    required = serializers.BooleanField(default=True)

    class Meta:
        model = SurveyQuestion
        fields = ["position", "kind", "text", "required"]


class SurveyTemplateSerializer(serializers.ModelSerializer):
    """A template with its questions in order; writing `questions` replaces them (once
    the template has been sent only their wording and `required` may change)."""

    questions = SurveyQuestionSerializer(many=True, required=False)

    class Meta:
        model = SurveyTemplate
        fields = ["id", "code", "name", "intro", "is_active", "questions"]


class SurveySerializer(serializers.ModelSerializer):
    template = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    expired = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "template",
            "customer",
            "customer_name",
            "contact",
            "activity",
            "grid",
            "channel",
            "status",
            "expired",
            "expires_at",
            "sent_by",
            "sent_at",
            "answered_at",
            "csat",
            "nps",
            "comment",
        ]
        read_only_fields = fields

    def get_expired(self, survey) -> bool:
        return bool(
            survey.status == SurveyStatus.SENT
            and survey.expires_at
            and survey.expires_at <= timezone.now()
        )


class SurveyAnswerSerializer(serializers.ModelSerializer):
    position = serializers.IntegerField(source="question.position", read_only=True)
    kind = serializers.CharField(source="question.kind", read_only=True)
    question = serializers.CharField(source="question.text", read_only=True)

    class Meta:
        model = SurveyAnswer
        fields = ["position", "kind", "question", "score", "text"]


class SurveyDetailSerializer(SurveySerializer):
    """One survey with its answers and, for whoever may withdraw it while it waits, its
    link (the token is the key to the customer's page: not shown to everyone)."""

    answers = SurveyAnswerSerializer(many=True, read_only=True)
    link = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "answers", "link"]
        read_only_fields = fields

    def get_link(self, survey) -> str | None:
        show = self.context.get("show_link", False)
        if not show or survey.status != SurveyStatus.SENT or not survey.token:
            return None
        request = self.context.get("request")
        path = f"/s/{survey.token}/"
        return request.build_absolute_uri(path) if request else path


class ActiveTemplateField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=SurveyTemplate.objects.all(), **kwargs)


class SurveySendSerializer(serializers.Serializer):
    """POST /surveys/: send `template` (code) to `customer` (code), optionally naming the
    contact (id). The answer carries the link to share."""

    template = ActiveTemplateField()
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )


class SurveyRecordSerializer(SurveySendSerializer):
    """POST /surveys/record/: the answers given during a visit, {position: score or text}."""

    activity = serializers.PrimaryKeyRelatedField(
        queryset=Activity.objects.all(), required=False, allow_null=True
    )
    answers = serializers.DictField(
        child=serializers.JSONField(), help_text=_("Question position → score (number) or text")
    )


class ContactStatusSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField()
    owner = serializers.CharField()
    grid = serializers.CharField()
    interval_days = serializers.IntegerField(allow_null=True)
    last_contact = serializers.DateField(allow_null=True)
    due_on = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["overdue", "due", "ok", "none"])
    overdue_days = serializers.IntegerField()


class SurveyResultsSerializer(serializers.Serializer):
    responses = serializers.IntegerField()
    csat = serializers.CharField(allow_null=True, help_text=_("Mean CSAT, 2 decimals"))
    nps = serializers.CharField(allow_null=True, help_text=_("NPS, 1 decimal"))
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
