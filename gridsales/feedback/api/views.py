"""Feedback API: authors raise and (while new) edit or withdraw their items; managers of
the item's grid triage it (`triage`). Scoped like the pages (docs/feedback.md)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet
from gridsales.feedback import services
from gridsales.feedback.api.serializers import FeedbackSerializer, FeedbackTriageSerializer
from gridsales.feedback.filtersets import FeedbackFilterSet
from gridsales.feedback.models import Feedback


class FeedbackViewSet(ScopedModelViewSet):
    """Feedback (问题反馈): authors see their own items, managers those of the grids they
    manage, read-all roles everything."""

    queryset = Feedback.objects.all()
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilterSet
    ordering_fields = ["created_at", "status", "category"]
    ordering = ["-created_at", "-pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("grid", "customer", "author", "handled_by")

    def perform_write(self, serializer):
        data = serializer.validated_data
        instance = serializer.instance
        if instance is None:
            return services.feedback_create(
                author=self.request.user,
                category=data.get("category", ""),
                text=data.get("text", ""),
                grid=data.get("grid"),
                customer=data.get("customer"),
                page=data.get("page", ""),
            )
        return services.feedback_update(
            feedback=instance,
            category=data.get("category", instance.category),
            text=data.get("text", instance.text),
            grid=data.get("grid", instance.grid),
            customer=data.get("customer", instance.customer),
        )

    def perform_remove(self, instance):
        services.feedback_delete(feedback=instance)

    @extend_schema(request=FeedbackTriageSerializer, responses={200: FeedbackSerializer})
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        """Set the status (in_progress, resolved, rejected) and the response."""
        feedback = self.get_object()
        if not services.feedback_can_triage(request.user, feedback):
            raise exceptions.PermissionDenied
        params = FeedbackTriageSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            feedback = services.feedback_triage(
                feedback=feedback, user=request.user, **params.validated_data
            )
        return Response(FeedbackSerializer(feedback, context={"request": request}).data)
