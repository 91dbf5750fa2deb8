"""Writes for activities: plan, edit, complete, cancel, delete; visit check-in and check-out.

Every write validates the whole activity (`_validate` + `full_clean`) and raises Django's
ValidationError with a message per field that says what to fix. A done visit asks
gridsales.care.followups for the follow-ups its rules want (回访).
"""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gridsales.activities import selectors
from gridsales.activities.choices import (
    ActivityPurpose,
    ActivityStatus,
    ActivityType,
    CheckInFlag,
)
from gridsales.activities.models import Activity
from gridsales.care.followups import FollowUpEvent, followups_schedule
from gridsales.core.services import model_save
from gridsales.grids.spatial import haversine_m

# What activity_create and activity_update set (status moves through the other services).
ACTIVITY_FIELDS = (
    "type",
    "purpose",
    "subject",
    "customer",
    "contact",
    "opportunity",
    "owner",
    "planned_at",
    "done_at",
    "duration_minutes",
    "notes",
    "outcome",
    "next_step",
    "next_step_due",
    "next_step_done",
)
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _validate(activity: Activity) -> None:
    """The rules between fields that the model's own validation does not know."""
    errors: dict[str, str] = {}
    customer = activity.customer if activity.customer_id else None
    if activity.contact_id and customer and activity.contact.customer_id != customer.pk:
        errors["contact"] = _(
            "The contact {contact} belongs to another customer: choose a contact of {customer}."
        ).format(contact=activity.contact.name, customer=customer.name)
    if activity.opportunity_id and customer and activity.opportunity.customer_id != customer.pk:
        errors["opportunity"] = _(
            "The opportunity {opportunity} is another customer's: choose one of {customer}."
        ).format(opportunity=activity.opportunity.name, customer=customer.name)
    if activity.status == ActivityStatus.PLANNED and activity.planned_at is None:
        errors["planned_at"] = _("A planned activity needs the date and time it is planned for.")
    if activity.status == ActivityStatus.DONE:
        if activity.done_at is None:
            errors["done_at"] = _("A done activity needs the date and time it was done.")
        elif activity.done_at > timezone.now() + CLOCK_SKEW:
            errors["done_at"] = _(
                "{when} is in the future: a done activity cannot have been done later than now."
            ).format(when=_when(activity.done_at))
    if activity.next_step_due and not activity.next_step.strip():
        errors["next_step"] = _("Describe the next step, or clear its due date.")
    if errors:
        raise ValidationError(errors)


def _save(activity: Activity, **fields) -> Activity:
    for name, value in fields.items():
        setattr(activity, name, value)
    _validate(activity)
    return model_save(activity)


def _schedule_followups(activity: Activity) -> None:
    """Plan the follow-ups the rules ask for after a done visit (none twice: see followups)."""
    if activity.type != ActivityType.VISIT or activity.status != ActivityStatus.DONE:
        return
    followups_schedule(
        events=[
            FollowUpEvent(
                trigger="visit",
                customer_id=activity.customer_id,
                owner_id=activity.owner_id,
                on=timezone.localtime(activity.done_at).date(),
                activity_id=activity.pk,
            )
        ]
    )


@transaction.atomic
def activity_create(
    *,
    user,
    customer,
    type: str,
    subject: str = "",
    status: str = ActivityStatus.PLANNED,
    purpose: str = ActivityPurpose.CONTACT,
    contact=None,
    opportunity=None,
    owner=None,
    planned_at: dt.datetime | None = None,
    done_at: dt.datetime | None = None,
    duration_minutes: int | None = None,
    notes: str = "",
    outcome: str = "",
    next_step: str = "",
    next_step_due: dt.date | None = None,
    next_step_done: bool = False,
) -> Activity:
    """Plan an activity (status planned) or log one already done (status done).

    The grid is the customer's current grid; the owner defaults to `user`; an empty
    subject becomes "<type>: <customer>". A done visit schedules its follow-ups.
    """
    if status not in (ActivityStatus.PLANNED, ActivityStatus.DONE):
        raise ValidationError(
            {
                "status": _("A new activity is either planned or done, not {status}.").format(
                    status=status
                )
            }
        )
    if not (subject or "").strip() and type in ActivityType.values:
        subject = _("{type}: {customer}").format(
            type=ActivityType(type).label, customer=customer.name
        )
    activity = _save(
        Activity(),
        type=type,
        status=status,
        purpose=purpose,
        subject=(subject or "").strip()[:200],
        customer=customer,
        contact=contact,
        opportunity=opportunity,
        owner=owner or user,
        grid_id=customer.current_grid_id,
        planned_at=planned_at,
        done_at=done_at,
        duration_minutes=duration_minutes,
        notes=notes,
        outcome=outcome,
        next_step=next_step,
        next_step_due=next_step_due,
        next_step_done=next_step_done,
    )
    _schedule_followups(activity)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, **fields) -> Activity:
    """Change an activity's fields (ACTIVITY_FIELDS). A new customer brings its grid."""
    values = {k: v for k, v in fields.items() if k in ACTIVITY_FIELDS}
    if "customer" in values and values["customer"].pk != activity.customer_id:
        values["grid_id"] = values["customer"].current_grid_id
    return _save(activity, **values)


@transaction.atomic
def activity_complete(
    *,
    activity: Activity,
    done_at: dt.datetime | None = None,
    outcome: str = "",
    notes: str | None = None,
    next_step: str = "",
    next_step_due: dt.date | None = None,
    duration_minutes: int | None = None,
) -> Activity:
    """Log an activity as done: when (default: its check-out, else now), the outcome,
    notes and the next step. Logging a done activity again updates what was logged.
    The grid becomes the customer's grid of today; a done visit schedules its follow-ups."""
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(
            _("This activity was cancelled: plan a new one instead of completing it.")
        )
    fields = {
        "status": ActivityStatus.DONE,
        "done_at": done_at or activity.done_at or activity.checkout_at or timezone.now(),
        "outcome": outcome,
        "next_step": next_step,
        "next_step_due": next_step_due,
        "grid_id": activity.customer.current_grid_id,
    }
    if next_step != activity.next_step or next_step_due != activity.next_step_due:
        fields["next_step_done"] = False
    if notes is not None:
        fields["notes"] = notes
    if duration_minutes is not None:
        fields["duration_minutes"] = duration_minutes
    elif activity.visit_minutes is not None:
        fields["duration_minutes"] = activity.visit_minutes
    activity = _save(activity, **fields)
    _schedule_followups(activity)
    return activity


@transaction.atomic
def activity_cancel(*, activity: Activity) -> Activity:
    """Cancel a planned activity (kept for the record; it leaves the Today page)."""
    if activity.status == ActivityStatus.DONE:
        raise ValidationError(_("This activity is already done: it cannot be cancelled."))
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("This activity is already cancelled."))
    if activity.checkin_at is not None:
        raise ValidationError(
            _("This visit has been checked in: check out and log it instead of cancelling it.")
        )
    return _save(activity, status=ActivityStatus.CANCELLED)


@transaction.atomic
def activity_delete(*, activity: Activity) -> None:
    """Delete an activity (the audit log keeps its last state; follow-ups stay, unlinked)."""
    activity.delete()


@transaction.atomic
def next_step_complete(*, activity: Activity) -> Activity:
    """Mark the activity's next step as done."""
    if not activity.next_step.strip():
        raise ValidationError(_("This activity has no next step to mark as done."))
    return _save(activity, next_step_done=True)


# -- check-in and check-out -----------------------------------------------------------


def _position_errors(lat, lng, accuracy_m) -> dict[str, str]:
    errors = {}
    for name, value, limit in (("lat", lat, 90), ("lng", lng, 180)):
        label = _("Latitude") if name == "lat" else _("Longitude")
        if value is None:
            errors[name] = _(
                "{field} is missing: allow the browser to share your position."
            ).format(field=label)
        elif not math.isfinite(value) or not -limit <= value <= limit:
            errors[name] = _(
                "{field} {value} is out of range: it must be between -{limit} and {limit}."
            ).format(field=label, value=value, limit=limit)
    if accuracy_m is not None and (not math.isfinite(accuracy_m) or accuracy_m < 0):
        errors["accuracy_m"] = _(
            "The accuracy {value} is not a distance: give metres, 0 or more."
        ).format(value=accuracy_m)
    return errors


def _visit_errors(activity: Activity) -> None:
    if activity.type != ActivityType.VISIT:
        raise ValidationError(
            _("Only visits are checked in and out; this is a {type}.").format(
                type=activity.get_type_display().lower()
            )
        )
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(_("This visit was cancelled: plan a new visit to check in."))


def _moment(at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    at = at or now
    if at > now + CLOCK_SKEW:
        raise ValidationError(
            _("{when} is in the future: check in and out when you are there.").format(
                when=_when(at)
            )
        )
    return at


def checkin_judgement(*, customer, user, lat: float, lng: float) -> tuple[float | None, list[str]]:
    """The distance to the customer (metres, to 0.1 m) and the flags of a position.

    FAR beyond settings.CHECKIN_RADIUS_M; NO_CUSTOMER_LOCATION when the customer has no
    coordinates; OUTSIDE_GRID when the position lies in none of `user`'s leaf grids (not
    flagged when that cannot be told: see selectors.position_in_user_grids).
    """
    flags = []
    distance = None
    if customer.lat is None or customer.lng is None:
        flags.append(CheckInFlag.NO_CUSTOMER_LOCATION.value)
    else:
        distance = round(float(haversine_m(customer.lng, customer.lat, lng, lat)), 1)
        if distance > settings.CHECKIN_RADIUS_M:
            flags.append(CheckInFlag.FAR.value)
    if selectors.position_in_user_grids(user=user, lat=lat, lng=lng) is False:
        flags.append(CheckInFlag.OUTSIDE_GRID.value)
    return distance, flags


@transaction.atomic
def activity_check_in(
    *,
    activity: Activity,
    lat: float,
    lng: float,
    accuracy_m: float | None = None,
    at: dt.datetime | None = None,
    user,
) -> Activity:
    """Check in on a planned visit at a position (WGS-84, from the phone) and time
    (default now): keeps the distance to the customer and the flags of checkin_judgement,
    judged against the grids of `user` (the person standing there)."""
    _visit_errors(activity)
    if activity.checkin_at is not None:
        raise ValidationError(
            _("This visit was already checked in at {when}.").format(
                when=_when(activity.checkin_at)
            )
        )
    if activity.status == ActivityStatus.DONE:
        raise ValidationError(_("This visit is already done: there is nothing to check in."))
    errors = _position_errors(lat, lng, accuracy_m)
    if errors:
        raise ValidationError(errors)
    at = _moment(at)
    distance, flags = checkin_judgement(customer=activity.customer, user=user, lat=lat, lng=lng)
    return _save(
        activity,
        checkin_at=at,
        checkin_lat=lat,
        checkin_lng=lng,
        checkin_accuracy_m=accuracy_m,
        checkin_distance_m=distance,
        checkin_flags=flags,
    )


@transaction.atomic
def activity_check_in_here(
    *,
    customer,
    lat: float,
    lng: float,
    accuracy_m: float | None = None,
    at: dt.datetime | None = None,
    user,
) -> Activity:
    """An unplanned visit: create a visit of `user` to `customer` now and check it in."""
    errors = _position_errors(lat, lng, accuracy_m)
    if errors:
        raise ValidationError(errors)
    at = _moment(at)
    visit = activity_create(user=user, customer=customer, type=ActivityType.VISIT, planned_at=at)
    return activity_check_in(
        activity=visit, lat=lat, lng=lng, accuracy_m=accuracy_m, at=at, user=user
    )


@transaction.atomic
def activity_check_out(
    *,
    activity: Activity,
    lat: float | None = None,
    lng: float | None = None,
    accuracy_m: float | None = None,
    at: dt.datetime | None = None,
    user,
) -> Activity:
    """Check out of a checked-in visit: the time and (when the phone gives one) the
    position; the visit becomes done at that time with its duration in minutes, and its
    follow-ups are scheduled. Logging the outcome follows (activity_complete)."""
    _visit_errors(activity)
    if activity.checkin_at is None:
        raise ValidationError(_("Check in before checking out: this visit has no check-in."))
    if activity.checkout_at is not None:
        raise ValidationError(
            _("This visit was already checked out at {when}.").format(
                when=_when(activity.checkout_at)
            )
        )
    if (lat is None) != (lng is None):
        raise ValidationError(_("Give both latitude and longitude of the check-out, or neither."))
    if lat is not None:
        errors = _position_errors(lat, lng, accuracy_m)
        if errors:
            raise ValidationError(errors)
    at = _moment(at)
    if at < activity.checkin_at:
        raise ValidationError(
            _("The check-out ({out}) cannot be before the check-in ({checkin}).").format(
                out=_when(at), checkin=_when(activity.checkin_at)
            )
        )
    # The model keeps no check-out accuracy: only the check-in position is judged.
    activity = _save(
        activity,
        checkout_at=at,
        checkout_lat=lat,
        checkout_lng=lng,
        status=ActivityStatus.DONE,
        done_at=at,
        duration_minutes=round((at - activity.checkin_at).total_seconds() / 60),
        grid_id=activity.customer.current_grid_id,
    )
    _schedule_followups(activity)
    return activity
