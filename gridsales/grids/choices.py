from django.db import models
from django.utils.translation import gettext_lazy as _


class GridKind(models.TextChoices):
    GEO = "geo", _("Geographic grid")
    SEGMENT = "segment", _("Segment grid")


class GridStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class GridLevel(models.TextChoices):
    COMPANY = "company", _("Company")
    REGION = "region", _("Region")
    AREA = "area", _("Area")
    GRID = "grid", _("Grid")
    SUBGRID = "subgrid", _("Sub-grid")


MAX_DEPTH = 10
