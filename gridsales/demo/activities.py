"""Demo activities: two years of visits, calls, WeChat, emails and meetings, and the weeks
around today.

The contact cadence drives the shape: every customer on a cadence gets a last contact
inside its interval, except a share (more of the dormant ones, and at least one per rep)
whose last contact is older, so the overdue lists have something to show and most
customers are fine. Around that: deal work during each deal's life, follow-ups (回访)
after some orders and after visits to tier A customers, as the follow-up rules ask, and
older contacts. Planned activities fill the next two weeks (with the follow-ups the rules
would have planned for the last days' orders and visits), a few planned ones are overdue,
and every rep has visits planned for today and a next step due today.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.customers.choices import CustomerStatus
from gridsales.demo import phrases
from gridsales.demo.activity_rows import Drafts, Maker
from gridsales.demo.care import (
    ORDER_FOLLOW_UP_DAYS,
    VISIT_FOLLOW_UP_DAYS,
    Visits,
    interval_days,
)
from gridsales.demo.deals import Deals
from gridsales.demo.history import History, np_rng
from gridsales.demo.plan import Progress
from gridsales.demo.rows import insert_rows, next_pk, reset_sequences
from gridsales.demo.sales import Orders

PLANNED_DAYS = 14
FOLLOW_UP_MINUTES = 10 * 60  # follow-ups are planned for 10:00 (care.followups)

TYPES = [
    ActivityType.VISIT,
    ActivityType.CALL,
    ActivityType.WECHAT,
    ActivityType.EMAIL,
    ActivityType.MEETING,
]
TYPE_SHARES = np.array([0.35, 0.30, 0.20, 0.08, 0.07])
DEAL_TYPE_SHARES = np.array([0.35, 0.30, 0.15, 0.05, 0.15])
OVERDUE_SHARE = {
    CustomerStatus.ACTIVE: 0.08,
    CustomerStatus.DORMANT: 0.35,
    CustomerStatus.LEAD: 0.15,
    CustomerStatus.PROSPECT: 0.12,
}
TIER_CONTACTS = {"A": 8.0, "B": 4.0, "C": 2.0, "D": 1.0}
ORDER_FOLLOW_UP_SHARE = {"A": 0.08, "B": 0.05, "C": 0.02, "D": 0.01}
VISIT_FOLLOW_UP_SHARE = 0.5
PLANNED_SHARE = 0.05
OVERDUE_PLANNED_SHARE = 0.01
CANCELLED_SHARE = 0.02
NEXT_STEP_SHARE = 0.3
TODAY_SLOTS = [
    (9 * 60 + 30, ActivityType.VISIT),
    (11 * 60, ActivityType.CALL),
    (14 * 60 + 30, ActivityType.VISIT),
    (16 * 60, ActivityType.MEETING),
]


@dataclass
class Cadence:
    """Each customer's interval and designated last contact (day, -1 when none)."""

    interval: np.ndarray
    last: np.ndarray
    overdue: np.ndarray
    capped: np.ndarray  # nothing done may follow `last` (overdue or lost customers)


def plan_cadence(history: History, gen) -> Cadence:
    cal = history.calendar
    today = cal.days - 1
    n = len(history)
    interval = np.array(
        [
            interval_days(
                history.tier[i],
                history.industry[i],
                history.grid_codes.get(int(history.grid[i]), ""),
            )
            for i in range(n)
        ],
        dtype=np.int64,
    )
    share = np.array([OVERDUE_SHARE.get(s, 0.0) for s in history.status])
    lost = history.status == CustomerStatus.LOST
    overdue = ~lost & (gen.random(n) < share)
    # Every rep has at least one customer to catch up with (one old enough to be late).
    for _owner, mine in sorted(history.by_owner().items()):
        mine = mine[~lost[mine] & (history.created[mine] + interval[mine] + 1 < today)]
        if len(mine) and not overdue[mine].any():
            overdue[mine[0]] = True
    since = np.where(
        overdue,
        interval + gen.integers(1, interval + 11),
        gen.integers(1, np.maximum(interval, 2)),
    )
    last = np.minimum(np.maximum(today - since, np.maximum(history.created, 0)), today - 1)
    lost_last = today - gen.integers(200, 600, n)
    lost_contact = lost & (gen.random(n) < 0.7) & (lost_last >= np.maximum(history.created, 0))
    last = np.where(lost, np.where(lost_contact, lost_last, -1), last)
    return Cadence(interval=interval, last=last, overdue=overdue, capped=overdue | lost)


def build_activities(
    *,
    history: History,
    orders: Orders,
    deals: Deals,
    per_customer: float,
    seed: int,
    progress: Progress,
) -> tuple[int, Visits]:
    """Write ~per_customer activities per customer; returns (count, the done visits)."""
    gen = np_rng(seed, "activities")
    cal = history.calendar
    today = cal.days - 1
    n = len(history)
    target = round(n * per_customer)
    cadence = plan_cadence(history, gen)
    done = Drafts()

    def working_minutes(size=None):
        return gen.integers(9 * 60, 18 * 60, size)

    for i in np.flatnonzero(cadence.last >= 0).tolist():
        day = int(cadence.last[i])
        kind = TYPES[int(gen.choice(5, p=TYPE_SHARES))]
        done.add(
            i,
            day,
            working_minutes(),
            kind,
            ActivityPurpose.CONTACT,
            history.rep_on(i, day),
            _subject(kind, gen),
        )

    tiers = history.tier[orders.customer]
    chance = np.array([ORDER_FOLLOW_UP_SHARE[t] for t in tiers])
    follow = (
        (~orders.cancelled)
        & (orders.day + ORDER_FOLLOW_UP_DAYS < today)
        & (gen.random(len(tiers)) < chance)
    )
    for k in np.flatnonzero(follow).tolist():
        i = int(orders.customer[k])
        done.add(
            i,
            orders.day[k] + ORDER_FOLLOW_UP_DAYS,
            working_minutes(),
            ActivityType.CALL,
            ActivityPurpose.FOLLOW_UP,
            orders.rep[k],
            phrases.ORDER_FOLLOW_UP.format(customer=history.names[i])[:200],
            order=orders.ids[k],
        )

    for d in range(len(deals.ids)):
        first, last = int(deals.created[d]), int(min(deals.ended[d], today - 1))
        for day in sorted(gen.integers(first, last + 1, 1 + min(3, int(gen.poisson(1.0))))):
            kind = TYPES[int(gen.choice(5, p=DEAL_TYPE_SHARES))]
            subject = phrases.SALES_SUBJECTS[int(gen.integers(len(phrases.SALES_SUBJECTS)))]
            done.add(
                deals.customer[d],
                day,
                working_minutes(),
                kind,
                ActivityPurpose.SALES,
                deals.owner[d],
                subject,
                deal=deals.ids[d],
            )

    planned = _planned(history, cadence, orders, gen)
    extra = max(0, target - len(done) - len(planned))
    _older_contacts(history, cadence, done, extra, gen)

    keep = [
        not (cadence.capped[i] and day > cadence.last[i])
        for i, day in zip(done.customer, done.day, strict=True)
    ]
    order = sorted(
        (k for k in range(len(done)) if keep[k]), key=lambda k: (done.day[k], done.minutes[k], k)
    )
    cancelled = gen.random(len(order)) < CANCELLED_SHARE
    maker = Maker(history, gen)
    first_rows = [
        maker.make(done, k, ActivityStatus.CANCELLED if c else ActivityStatus.DONE)
        for k, c in zip(order, cancelled, strict=True)
    ]
    _next_steps(history, first_rows, gen)
    first_id = next_pk(Activity)
    for offset, row in enumerate(first_rows):
        row["id"] = first_id + offset
    progress("activities", 0, len(first_rows) + len(planned))
    insert_rows(Activity, first_rows, with_pk=True)
    progress("activities", len(first_rows), len(first_rows) + len(planned))

    visits = [
        a
        for a in first_rows
        if a["type"] == ActivityType.VISIT and a["status"] == ActivityStatus.DONE
    ]
    second = _visit_follow_ups(history, cadence, visits, planned, gen)
    rows = [maker.make(second, k) for k in range(len(second))]
    for offset, row in enumerate(rows):
        row["id"] = first_id + len(first_rows) + offset
    insert_rows(Activity, rows, with_pk=True)
    reset_sequences(Activity)
    total = len(first_rows) + len(rows)
    progress("activities", total, total)
    checked = [a for a in visits if a.get("checkin_at") is not None]
    index = {int(pk): i for i, pk in enumerate(history.ids.tolist())}
    return total, Visits(
        ids=np.array([a["id"] for a in checked], dtype=np.int64),
        customer=np.array([index[a["customer_id"]] for a in checked], dtype=np.int64),
        day=np.array([cal.index(a["done_at"].date()) for a in checked], dtype=np.int64),
        owner=np.array([a["owner_id"] for a in checked], dtype=np.int64),
        done_at=[a["done_at"] for a in checked],
    )


def current_reps(history: History) -> dict[int, list[int]]:
    """Members working a grid today: user pk -> their grid pks."""
    today = history.calendar.days - 1
    reps: dict[int, list[int]] = {}
    for grid_id, rows in sorted(history.team.members.items()):
        for user_id, first, last in rows:
            if first <= today <= last:
                reps.setdefault(user_id, []).append(grid_id)
    return reps


def rep_customers(history: History) -> dict[int, np.ndarray]:
    """The customers each current rep looks after today: those they own, or else (a rep
    who owns none yet) the customers of their grids. Reps with neither are left out."""
    owned = history.by_owner()
    found = {}
    for user_id, grids in sorted(current_reps(history).items()):
        mine = owned.get(user_id)
        if mine is None:
            mine = np.flatnonzero(np.isin(history.grid, grids))
        if len(mine):
            found[user_id] = mine
    return found


def _subject(kind: str, gen) -> str:
    pool = phrases.SUBJECTS[kind]
    return pool[int(gen.integers(len(pool)))]


def _shift_to_workday(history: History, day: int) -> int:
    weekday = int(history.calendar.weekday(day))
    return day + (2 if weekday == 5 else 1 if weekday == 6 else 0)


def _planned(history: History, cadence: Cadence, orders: Orders, gen) -> Drafts:
    """Planned activities: the rules' follow-ups of the last days' orders, the next two
    weeks, some left undone, and today's for every rep."""
    cal = history.calendar
    today = cal.days - 1
    n = len(history)
    planned = Drafts()
    pending = ActivityStatus.PLANNED
    recent = (~orders.cancelled) & (orders.day + ORDER_FOLLOW_UP_DAYS >= today)
    for k in np.flatnonzero(recent).tolist():
        i = int(orders.customer[k])
        subject = phrases.ORDER_FOLLOW_UP.format(customer=history.names[i])[:200]
        planned.add(
            i,
            orders.day[k] + ORDER_FOLLOW_UP_DAYS,
            FOLLOW_UP_MINUTES,
            ActivityType.CALL,
            ActivityPurpose.FOLLOW_UP,
            orders.rep[k],
            subject,
            order=orders.ids[k],
            status=pending,
        )
    on_cadence = history.status != CustomerStatus.LOST
    for i in np.flatnonzero(on_cadence & (gen.random(n) < PLANNED_SHARE)).tolist():
        day = _shift_to_workday(history, today + int(gen.integers(1, PLANNED_DAYS + 1)))
        kind = TYPES[int(gen.choice(5, p=[0.5, 0.3, 0.1, 0.0, 0.1]))]
        minutes = 30 * int(gen.integers(18, 35))
        owner = int(history.owner[i])
        planned.add(
            i,
            day,
            minutes,
            kind,
            ActivityPurpose.CONTACT,
            owner,
            _subject(kind, gen),
            status=pending,
        )
    for i in np.flatnonzero(on_cadence & (gen.random(n) < OVERDUE_PLANNED_SHARE)).tolist():
        day = today - int(gen.integers(1, 8))
        kind = TYPES[int(gen.choice(2))]
        owner = int(history.owner[i])
        planned.add(
            i,
            day,
            30 * int(gen.integers(18, 35)),
            kind,
            ActivityPurpose.CONTACT,
            owner,
            _subject(kind, gen),
            status=pending,
        )
    for rep, mine in rep_customers(history).items():
        mine = mine[on_cadence[mine]] if on_cadence[mine].any() else mine
        # The customers due first come first.
        due = cadence.last[mine] + cadence.interval[mine]
        pick = mine[np.argsort(due, kind="stable")][: int(gen.integers(2, len(TODAY_SLOTS) + 1))]
        for (minutes, kind), i in zip(TODAY_SLOTS, pick.tolist(), strict=False):
            planned.add(
                i,
                today,
                minutes,
                kind,
                ActivityPurpose.CONTACT,
                rep,
                _subject(kind, gen),
                status=pending,
            )
        i = int(mine[int(gen.integers(len(mine)))])
        day = today - int(gen.integers(1, 4))
        planned.add(
            i,
            day,
            15 * 60,
            ActivityType.CALL,
            ActivityPurpose.CONTACT,
            rep,
            _subject(ActivityType.CALL, gen),
            status=pending,
        )
    return planned


def _older_contacts(history: History, cadence: Cadence, done: Drafts, extra: int, gen) -> None:
    """`extra` earlier contacts, more for the bigger tiers, before each last contact."""
    status_factor = {
        CustomerStatus.ACTIVE: 1.0,
        CustomerStatus.DORMANT: 0.6,
        CustomerStatus.LEAD: 0.8,
        CustomerStatus.PROSPECT: 1.0,
        CustomerStatus.LOST: 0.4,
    }
    first = np.maximum(history.created, 0)
    room = cadence.last > first
    weight = np.array(
        [
            TIER_CONTACTS[t] * status_factor.get(s, 1.0)
            for t, s in zip(history.tier, history.status, strict=True)
        ]
    )
    weight = weight * room * np.minimum(1.0, (cadence.last - first).clip(0) / 365.0)
    if extra == 0 or weight.sum() == 0:
        return
    counts = gen.poisson(weight / weight.sum() * extra)
    for i in np.flatnonzero(counts).tolist():
        for day in sorted(gen.integers(first[i], cadence.last[i], counts[i]).tolist()):
            kind = TYPES[int(gen.choice(5, p=TYPE_SHARES))]
            done.add(
                i,
                day,
                gen.integers(9 * 60, 18 * 60),
                kind,
                ActivityPurpose.CONTACT,
                history.rep_on(i, day),
                _subject(kind, gen),
            )


def _next_steps(history: History, rows: list[dict], gen) -> None:
    """Next steps on some done activities (those due more than three weeks ago done, some
    of the recent ones still open); and one due today for every rep, on their latest
    activity."""
    today = history.calendar.today
    latest: dict[int, dict] = {}
    for activity in rows:
        if activity["status"] != ActivityStatus.DONE:
            continue
        latest[activity["owner_id"]] = activity
        if gen.random() < NEXT_STEP_SHARE:
            due = activity["done_at"].date() + dt.timedelta(days=int(gen.integers(2, 15)))
            activity["next_step"] = phrases.NEXT_STEPS[int(gen.integers(len(phrases.NEXT_STEPS)))]
            activity["next_step_due"] = due
            # Old next steps were done long ago; of the last weeks', some still wait.
            stale = due < today - dt.timedelta(days=21)
            activity["next_step_done"] = stale or (due < today and gen.random() < 0.6)
    for rep in current_reps(history):
        activity = latest.get(rep)
        if activity is not None:
            activity["next_step"] = activity.get("next_step") or phrases.NEXT_STEPS[0]
            activity["next_step_due"] = today
            activity["next_step_done"] = False


def _visit_follow_ups(
    history: History, cadence: Cadence, visits: list[dict], planned: Drafts, gen
) -> Drafts:
    """The visit rule's follow-ups of tier A customers (done for some past visits, planned
    for the last days'), added to the planned drafts."""
    cal = history.calendar
    today = cal.days - 1
    index = {int(pk): i for i, pk in enumerate(history.ids.tolist())}
    for visit in visits:
        i = index[visit["customer_id"]]
        if history.tier[i] != "A":
            continue
        day = cal.index(visit["done_at"].date()) + VISIT_FOLLOW_UP_DAYS
        subject = phrases.VISIT_FOLLOW_UP.format(customer=history.names[i])
        if day >= today:
            planned.add(
                i,
                day,
                FOLLOW_UP_MINUTES,
                ActivityType.CALL,
                ActivityPurpose.FOLLOW_UP,
                visit["owner_id"],
                subject,
                origin=visit["id"],
                status=ActivityStatus.PLANNED,
            )
        elif gen.random() < VISIT_FOLLOW_UP_SHARE and not (
            cadence.capped[i] and day > cadence.last[i]
        ):
            minutes = int(gen.integers(9 * 60, 18 * 60))
            planned.add(
                i,
                day,
                minutes,
                ActivityType.CALL,
                ActivityPurpose.FOLLOW_UP,
                visit["owner_id"],
                subject,
                origin=visit["id"],
            )
    return planned
