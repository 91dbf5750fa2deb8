"""Audit log writing: every create/update/delete of an AuditedModel, via model signals.

Signals are the one place that sees every save, whether it comes from a service, the API,
a form or a management command. Bulk operations (bulk_create, queryset.update) bypass
them by design; services that use them write their own summary record.
"""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_save, pre_save

from gridsales.core.context import current_request_id, current_user


def snapshot(instance) -> dict:
    """A JSON-safe dict of the instance's concrete field values (FKs as ids)."""
    data = {}
    exclude = set(getattr(instance, "audit_exclude", ()))
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, datetime.datetime | datetime.date | datetime.time):
            value = value.isoformat()
        elif isinstance(value, decimal.Decimal | uuid.UUID):
            value = str(value)
        data[field.name] = value
    return data


def record(instance, action: str, before: dict | None, after: dict | None):
    from gridsales.core.models import ObjectChange

    user = current_user.get()
    return ObjectChange.objects.create(
        user=user if user is not None and user.pk else None,
        user_name=user.get_username() if user is not None else "system",
        request_id=current_request_id.get(),
        action=action,
        content_type=ContentType.objects.get_for_model(type(instance), for_concrete_model=True),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        before=before,
        after=after,
    )


def _pre_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = None
    if instance.pk is not None and not instance._state.adding:
        old = type(instance)._base_manager.filter(pk=instance.pk).first()
        before = snapshot(old) if old is not None else None
    instance._audit_before = before


def _without_auto_now(instance, data: dict | None) -> dict:
    auto = {f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)}
    return {k: v for k, v in (data or {}).items() if k not in auto}


def _post_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_audit_before", None)
    after = snapshot(instance)
    if not created and _without_auto_now(instance, before) == _without_auto_now(instance, after):
        return  # a save that changed nothing (but its auto_now timestamp) is not a change
    record(instance, "create" if created else "update", before, after)


def _post_delete(sender, instance, **kwargs):
    record(instance, "delete", snapshot(instance), None)


def _audited_models():
    from django.apps import apps

    from gridsales.core.models import AuditedModel

    return [m for m in apps.get_models() if issubclass(m, AuditedModel)]


def connect_signals() -> None:
    for model in _audited_models():
        uid = f"gridsales-audit-{model._meta.label_lower}"
        pre_save.connect(_pre_save, sender=model, dispatch_uid=uid + "-pre")
        post_save.connect(_post_save, sender=model, dispatch_uid=uid + "-post")
        post_delete.connect(_post_delete, sender=model, dispatch_uid=uid + "-del")
