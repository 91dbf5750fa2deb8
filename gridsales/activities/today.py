"""The Today page's reads: whom to contact, what is planned, which next steps are due.

A rep's day: the customers they own that are due or overdue for contact
(gridsales.care.cadence), their planned activities of today and the overdue ones, visits
checked in but not yet out, planned follow-ups (回访), next steps due and the planned
route of the day (gridsales.routes). A manager's own day counts the customers of their
grids; a manager (or an HQ role) may look at the day of anyone they can see. A fixed number of queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from gridsales.accounts.models import User
from gridsales.activities.choices import ActivityPurpose, ActivityStatus
from gridsales.activities.models import Activity
from gridsales.care.cadence import ContactStatus, State, contact_statuses
from gridsales.core.scope import scope_for
from gridsales.customers.models import Contact, Customer
from gridsales.routes.selectors import DayRoute, day_route
from gridsales.team.models import Membership

# Rows shown per section; the counts tell when there are more.
DUE_LIMIT = 50
ACTIVITY_LIMIT = 100


@dataclass
class DueContact:
    customer: Customer
    status: ContactStatus
    contact: Contact | None


@dataclass
class Today:
    subject: User  # whose day it is
    on: dt.date
    own: bool  # the viewer's own day (the buttons act); else a read-only look
    due: list[DueContact] = field(default_factory=list)
    due_total: int = 0
    overdue_total: int = 0
    in_progress: list[Activity] = field(default_factory=list)
    planned: list[Activity] = field(default_factory=list)
    overdue: list[Activity] = field(default_factory=list)
    followups: list[Activity] = field(default_factory=list)
    next_steps: list[Activity] = field(default_factory=list)
    route: DayRoute | None = None  # the planned visit route of the day (gridsales.routes)

    @property
    def planned_count(self) -> int:
        return len(self.in_progress) + len(self.planned) + len(self.overdue)

    @property
    def followup_count(self) -> int:
        return len(self.followups) + len(self.next_steps)

    @property
    def is_empty(self) -> bool:
        return not (
            self.due
            or self.in_progress
            or self.planned
            or self.overdue
            or self.followups
            or self.next_steps
        )


def can_pick_people(viewer) -> bool:
    """Managers and HQ roles may look at someone else's day."""
    scope = scope_for(viewer)
    return scope.is_manager or scope.read_all


def pickable_people(viewer):
    """Whose day `viewer` may open: visible people with a membership in force."""
    active = Membership.objects.active().values("user_id")
    return (
        User.objects.restrict(viewer, "view")
        .filter(is_active=True, pk__in=active)
        .order_by("username")
    )


def _customers(viewer, subject):
    if viewer.pk != subject.pk:
        return Customer.objects.restrict(viewer, "view").filter(owner=subject)
    if scope_for(viewer).is_manager:
        return Customer.objects.restrict(viewer, "view")
    return Customer.objects.filter(owner=viewer)


def _due_contacts(viewer, subject, on: dt.date) -> tuple[list[DueContact], int, int]:
    statuses = [
        s
        for s in contact_statuses(_customers(viewer, subject), on=on)
        if s.state in (State.OVERDUE, State.DUE)
    ]
    statuses.sort(key=lambda s: (-s.overdue_days, s.due_on, s.customer_id))
    overdue = sum(1 for s in statuses if s.state == State.OVERDUE)
    shown = statuses[:DUE_LIMIT]
    ids = [s.customer_id for s in shown]
    customers = Customer.objects.select_related("current_grid").in_bulk(ids)
    primary = {
        c.customer_id: c for c in Contact.objects.filter(customer_id__in=ids, is_primary=True)
    }
    rows = [
        DueContact(customers[s.customer_id], s, primary.get(s.customer_id))
        for s in shown
        if s.customer_id in customers
    ]
    return rows, len(statuses), overdue


def today_for(*, viewer, subject=None, on: dt.date | None = None) -> Today:
    """`subject`'s day (default the viewer's), as much of it as `viewer` may see."""
    subject = subject or viewer
    on = on or timezone.localdate()
    end = timezone.make_aware(dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min))
    start = end - dt.timedelta(days=1)
    today = Today(subject=subject, on=on, own=viewer.pk == subject.pk)
    today.due, today.due_total, today.overdue_total = _due_contacts(viewer, subject, on)
    today.route = day_route(viewer=viewer, rep=subject, day=on)

    mine = Activity.objects.restrict(viewer, "view").filter(owner=subject)
    planned = (
        mine.filter(status=ActivityStatus.PLANNED)
        .filter(Q(planned_at__lt=end) | Q(checkin_at__isnull=False))
        .select_related("customer", "contact")
        .order_by("planned_at", "pk")[:ACTIVITY_LIMIT]
    )
    for activity in planned:
        if activity.checkin_at is not None:
            today.in_progress.append(activity)
        elif activity.purpose == ActivityPurpose.FOLLOW_UP:
            today.followups.append(activity)
        elif activity.planned_at < start:
            today.overdue.append(activity)
        else:
            today.planned.append(activity)
    today.next_steps = list(
        mine.filter(next_step_due__lte=on, next_step_done=False)
        .exclude(next_step="")
        .exclude(status=ActivityStatus.CANCELLED)
        .select_related("customer")
        .order_by("next_step_due", "pk")[:ACTIVITY_LIMIT]
    )
    return today
