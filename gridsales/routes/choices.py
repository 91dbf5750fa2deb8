from django.db import models
from django.utils.translation import gettext_lazy as _


class RoutePlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")


class StopKind(models.TextChoices):
    """Why a stop is in the plan (and so its window, service time and priority)."""

    APPOINTMENT = "appointment", _("Appointment")
    VISIT = "visit", _("Planned visit")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    DUE = "due", _("Due for contact")
    LUNCH = "lunch", _("Lunch break")


class DepotKind(models.TextChoices):
    HOME = "home", _("Rep's home")
    OFFICE = "office", _("Office")


class DropReason(models.TextChoices):
    NO_LOCATION = "no_location", _("No location")
    WINDOW = "window", _("Outside its hours")
    FULL = "full", _("No room left")
    NO_REP = "no_rep", _("No rep for it")
    CAPACITY = "capacity", _("Too large")
