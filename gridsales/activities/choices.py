from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityType(models.TextChoices):
    VISIT = "visit", _("Visit")
    CALL = "call", _("Phone call")
    EMAIL = "email", _("Email")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Meeting")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActivityPurpose(models.TextChoices):
    CONTACT = "contact", _("Regular contact")
    FOLLOW_UP = "follow_up", _("Follow-up visit (回访)")
    SALES = "sales", _("Deal work")


class CheckInFlag(models.TextChoices):
    """Why a check-in needs a second look (stored as a list on the visit)."""

    FAR = "far", _("Farther from the customer than the check-in radius")
    OUTSIDE_GRID = "outside_grid", _("Outside the rep's grids")
    NO_CUSTOMER_LOCATION = "no_customer_location", _("The customer has no location")
