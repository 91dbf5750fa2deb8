"""The visit-route settings, read once from the environment (`settings.ROUTES`).

Every value has a default and a bad one stops start-up with a message that names the
variable (docs/configuration.md). Times of day are minutes since midnight, local time.
No Django import but its ImproperlyConfigured, so settings.py can load this module.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

TIERS = ("A", "B", "C", "D")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class RoutesConfig:
    """What planning a route assumes, unless a customer or a rep says otherwise."""

    business_hours: tuple[int, int] = (9 * 60, 18 * 60)  # customers without their own
    working_hours: tuple[int, int] = (8 * 60 + 30, 18 * 60)  # a rep's day, depot to depot
    lunch_window: tuple[int, int] = (12 * 60, 13 * 60)  # the break starts in this window
    lunch_minutes: int = 45
    road_factor: float = 1.3  # road distance ÷ great-circle distance
    speed_kmh: float = 30.0
    service_minutes: Mapping[str, int] = field(
        default_factory=lambda: {"A": 45, "B": 30, "C": 20, "D": 15}
    )
    visit_minutes: int = 30  # a planned visit without a duration of its own
    appointment_slack: int = 15  # an appointment starts at its time, or this much later
    office: tuple[float, float] = (31.2304, 121.4737)  # latitude, longitude (WGS-84)
    day_time_limit: float = 1.0  # seconds of search for one rep's day
    week_time_limit: float = 20.0  # seconds for a whole team's week

    def service_for(self, tier: str) -> int:
        return self.service_minutes.get(tier, self.visit_minutes)


def _time_range(name: str, value: str) -> tuple[int, int]:
    match = _RANGE.match(value)
    if not match:
        raise ImproperlyConfigured(f"{name} must look like 09:00-18:00, not {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        raise ImproperlyConfigured(f"{name}: {value!r} is not a time of day")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise ImproperlyConfigured(f"{name}: {value!r} ends before it starts")
    return start, end


def _number(name: str, value: str, *, minimum: float, integer: bool = False) -> float:
    try:
        number = int(value) if integer else float(value)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise ImproperlyConfigured(f"{name} must be {kind}, not {value!r}") from None
    if not math.isfinite(number) or number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum:g}, not {value!r}")
    return number


def _service(name: str, value: str) -> dict[str, int]:
    minutes = dict(RoutesConfig().service_minutes)
    for item in value.split(","):
        tier, _, number = item.partition(":")
        tier = tier.strip().upper()
        if tier not in TIERS or not number.strip():
            raise ImproperlyConfigured(f"{name} must look like A:45,B:30,C:20,D:15, not {value!r}")
        minutes[tier] = int(_number(name, number.strip(), minimum=1, integer=True))
    return minutes


def _point(name: str, value: str) -> tuple[float, float]:
    try:
        lat, lng = (float(v) for v in value.split(","))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be LATITUDE,LONGITUDE, not {value!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ImproperlyConfigured(f"{name}: {value!r} is not a WGS-84 latitude,longitude")
    return lat, lng


def routes_config(environ: Mapping[str, str]) -> RoutesConfig:
    """The settings from GRIDSALES_ROUTES_* variables, defaults for the ones not set."""
    values: dict = {}

    def get(suffix: str) -> tuple[str, str] | None:
        name = f"GRIDSALES_ROUTES_{suffix}"
        value = environ.get(name, "")
        return (name, value) if value.strip() else None

    for key, suffix in (
        ("business_hours", "BUSINESS_HOURS"),
        ("working_hours", "WORKING_HOURS"),
        ("lunch_window", "LUNCH"),
    ):
        if found := get(suffix):
            values[key] = _time_range(*found)
    for key, suffix, minimum, integer in (
        ("lunch_minutes", "LUNCH_MINUTES", 0, True),
        ("road_factor", "ROAD_FACTOR", 1, False),
        ("speed_kmh", "SPEED_KMH", 1, False),
        ("visit_minutes", "VISIT_MINUTES", 1, True),
        ("appointment_slack", "APPOINTMENT_SLACK_MINUTES", 0, True),
        ("day_time_limit", "DAY_TIME_LIMIT", 0.1, False),
        ("week_time_limit", "WEEK_TIME_LIMIT", 1, False),
    ):
        if found := get(suffix):
            values[key] = _number(*found, minimum=minimum, integer=integer)
    if found := get("SERVICE_MINUTES"):
        values["service_minutes"] = _service(*found)
    if found := get("OFFICE"):
        values["office"] = _point(*found)
    config = RoutesConfig(**values)
    work, lunch = config.working_hours, config.lunch_window
    if not (work[0] <= lunch[0] and lunch[1] + config.lunch_minutes <= work[1]):
        raise ImproperlyConfigured(
            "GRIDSALES_ROUTES_LUNCH and _LUNCH_MINUTES: the lunch break must fit inside "
            "GRIDSALES_ROUTES_WORKING_HOURS"
        )
    return config
