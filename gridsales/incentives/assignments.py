"""Ending a plan assignment (the plan pages' write besides those of services.py): an
assignment is ended, never deleted, and never before a month whose approved or paid run
paid reps under the plan — the history of what was paid stays true."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gridsales.core.services import model_save
from gridsales.incentives.choices import RunStatus
from gridsales.incentives.forms import MONTH
from gridsales.incentives.models import PlanAssignment, Statement

LOCKED = (RunStatus.APPROVED, RunStatus.PAID)


@transaction.atomic
def plan_assignment_end(*, assignment: PlanAssignment, valid_to: str) -> PlanAssignment:
    """The assignment's last month becomes `valid_to` (YYYY-MM)."""
    if not re.match(MONTH, valid_to or ""):
        raise ValidationError(
            {"valid_to": _("{value} is not a month such as 2026-03.").format(value=valid_to)}
        )
    if valid_to < assignment.valid_from:
        raise ValidationError(
            {
                "valid_to": _("The last month {end} is before the first month {start}.").format(
                    end=valid_to, start=assignment.valid_from
                )
            }
        )
    if assignment.valid_to and valid_to >= assignment.valid_to:
        raise ValidationError(
            {
                "valid_to": _("It already ends in {month}: choose an earlier month.").format(
                    month=assignment.valid_to
                )
            }
        )
    locked = (
        Statement.objects.filter(
            plan_version__plan_id=assignment.plan_id,
            run__status__in=LOCKED,
            run__period__gt=valid_to,
        )
        .order_by("-run__period")
        .values_list("run__period", flat=True)
        .first()
    )
    if locked:
        raise ValidationError(
            {
                "valid_to": _(
                    "The {period} run is approved and paid reps under this plan: end it in {period} or later."
                ).format(period=locked)
            }
        )
    return model_save(assignment, valid_to=valid_to)
