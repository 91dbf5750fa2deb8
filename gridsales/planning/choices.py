from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitSource(models.TextChoices):
    H3 = "h3", _("H3 hexagons of the grid's area")
    CHILDREN = "children", _("The grid's child grids")


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for review")
    STOPPED = "stopped", _("Stopped")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved")
    SCHEDULED = "scheduled", _("Scheduled")
    APPLIED = "applied", _("Applied")


# The activities a scenario can balance, in the order the pages show them.
ACTIVITIES = ("workload", "customers", "demand")
ACTIVITY_LABELS = {
    "workload": _("Workload (hours)"),
    "customers": _("Customers"),
    "demand": _("Demand (12 months)"),
}
