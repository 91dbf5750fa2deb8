"""Shared write helpers for services."""

from django.db import models


def model_save(instance: models.Model, **fields) -> models.Model:
    """Set `fields`, validate the whole object (full_clean) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance
