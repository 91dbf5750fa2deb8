"""Which travel times route planning uses: the offline estimate (haversine × road factor ÷
speed, the default: works without a network) or a road-network provider named by the
setting GRIDSALES_ROUTES_TRAVEL_PROVIDER (docs/routes.md, "Real road distances")."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from gridsales.routes.day import Travel


def travel_provider() -> Travel | None:
    """The configured provider — a callable taking a list of (longitude, latitude) WGS-84
    points and returning (metres, minutes) square matrices — or None for the estimate."""
    path = getattr(settings, "ROUTES_TRAVEL_PROVIDER", "")
    if not path:
        return None
    try:
        provider = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"GRIDSALES_ROUTES_TRAVEL_PROVIDER: cannot import {path!r} ({exc})"
        ) from exc
    if not callable(provider):
        raise ImproperlyConfigured(f"GRIDSALES_ROUTES_TRAVEL_PROVIDER: {path!r} is not callable")
    return provider
