from django.utils import timezone
from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.grids.models import Grid
from gridsales.team.models import Membership


class RepSerializer(serializers.ModelSerializer):
    """A user with their rep profile flattened in."""

    employee_no = serializers.CharField(
        source="rep_profile.employee_no", required=False, allow_null=True, allow_blank=True
    )
    phone = serializers.CharField(source="rep_profile.phone", required=False, allow_blank=True)
    title = serializers.CharField(source="rep_profile.title", required=False, allow_blank=True)
    hire_date = serializers.DateField(
        source="rep_profile.hire_date", required=False, allow_null=True
    )
    manager = ScopedSlugRelatedField(
        source="rep_profile.manager",
        slug_field="username",
        queryset=User.objects.all(),
        required=False,
        allow_null=True,
    )
    home_address = serializers.CharField(
        source="rep_profile.home_address", required=False, allow_blank=True
    )
    home_lat = serializers.FloatField(
        source="rep_profile.home_lat", required=False, allow_null=True
    )
    home_lng = serializers.FloatField(
        source="rep_profile.home_lng", required=False, allow_null=True
    )
    password = serializers.CharField(
        write_only=True, required=False, style={"input_type": "password"}
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            "email",
            "role",
            "is_active",
            "employee_no",
            "phone",
            "title",
            "hire_date",
            "manager",
            "home_address",
            "home_lat",
            "home_lng",
            "password",
        ]

    def flat_data(self) -> dict:
        data = dict(self.validated_data)
        data.update(data.pop("rep_profile", {}))
        return data


class MembershipSerializer(serializers.ModelSerializer):
    user = ScopedSlugRelatedField(slug_field="username", queryset=User.objects.all())
    grid = ScopedSlugRelatedField(slug_field="code", queryset=Grid.objects.all())
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "grid",
            "role",
            "share_pct",
            "valid_from",
            "valid_to",
            "note",
            "is_active",
        ]

    def get_is_active(self, membership) -> bool:
        return membership.is_active(timezone.localdate())


class MembershipEndSerializer(serializers.Serializer):
    valid_to = serializers.DateField(required=False, allow_null=True)
