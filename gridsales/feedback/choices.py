from django.db import models
from django.utils.translation import gettext_lazy as _


class FeedbackCategory(models.TextChoices):
    PRODUCT = "product", _("Product")
    PRICE = "price", _("Price")
    PROCESS = "process", _("Process")
    CUSTOMER = "customer", _("Customer")
    SYSTEM = "system", _("System")


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)
CLOSED_STATUSES = (FeedbackStatus.RESOLVED, FeedbackStatus.REJECTED)
