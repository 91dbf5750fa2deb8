"""Follow-up visits (回访) scheduled by rule after an order or a done visit.

The order and activity services call `followups_schedule` with the events they just
wrote; every active FollowUpRule of the event's trigger whose tiers include the
customer's tier plans one activity `delay_days` later for the event's rep. A follow-up
whose date has already passed is not planned (an import of last year's orders does not
flood today's lists), and an event never gets the same rule's follow-up twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.activities.choices import ActivityPurpose, ActivityStatus
from gridsales.activities.models import Activity
from gridsales.care.models import FollowUpRule
from gridsales.customers.models import Customer

# Follow-ups are planned for this local time of their day.
FOLLOW_UP_TIME = dt.time(10, 0)
CHUNK = 500


@dataclass(frozen=True)
class FollowUpEvent:
    """Something that may call for a follow-up: an order (order_id) or a visit (activity_id)
    of `customer_id`, on date `on`, by rep `owner_id`."""

    trigger: str  # a FollowUpTrigger value
    customer_id: int
    owner_id: int
    on: dt.date
    order_id: int | None = None
    activity_id: int | None = None


def _planned_at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, FOLLOW_UP_TIME))


@transaction.atomic
def followups_schedule(*, events: list[FollowUpEvent], today: dt.date | None = None) -> int:
    """Plan the follow-up activities the active rules ask for after `events`; returns how
    many were created. Bulk: a few queries whatever the number of events."""
    if not events:
        return 0
    rules = list(FollowUpRule.objects.filter(is_active=True).order_by("pk"))
    if not rules:
        return 0
    today = today or timezone.localdate()
    customer_ids = sorted({e.customer_id for e in events})
    customers: dict[int, tuple[str, str, int | None]] = {}
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start : start + CHUNK]
        for pk, tier, name, grid_id in Customer.objects.filter(pk__in=chunk).values_list(
            "pk", "tier", "name", "current_grid_id"
        ):
            customers[pk] = (tier, name, grid_id)
    existing = _existing_followups(events)
    new: list[Activity] = []
    for event in events:
        if event.customer_id not in customers:
            continue
        tier, name, grid_id = customers[event.customer_id]
        for rule in rules:
            if rule.trigger != event.trigger or (rule.tiers and tier not in rule.tiers):
                continue
            due = event.on + dt.timedelta(days=rule.delay_days)
            if due < today:
                continue
            key = (event.order_id, event.activity_id, rule.activity_type, due)
            if key in existing:
                continue
            existing.add(key)
            new.append(
                Activity(
                    type=rule.activity_type,
                    status=ActivityStatus.PLANNED,
                    purpose=ActivityPurpose.FOLLOW_UP,
                    subject=_("Follow-up: {rule} ({customer})").format(
                        rule=rule.name, customer=name
                    )[:200],
                    customer_id=event.customer_id,
                    owner_id=event.owner_id,
                    grid_id=grid_id,
                    planned_at=_planned_at(due),
                    origin_order_id=event.order_id,
                    origin_activity_id=event.activity_id,
                )
            )
    # Follow-ups are few per event and written in bulk; the order or visit that caused
    # them is audited, and each follow-up points back at it.
    Activity.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _existing_followups(events: list[FollowUpEvent]) -> set[tuple]:
    """(order, activity, type, day) of follow-ups already planned for these events."""
    found: set[tuple] = set()
    order_ids = sorted({e.order_id for e in events if e.order_id})
    activity_ids = sorted({e.activity_id for e in events if e.activity_id})
    for field, ids in (("origin_order_id", order_ids), ("origin_activity_id", activity_ids)):
        for start in range(0, len(ids), CHUNK):
            rows = Activity.objects.filter(
                **{f"{field}__in": ids[start : start + CHUNK]}, purpose=ActivityPurpose.FOLLOW_UP
            ).values_list("origin_order_id", "origin_activity_id", "type", "planned_at")
            for order_id, activity_id, kind, planned_at in rows:
                day = timezone.localtime(planned_at).date() if planned_at else None
                found.add((order_id, activity_id, kind, day))
    return found
