"""Route test data: customers placed at exact distances, the persona world's plans for the
permission matrix, and a crowd of plans for the list endpoints' query check."""

from __future__ import annotations

import datetime as dt
import math

from django.utils import timezone

from gridsales.activities.tests.factories import ActivityFactory
from gridsales.care.models import CadencePolicy
from gridsales.customers.models import Customer
from gridsales.customers.tests.factories import CustomerFactory
from gridsales.grids.spatial import EARTH_RADIUS_M
from gridsales.routes import services
from gridsales.routes.config import RoutesConfig
from gridsales.routes.models import RoutePlan, WeekPlan

OFFICE = RoutesConfig().office  # (lat, lng)
# Along a meridian the great-circle distance is exactly R × Δlatitude: customers placed
# due north or south of the office are exactly so many metres away (× 1.3 by road; at
# 30 km/h, 1 000 m is 2.6 minutes).
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def moment(day: dt.date, hhmm: str) -> dt.datetime:
    hour, minute = (int(x) for x in hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def placed(
    code: str,
    *,
    owner=None,
    north_m: float | None = 0.0,
    tier: str = "A",
    grid=None,
    hours: tuple[str, str] | None = None,
    created_days_ago: int = 30,
    **fields,
) -> Customer:
    """A customer `north_m` metres north of the office (negative: south; None: no location),
    created long enough ago to be overdue under a 7-day cadence."""
    customer = CustomerFactory(
        code=code, name=f"客户 {code}", owner=owner, tier=tier, current_grid=grid, **fields
    )
    update = {"created_at": timezone.now() - dt.timedelta(days=created_days_ago)}
    if north_m is not None:
        update |= {"lat": OFFICE[0] + north_m / METRES_PER_DEGREE, "lng": OFFICE[1]}
    if hours:
        update |= {
            "opens_at": dt.time.fromisoformat(hours[0]),
            "closes_at": dt.time.fromisoformat(hours[1]),
        }
    Customer.objects.filter(pk=customer.pk).update(**update)
    customer.refresh_from_db()
    return customer


def appointment(customer, rep, day: dt.date, hhmm: str, minutes: int = 30, **fields):
    fields.setdefault("subject", f"拜访 {customer.code}")
    return ActivityFactory(
        customer=customer,
        owner=rep,
        planned_at=moment(day, hhmm),
        duration_minutes=minutes,
        **fields,
    )


def bare_plan(rep, day: dt.date, **fields) -> RoutePlan:
    """A plan row without stops (no solver), with today's settings."""
    values = services._plan_fields(rep, services.config()) | fields
    return RoutePlan.objects.create(rep=rep, day=day, **values)


def tiny_day(world, on: dt.date | None = None):
    """The rep's day `on` (default tomorrow). Office at the origin; everything due north or south of it, so that 1 000 m is
    exactly 1 300 m by road, 2.6 minutes at 30 km/h.

    Appointments (30 min): A 1 km north at 09:00, B 2 km north at 10:00, C 1 km south at
    14:00. Due customers (7-day cadence, created 30 days ago): D (tier A) 2 km south, open
    15:00–16:00 (45 min: it must start by 15:15); E (tier D) 2.5 km south, open 15:00–15:45
    (15 min): D and E cannot both fit, E matters less. F (tier C) opens only at 19:00.
    G has an appointment at 11:00 but no location."""
    for tier in "ACD":
        CadencePolicy.objects.create(tier=tier, interval_days=7)
    rep, on = world.users["rep"], on or tomorrow()
    c = {
        "A": placed("T-A", owner=rep, north_m=1000, created_days_ago=1),
        "B": placed("T-B", owner=rep, north_m=2000, created_days_ago=1),
        "C": placed("T-C", owner=rep, north_m=-1000, created_days_ago=1),
        "D": placed("T-D", owner=rep, north_m=-2000, hours=("15:00", "16:00")),
        "E": placed("T-E", owner=rep, north_m=-2500, tier="D", hours=("15:00", "15:45")),
        "F": placed("T-F", owner=rep, north_m=500, tier="C", hours=("19:00", "20:00")),
        "G": placed("T-G", owner=rep, north_m=None, created_days_ago=1),
    }
    world.day = on
    world.c = c
    world.visits = {
        "A": appointment(c["A"], rep, on, "09:00"),
        "B": appointment(c["B"], rep, on, "10:00"),
        "C": appointment(c["C"], rep, on, "14:00"),
        "G": appointment(c["G"], rep, on, "11:00"),
    }
    return world


MATRIX_PLANS = ("rep", "rep2", "outsider")


def route_world(world) -> dict[str, int]:
    """A draft route for tomorrow of rep, rep2 and the outsider (nothing to visit: no
    customer of theirs has a location), for the API permission matrix. {rep: pk}."""
    cached = getattr(world, "_routes", None)
    if cached is not None:
        return cached
    made = {
        name: services.route_plan_day(
            rep=world.users[name], day=tomorrow(), user=world.users["admin"], time_limit=0.05
        ).pk
        for name in MATRIX_PLANS
    }
    world._routes = made
    return made


def week_world(world) -> dict[str, int]:
    """Team weeks (no days) of R1-A1-G1 and R2-A1-G1 for next week. {grid code: pk}."""
    cached = getattr(world, "_weeks", None)
    if cached is not None:
        return cached
    made = {
        code: WeekPlan.objects.create(grid=world.grids[code], week_start=next_monday()).pk
        for code in ("R1-A1-G1", "R2-A1-G1")
    }
    world._weeks = made
    return made


def crowd_routes(world) -> None:
    """A plan for each extra rep of the crowded world (test_api_lists) and a team week for
    each extra grid, all inside R1."""
    from gridsales.accounts.models import User
    from gridsales.grids.models import Grid

    for user in User.objects.filter(username__startswith="extra"):
        bare_plan(user, tomorrow())
    for grid in Grid.objects.filter(code__startswith="R1-A1-X"):
        WeekPlan.objects.create(grid=grid, week_start=next_monday())
