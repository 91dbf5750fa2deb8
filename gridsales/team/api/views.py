from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.accounts.models import User
from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.team import services
from gridsales.team.api.serializers import (
    MembershipEndSerializer,
    MembershipSerializer,
    RepSerializer,
)
from gridsales.team.filtersets import MembershipFilterSet, RepFilterSet
from gridsales.team.models import Membership


class RepViewSet(ScopedModelViewSet):
    """Reps and other users, with their profiles. Only admins and directors write."""

    queryset = User.objects.all()
    serializer_class = RepSerializer
    filterset_class = RepFilterSet
    ordering_fields = ["username", "display_name", "role"]
    ordering = ["username"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("rep_profile", "rep_profile__manager")
            .order_by("username")
        )

    def perform_write(self, serializer):
        data = serializer.flat_data()
        services.ensure_may_manage_account(
            actor=self.request.user, account=serializer.instance, role=data.get("role")
        )
        if serializer.instance is None:
            return services.rep_create(**data)
        return services.rep_update(user=serializer.instance, **data)

    def perform_remove(self, instance):
        services.ensure_may_manage_account(actor=self.request.user, account=instance, role=None)
        # People are never deleted (history refers to them): deactivate instead.
        services.rep_update(user=instance, is_active=False)


class MembershipViewSet(ScopedModelViewSet):
    """Effective-dated grid memberships. DELETE only for ones not started; else POST end/."""

    queryset = Membership.objects.all()
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    ordering_fields = ["valid_from", "valid_to", "grid__code", "user__username"]
    ordering = ["grid__path", "-valid_from"]

    def get_queryset(self):
        return super().get_queryset().select_related("user", "grid")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if serializer.instance is None:
            return services.membership_create(**data)
        instance = serializer.instance
        for fixed in ("user", "grid"):
            if fixed in data and data[fixed] != getattr(instance, fixed):
                raise exceptions.ValidationError(
                    {
                        fixed: [
                            _(
                                "The person and grid of a membership cannot change; end it and create a new one."
                            )
                        ]
                    }
                )
            data.pop(fixed, None)
        return services.membership_update(membership=instance, **data)

    def perform_remove(self, instance):
        services.membership_delete(membership=instance)

    @extend_schema(request=MembershipEndSerializer, responses=MembershipSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the membership on `valid_to` (default today); the record stays as history."""
        membership = self.get_object()
        ensure_allowed(request.user, membership, "change")
        params = MembershipEndSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            membership = services.membership_end(
                membership=membership, valid_to=params.validated_data.get("valid_to")
            )
        return Response(MembershipSerializer(membership, context={"request": request}).data)
