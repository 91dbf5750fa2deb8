"""Feedback (问题反馈): what reps and managers raise from the dashboards and customer pages,
and the manager's answer (docs/feedback.md)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.feedback.choices import FeedbackCategory, FeedbackStatus


class FeedbackQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Authors see their own items; managers see (and triage) the items of the grids
        # they manage. An author edits or withdraws an item only while it is new.
        own = Q(author_id=scope.user_id)
        managed = scope.paths_q("grid__path", scope.write_paths)
        if action == "view":
            return own | managed
        if action == "add":
            return Q(pk__in=[]) if scope.read_all else own
        return own & Q(status=FeedbackStatus.NEW)


class Feedback(AuditedModel):
    """One piece of feedback: a category, a text, optionally the grid and customer it is
    about (the grid defaults to the customer's), the author, and the triage — status,
    the manager's response, who answered and when."""

    category = models.CharField(_("Category"), max_length=10, choices=FeedbackCategory.choices)
    text = models.TextField(_("Text"), max_length=4000)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    page = models.CharField(_("Raised from page"), max_length=300, blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    response = models.TextField(_("Response"), max_length=4000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("Handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("Feedback")
        verbose_name_plural = _("Feedback")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="feedback_status_created")]

    def __str__(self):
        return f"#{self.pk} {self.get_category_display()}"

    def get_absolute_url(self):
        return reverse("feedback:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in (FeedbackStatus.NEW, FeedbackStatus.IN_PROGRESS)
