from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerType(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    SME = "sme", _("Small business")
    GOVERNMENT = "government", _("Government / public body")
    INDIVIDUAL = "individual", _("Individual")


class Tier(models.TextChoices):
    A = "A", _("Tier A")
    B = "B", _("Tier B")
    C = "C", _("Tier C")
    D = "D", _("Tier D")


class CustomerStatus(models.TextChoices):
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active customer")
    DORMANT = "dormant", _("Dormant")
    LOST = "lost", _("Lost")


class Crs(models.TextChoices):
    WGS84 = "wgs84", _("WGS-84 (GPS)")
    GCJ02 = "gcj02", _("GCJ-02 (Amap/Tencent)")
    BD09 = "bd09", _("BD-09 (Baidu)")


class AssignmentReason(models.TextChoices):
    """Why a customer is in its grid (or in none)."""

    POLYGON = "polygon", _("Inside the grid's boundary")
    RULE = "rule", _("Matched the grid's segment rules")
    MANUAL = "manual", _("Chosen by hand (pinned)")
    NONE = "none", _("In no grid")
    REDESIGN = "redesign", _("Moved by a grid redesign")
