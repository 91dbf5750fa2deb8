"""A generated, deterministic rep's day: for the benchmark, the tests and the docs.

Pure core. A rep leaves the office in Jing'an (Shanghai) at 08:30 and must be back by
18:00, with a 45-minute lunch starting between 11:30 and 13:30. Forty candidate stops lie
within about 6 km: a few fixed appointments (required, a 30-minute window), the rest due or
overdue customers with business hours (all day, mornings only or afternoons only), a
service time by tier (A 45, B 30, C 20, D 15 minutes) and a priority (overdue and higher
tiers first). More is asked than fits in a day, so the least important stops are dropped.
Times are minutes since midnight; travel is haversine × 1.3 at 25 km/h.
"""

from __future__ import annotations

import math
import random

from gridsales.routes.problem import Break, Depot, Problem, Stop, Vehicle, travel_matrices

OFFICE = (121.4474, 31.2290)  # longitude, latitude
SERVICE = {"A": 45, "B": 30, "C": 20, "D": 15}
TIER_PRIORITY = {"A": 4, "B": 3, "C": 2, "D": 1}
HOURS = [(9 * 60, 18 * 60), (9 * 60, 12 * 60), (14 * 60, 17 * 60 + 30), (10 * 60, 20 * 60)]


def rep_day(stops: int = 40, *, seed: int = 9, appointments: int = 3) -> Problem:
    """The sample day: `appointments` required stops first, then optional ones."""
    rng = random.Random(seed)
    points = []
    made: list[Stop] = []
    for index in range(stops):
        radius_km = 6.0 * math.sqrt(rng.random())
        angle = rng.uniform(0, 2 * math.pi)
        lon = OFFICE[0] + radius_km * math.cos(angle) / (111.32 * math.cos(math.radians(31.23)))
        lat = OFFICE[1] + radius_km * math.sin(angle) / 110.57
        tier = rng.choice("AABBBCCCDD")
        if index < appointments:
            start = rng.choice([10 * 60, 11 * 60, 14 * 60 + 30, 16 * 60])
            early, late, required, priority = start, start + 30, True, 10.0
        else:
            early, late = rng.choice(HOURS)
            overdue_days = rng.choice([0, 0, 0, 3, 7, 14, 30])
            required = False
            priority = TIER_PRIORITY[tier] + (2 if overdue_days >= 14 else 1 if overdue_days else 0)
        made.append(
            Stop(
                f"S{index + 1:02d}",
                lon,
                lat,
                early=early,
                late=late,
                service=SERVICE[tier],
                required=required,
                priority=priority,
            )
        )
        points.append((lon, lat))
    distance, duration = travel_matrices([OFFICE, *points], road_factor=1.3, speed_kmh=25.0)
    rep = Vehicle(
        "rep",
        shift_start=8 * 60 + 30,
        shift_end=18 * 60,
        lunch=Break(11 * 60 + 30, 13 * 60 + 30, 45),
    )
    return Problem(
        depots=[Depot("office", *OFFICE)],
        stops=made,
        vehicles=[rep],
        distance=distance,
        duration=duration,
        name=f"rep-day-{stops}",
        meta={"format": "json", "time_unit": "minute", "metric": "haversine"},
    )
