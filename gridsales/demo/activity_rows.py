"""Activity rows for the demo: drafts, their times and notes, and visit check-ins.

Visits are checked in near the customer (where it was on that day: movers had another
address); a few are far away, and both flags are set as the check-in service sets them.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import shapely
from django.conf import settings

from gridsales.activities.choices import ActivityStatus, ActivityType, CheckInFlag
from gridsales.demo import phrases
from gridsales.demo.history import History
from gridsales.grids.spatial import haversine_m

DURATION = {
    ActivityType.VISIT: (20, 90),
    ActivityType.CALL: (3, 20),
    ActivityType.WECHAT: (5, 15),
    ActivityType.MEETING: (30, 120),
}
CHECKIN_SHARE = 0.85
FAR_SHARE = 0.05


@dataclass
class Drafts:
    """Activities to write, column by column."""

    customer: list[int] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    minutes: list[int] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    purpose: list[str] = field(default_factory=list)
    owner: list[int] = field(default_factory=list)
    deal: list[int] = field(default_factory=list)  # opportunity pk, 0 for none
    order: list[int] = field(default_factory=list)  # origin order pk, 0 for none
    origin: list[int] = field(default_factory=list)  # origin visit pk, 0 for none
    subject: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)

    # Positional like a row: customer, day, minutes, type, purpose, owner, subject.
    def add(
        self,
        i,
        day,
        minutes,
        kind,
        purpose,
        owner,
        subject,
        *,
        deal=0,
        order=0,
        origin=0,
        status=ActivityStatus.DONE,
    ):
        self.customer.append(int(i))
        self.day.append(int(day))
        self.minutes.append(int(minutes))
        self.type.append(kind)
        self.purpose.append(purpose)
        self.owner.append(int(owner))
        self.deal.append(int(deal))
        self.order.append(int(order))
        self.origin.append(int(origin))
        self.subject.append(subject)
        self.status.append(status)

    def __len__(self) -> int:
        return len(self.day)


class Places:
    """Where reps may check in without a flag: the grids they were ever members of."""

    def __init__(self, history: History):
        grids: dict[int, list] = {}
        for grid_id, rows in history.team.members.items():
            leaf = history.leaves.get(grid_id)
            for user_id, _first, _last in rows:
                if leaf is not None:
                    grids.setdefault(user_id, []).append(leaf.geom)
        self.areas = {}
        for user_id, geoms in grids.items():
            area = shapely.union_all(geoms)
            shapely.prepare(area)
            self.areas[user_id] = area

    def inside(self, user_id: int, lng: float, lat: float) -> bool:
        area = self.areas.get(user_id)
        return area is not None and bool(shapely.contains_xy(area, lng, lat))


class Maker:
    """Turns drafts into Activity rows: times, durations, notes, check-ins."""

    def __init__(self, history: History, gen):
        self.history = history
        self.gen = gen
        self.places = Places(history)
        self.radius = settings.CHECKIN_RADIUS_M

    def pick(self, pool):
        return pool[int(self.gen.integers(len(pool)))]

    def make(self, drafts: Drafts, k: int, status: str | None = None) -> dict:
        """One Activity row, as a dict by field attname (rows.insert_rows)."""
        h, gen = self.history, self.gen
        i, day, kind = drafts.customer[k], drafts.day[k], drafts.type[k]
        status = status or drafts.status[k]
        start = h.calendar.at(day, drafts.minutes[k])
        contact = int(h.contact[i])
        activity = {
            "type": kind,
            "status": status,
            "purpose": drafts.purpose[k],
            "subject": drafts.subject[k][:200],
            "customer_id": int(h.ids[i]),
            "contact_id": contact if contact > 0 else None,
            "opportunity_id": drafts.deal[k] or None,
            "owner_id": drafts.owner[k],
            "grid_id": h.grid_on(i, day),
            "planned_at": start,
            "origin_order_id": drafts.order[k] or None,
            "origin_activity_id": drafts.origin[k] or None,
        }
        if status == ActivityStatus.DONE:
            limits = DURATION.get(kind)
            duration = int(gen.integers(*limits)) if limits else None
            activity["duration_minutes"] = duration
            activity["done_at"] = start + dt.timedelta(minutes=duration or 0)
            activity["notes"] = self.pick(phrases.NOTES)
            activity["outcome"] = self.pick(phrases.OUTCOMES)
            if kind == ActivityType.VISIT and gen.random() < CHECKIN_SHARE:
                self.check_in(activity, i, day)
        elif status == ActivityStatus.CANCELLED:
            activity["outcome"] = "客户临时有事，已取消"
        return activity

    def check_in(self, activity: dict, i: int, day: int) -> None:
        """Check in at the start of the visit, near where the customer was that day (a few
        from far away), and out at its end; flags as the check-in service sets them."""
        gen = self.gen
        lng, lat = self.history.position_on(i, day)
        far = gen.random() < FAR_SHARE
        metres = float(gen.uniform(600, 3000)) if far else abs(float(gen.normal(0.0, 45.0)))
        bearing = float(gen.uniform(0, 2 * math.pi))
        metres_per_degree = 111_320.0
        here_lat = round(lat + metres * math.cos(bearing) / metres_per_degree, 6)
        here_lng = round(
            lng + metres * math.sin(bearing) / (metres_per_degree * math.cos(math.radians(lat))),
            6,
        )
        # As activities.services.checkin_judgement: to 0.1 m, then against the radius.
        distance = round(float(haversine_m(lng, lat, here_lng, here_lat)), 1)
        flags = []
        if distance > self.radius:
            flags.append(CheckInFlag.FAR.value)
        if not self.places.inside(activity["owner_id"], here_lng, here_lat):
            flags.append(CheckInFlag.OUTSIDE_GRID.value)
        drift = gen.normal(0.0, 15.0, 2) / metres_per_degree
        activity.update(
            checkin_at=activity["planned_at"],
            checkin_lat=here_lat,
            checkin_lng=here_lng,
            checkin_accuracy_m=round(float(gen.uniform(5, 80 if far else 35)), 1),
            checkin_distance_m=distance,
            checkin_flags=flags,
            checkout_at=activity["done_at"],
            checkout_lat=round(here_lat + float(drift[0]), 6),
            checkout_lng=round(here_lng + float(drift[1]), 6),
        )
