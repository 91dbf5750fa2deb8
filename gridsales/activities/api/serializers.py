from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.activities.choices import ActivityStatus, ActivityType, CheckInFlag
from gridsales.activities.models import Activity
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Contact, Customer
from gridsales.sales.models import Opportunity


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id that only resolves objects the caller may see."""

    def get_queryset(self):
        request = self.context.get("request")
        return super().get_queryset().restrict(request.user if request else None, "view")


@extend_schema_field(
    {
        "type": "string",
        "enum": list(ActivityType.values),
        "description": "visit, call, email, wechat or meeting",
    }
)
class ActivityTypeField(serializers.ChoiceField):
    """The activity type, described inline: a named enum would collide with the other
    "type" fields (customers) and with the follow-up rules' `activity_type`."""

    def __init__(self, **kwargs):
        super().__init__(choices=ActivityType.choices, **kwargs)


class ActivitySerializer(serializers.ModelSerializer):
    type = ActivityTypeField()
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())
    contact = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(), required=False, allow_null=True
    )
    opportunity = ScopedPrimaryKeyRelatedField(
        queryset=Opportunity.objects.all(), required=False, allow_null=True
    )
    owner = ScopedSlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False
    )
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status = serializers.ChoiceField(
        choices=[c for c in ActivityStatus.choices if c[0] != ActivityStatus.CANCELLED],
        required=False,
        help_text="planned or done when created; later moves go through complete/cancel.",
    )
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True)
    checkin_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=CheckInFlag.choices), read_only=True
    )
    checkin_flag_labels = serializers.SerializerMethodField()
    visit_minutes = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "type",
            "status",
            "purpose",
            "subject",
            "customer",
            "contact",
            "opportunity",
            "owner",
            "grid",
            "planned_at",
            "done_at",
            "duration_minutes",
            "notes",
            "outcome",
            "next_step",
            "next_step_due",
            "next_step_done",
            "origin_activity",
            "origin_order",
            "checkin_at",
            "checkin_lat",
            "checkin_lng",
            "checkin_accuracy_m",
            "checkin_distance_m",
            "checkin_flags",
            "checkin_flag_labels",
            "checkout_at",
            "checkout_lat",
            "checkout_lng",
            "visit_minutes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "origin_activity",
            "origin_order",
            "checkin_at",
            "checkin_lat",
            "checkin_lng",
            "checkin_accuracy_m",
            "checkin_distance_m",
            "checkout_at",
            "checkout_lat",
            "checkout_lng",
            "created_at",
            "updated_at",
        ]

    def get_checkin_flag_labels(self, activity) -> list[str]:
        labels = dict(CheckInFlag.choices)
        return [str(labels.get(code, code)) for code in activity.checkin_flags or []]


class PositionSerializer(serializers.Serializer):
    """A position from the phone's geolocation API (WGS-84 degrees, accuracy in metres).
    Ranges are checked by the service, whose message says what to fix."""

    lat = serializers.FloatField()
    lng = serializers.FloatField()
    accuracy_m = serializers.FloatField(required=False, allow_null=True)


class CheckOutSerializer(serializers.Serializer):
    """The check-out position is optional (the phone may not give one)."""

    lat = serializers.FloatField(required=False, allow_null=True)
    lng = serializers.FloatField(required=False, allow_null=True)
    accuracy_m = serializers.FloatField(required=False, allow_null=True)


class CheckInHereSerializer(PositionSerializer):
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())


class CompleteSerializer(serializers.Serializer):
    done_at = serializers.DateTimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=300)
    notes = serializers.CharField(required=False, allow_blank=True)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=300)
    next_step_due = serializers.DateField(required=False, allow_null=True)


class EmptySerializer(serializers.Serializer):
    pass
