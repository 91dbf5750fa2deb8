from django.db import models
from django.utils.translation import gettext_lazy as _


class FollowUpTrigger(models.TextChoices):
    ORDER = "order", _("After an order")
    VISIT = "visit", _("After a visit")


class QuestionKind(models.TextChoices):
    CSAT = "csat", _("Satisfaction (1–5)")
    NPS = "nps", _("Recommendation (0–10, NPS)")
    TEXT = "text", _("Free text")


class SurveyChannel(models.TextChoices):
    LINK = "link", _("Link sent to the customer")
    VISIT = "visit", _("Recorded during a visit")


class SurveyStatus(models.TextChoices):
    SENT = "sent", _("Sent, waiting for the answer")
    ANSWERED = "answered", _("Answered")
    REVOKED = "revoked", _("Withdrawn")
