from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    REVENUE = "revenue", _("Revenue")
    ORDERS = "orders", _("Order count")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    VISITS = "visits", _("Visits")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    LOCKED = "locked", _("Locked")


class SplitMethod(models.TextChoices):
    EQUAL = "equal", _("Equal")
    REFERENCE = "reference", _("By reference")
    WEIGHTS = "weights", _("By weights")


class ReferenceSource(models.TextChoices):
    LAST_YEAR = "last_year_actuals", _("Last year's actuals")
    MARKET_POTENTIAL = "market_potential", _("Market potential")
    CUSTOMER_COUNT = "customer_count", _("Customer count")


class WeekBasis(models.TextChoices):
    WORKING_DAYS = "working_days", _("Working days")
    CALENDAR_DAYS = "calendar_days", _("Calendar days")


class VersionKind(models.TextChoices):
    SPLIT = "split", _("Top-down split")
    REPLAN = "replan", _("Mid-year re-plan")
    IMPORT = "import", _("Imported")
    MANUAL = "manual", _("Months fixed by hand")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    KEPT_TOP_DOWN = "kept", _("Top-down kept")
