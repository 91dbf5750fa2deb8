"""Activity API: CRUD through the services, plus check-in, check-out, complete and cancel
actions and `check-in-here` (an unplanned visit). All scoped by ScopedModelViewSet."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.activities import services
from gridsales.activities.api.serializers import (
    ActivitySerializer,
    CheckInHereSerializer,
    CheckOutSerializer,
    CompleteSerializer,
    EmptySerializer,
    PositionSerializer,
)
from gridsales.activities.filtersets import ActivityFilterSet
from gridsales.activities.models import Activity
from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.scope import scope_for


class ActivityViewSet(ScopedModelViewSet):
    """Activities in the caller's scope, filtered like the list page (`?grid=CODE` includes
    the grid's subtree, `?flagged=true` only flagged check-ins)."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    ordering_fields = ["planned_at", "done_at", "type", "status", "checkin_distance_m"]
    ordering = ["-planned_at", "-pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "owner", "grid")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        activity = serializer.instance
        if activity is None:
            return services.activity_create(user=self.request.user, **data)
        new_status = data.pop("status", activity.status)
        if new_status != activity.status:
            raise DjangoValidationError(
                {
                    "status": _(
                        "Change the status with POST …/complete/ or …/cancel/, not by editing."
                    )
                }
            )
        return services.activity_update(activity=activity, **data)

    def perform_remove(self, instance):
        services.activity_delete(activity=instance)

    def _act(self, request, run, params_class, *, status_code=status.HTTP_200_OK):
        """Check the caller may change the activity, run the service, answer the activity."""
        activity = self.get_object()
        ensure_allowed(request.user, activity, "change")
        params = params_class(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            activity = run(activity, dict(params.validated_data))
            ensure_allowed(request.user, activity, "change")
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(activity).data, status=status_code)

    @extend_schema(request=PositionSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Check in on a planned visit at `lat`/`lng` (WGS-84) now: answers the distance to
        the customer (`checkin_distance_m`) and the `checkin_flags`."""
        return self._act(
            request,
            lambda a, p: services.activity_check_in(activity=a, user=request.user, **p),
            PositionSerializer,
        )

    @extend_schema(request=CheckOutSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """Check out of a checked-in visit (position optional): the visit is done, with its
        duration in minutes; log the outcome with …/complete/."""
        return self._act(
            request,
            lambda a, p: services.activity_check_out(activity=a, user=request.user, **p),
            CheckOutSerializer,
        )

    @extend_schema(request=CompleteSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """Log the activity as done: `done_at` (default the check-out, else now), `outcome`,
        `notes`, `next_step`, `next_step_due`. Fields left out keep their value."""

        def run(activity, params):
            kept = {
                "outcome": activity.outcome,
                "next_step": activity.next_step,
                "next_step_due": activity.next_step_due,
            }
            return services.activity_complete(activity=activity, **(kept | params))

        return self._act(request, run, CompleteSerializer)

    @extend_schema(request=EmptySerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a planned activity."""
        return self._act(
            request, lambda a, p: services.activity_cancel(activity=a), EmptySerializer
        )

    @extend_schema(request=CheckInHereSerializer, responses={201: ActivitySerializer})
    @action(detail=False, methods=["post"], url_path="check-in-here")
    def check_in_here(self, request):
        """An unplanned visit: create a visit to `customer` (code) and check in at
        `lat`/`lng` now."""
        scope = scope_for(request.user)
        if scope.read_all and not scope.write_all:
            raise exceptions.PermissionDenied(_("Read-only roles do not visit customers."))
        params = CheckInHereSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            activity = services.activity_check_in_here(user=request.user, **params.validated_data)
            ensure_allowed(request.user, activity, "add")
        activity = self.get_queryset().get(pk=activity.pk)
        return Response(self.get_serializer(activity).data, status=status.HTTP_201_CREATED)
