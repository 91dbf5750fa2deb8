from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardRule(models.TextChoices):
    """How an award type is given: by hand, or by a rule run per period."""

    MANUAL = "manual", _("Given by hand")
    TOP_N = "top_n", _("Top N by a KPI")
    FIRST_TO = "first_to", _("First to reach an attainment")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class BadgeColour(models.TextChoices):
    GOLD = "warning", _("Gold")
    BLUE = "primary", _("Blue")
    GREEN = "success", _("Green")
    RED = "danger", _("Red")
    TEAL = "info", _("Teal")
    GREY = "secondary", _("Grey")
    BLACK = "dark", _("Black")


class AwardSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    RULE = "rule", _("By rule")
