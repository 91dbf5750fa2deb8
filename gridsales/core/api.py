"""API building blocks: the scoped base viewset and reference fields.

Every viewset derives from ScopedModelViewSet, which applies `restrict(user, action)` in one
place: objects outside the caller's view scope answer 404; objects the caller may see but
not change answer 403; a write that would put an object outside the caller's scope is
rolled back with 403.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, viewsets

from gridsales.core.context import current_user


class ScopedSlugRelatedField(serializers.SlugRelatedField):
    """A reference by code/username that only resolves objects the caller may see."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.restrict(request.user if request else None, "view")


def ensure_allowed(user, instance, action: str) -> None:
    """403 unless `user` may `action` this (already visible) object."""
    model = type(instance)
    if not model.objects.restrict(user, action).filter(pk=instance.pk).exists():
        raise exceptions.PermissionDenied(
            _("You are not allowed to do this to the object: {action}.").format(
                action=_ACTION_LABELS[action]()
            )
        )


_ACTION_LABELS = {
    "add": lambda: _("New"),
    "change": lambda: _("Edit"),
    "delete": lambda: _("Delete"),
}


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Base viewset: scope, permission checks and services for writes.

    Subclasses implement `perform_write(serializer)` → instance (calls a service) and may
    override `perform_remove(instance)`.
    """

    lookup_value_regex = r"[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated users are known only now; the audit log needs them.
        current_user.set(request.user if request.user.is_authenticated else None)

    def get_queryset(self):
        return self.queryset.restrict(self.request.user, "view")

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.instance = self.perform_write(serializer)
            ensure_allowed(self.request.user, serializer.instance, "add")

    def perform_update(self, serializer):
        ensure_allowed(self.request.user, serializer.instance, "change")
        with transaction.atomic():
            serializer.instance = self.perform_write(serializer)
            ensure_allowed(self.request.user, serializer.instance, "change")

    def perform_destroy(self, instance):
        ensure_allowed(self.request.user, instance, "delete")
        with transaction.atomic():
            self.perform_remove(instance)

    def perform_write(self, serializer):
        raise NotImplementedError

    def perform_remove(self, instance):
        instance.delete()
