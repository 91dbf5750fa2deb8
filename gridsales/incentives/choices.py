from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    """A commission run's life: recalculated freely until approved, locked once paid."""

    DRAFT = "draft", _("Draft")
    CALCULATED = "calculated", _("Calculated")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")


class LineKind(models.TextChoices):
    ORDER_LINE = "order_line", _("Order line")
    BONUS = "bonus", _("Bonus")
    CAP = "cap", _("Cap")
    POOL = "pool", _("Team pool")
    CLAWBACK = "clawback", _("Clawback")
    DRAW = "draw", _("Draw")
    DRAW_RECOVERY = "draw_recovery", _("Draw recovery")
    ADJUSTMENT = "adjustment", _("Adjustment")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
