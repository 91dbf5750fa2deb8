"""Writes of feedback: raise, edit while new, triage, withdraw (docs/feedback.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.core.scope import scope_for
from gridsales.core.services import model_save
from gridsales.feedback.choices import CLOSED_STATUSES, FeedbackStatus
from gridsales.feedback.models import Feedback


def _grid_of(*, grid, customer):
    """The grid the feedback is about: the one given, else the customer's; the customer
    must lie in the given grid's subtree."""
    if customer is None:
        return grid
    if grid is None:
        return customer.current_grid
    customer_grid = customer.current_grid
    if customer_grid is None or not customer_grid.path.startswith(grid.path):
        raise ValidationError(
            {
                "customer": _("The customer {customer} is not in the grid {grid}.").format(
                    customer=customer.code, grid=grid.code
                )
            }
        )
    return grid


def _clean_text(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Describe the problem: the text cannot be empty.")})
    return text


@transaction.atomic
def feedback_create(
    *, author, category: str, text: str, grid=None, customer=None, page: str = ""
) -> Feedback:
    """Raise a feedback item; its grid is the given one or the customer's."""
    feedback = Feedback(author=author)
    return model_save(
        feedback,
        category=category,
        text=_clean_text(text),
        grid=_grid_of(grid=grid, customer=customer),
        customer=customer,
        page=(page or "")[:300],
    )


@transaction.atomic
def feedback_update(*, feedback: Feedback, category: str, text: str, grid=None, customer=None):
    """The author corrects an item that nobody has picked up yet."""
    if feedback.status != FeedbackStatus.NEW:
        raise ValidationError(
            _("Only new feedback can be edited; this one is: {status}.").format(
                status=feedback.get_status_display()
            )
        )
    return model_save(
        feedback,
        category=category,
        text=_clean_text(text),
        grid=_grid_of(grid=grid, customer=customer),
        customer=customer,
    )


def feedback_can_triage(user, feedback: Feedback) -> bool:
    """Administrators and directors triage everything; managers the items of the grids they
    manage (an item without grid goes to headquarters)."""
    scope = scope_for(user)
    if scope.write_all:
        return True
    if feedback.grid_id is None:
        return False
    path = feedback.grid.path
    return any(path.startswith(prefix) for prefix in scope.write_paths)


@transaction.atomic
def feedback_triage(*, feedback: Feedback, user, status: str, response: str = "") -> Feedback:
    """Move an item new → in progress → resolved or rejected, with the response the author
    reads. Resolving or rejecting needs a response; a closed item stays closed."""
    if feedback.status in CLOSED_STATUSES:
        raise ValidationError(
            _("This feedback is already closed ({status}): it cannot change any more.").format(
                status=feedback.get_status_display()
            )
        )
    allowed = (FeedbackStatus.IN_PROGRESS, *CLOSED_STATUSES)
    if status not in allowed:
        raise ValidationError(
            {
                "status": _("“{value}” is not a triage step. Choose among: {choices}.").format(
                    value=status, choices=", ".join(allowed)
                )
            }
        )
    response = (response or "").strip()
    if status in CLOSED_STATUSES and not response:
        raise ValidationError(
            {"response": _("Write a response for the author: it is required to close the item.")}
        )
    return model_save(
        feedback,
        status=status,
        response=response,
        handled_by=user,
        handled_at=timezone.now(),
    )


@transaction.atomic
def feedback_delete(*, feedback: Feedback) -> None:
    """Withdraw an item nobody has picked up yet."""
    if feedback.status != FeedbackStatus.NEW:
        raise ValidationError(
            _("Only new feedback can be withdrawn; this one is: {status}.").format(
                status=feedback.get_status_display()
            )
        )
    feedback.delete()
