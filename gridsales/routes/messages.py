"""The user's language for messages of the pure cores (which carry English templates)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gridsales.routes.problem import ProblemError


def translated(error: ProblemError) -> str:
    """The error's message in the active language, with its place (field) first."""
    text = _(error.message).format(**error.params)
    if error.where:
        return _("{where}: {message}").format(where=error.where, message=text)
    return text


def translated_template(message: str, params: dict) -> str:
    """A violation's or dropped stop's message in the active language."""
    return _(message).format(**params)


# Why a stop was left out of a day (or of a week's plan), by reason code.
DROP_MESSAGES = {
    "no_location": gettext_noop(
        "The customer has no location: add its coordinates to plan visits to it."
    ),
    "window": gettext_noop(
        "It can start only between {early} and {late}: the working day does not reach it "
        "in time, even as the only visit."
    ),
    "full": gettext_noop(
        "The day is full: it fits nowhere in the route without breaking a window, the "
        "working hours or the lunch break."
    ),
    "capacity": gettext_noop("It is larger than a rep's day can carry."),
    "no_rep": gettext_noop(
        "Its owner is not a rep of this grid: give the customer to one of them, or plan "
        "without keeping customers with their owners."
    ),
}
WEEK_FULL = gettext_noop("The week is full: no rep's working day has room for it within its hours.")


def drop_message(reason: str, params: dict, *, week: bool = False) -> str:
    """Why a stop was left out, in the user's language."""
    template = WEEK_FULL if week and reason == "full" else DROP_MESSAGES.get(reason)
    if template is None:
        return reason
    try:
        return _(template).format(**params)
    except (KeyError, IndexError):
        return _(template)
