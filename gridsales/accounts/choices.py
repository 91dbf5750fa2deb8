from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    DIRECTOR = "director", _("Sales director")
    REGIONAL_MANAGER = "regional_manager", _("Regional manager")
    GRID_MANAGER = "grid_manager", _("Grid manager")
    REP = "rep", _("Rep")
    ANALYST = "analyst", _("Analyst")
    FINANCE = "finance", _("Finance")
    TRAINER = "trainer", _("Trainer")
