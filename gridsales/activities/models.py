"""Activities: visits, calls, emails, WeChat messages and meetings, planned or done.

A visit can be checked in and out from a phone: the position, time and distance to the
customer are kept, with flags when it was too far away or outside the rep's grids.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType
from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.customers.models import CustomerQuerySet


class ActivityQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Visible with the customer and to its owner; the owner edits it while the customer
        # stays in view; managers of the customer's grid edit and delete.
        customer_view = CustomerQuerySet.scope_q(self, scope, "view", prefix="customer__")
        own = Q(owner_id=scope.user_id)
        if action == "view":
            return customer_view | own
        managed = scope.paths_q("customer__current_grid__path", scope.write_paths)
        if scope.read_all:
            return managed
        return managed | (own & customer_view)


class Activity(AuditedModel):
    """One contact with a customer, planned or done.

    `grid` is the customer's grid when the activity was done (or planned), kept as the
    fact's grid. Contact cadences count done activities of the contact types
    (gridsales.care). A follow-up (回访) created by a rule points at its origin.
    """

    type = models.CharField(_("Activity type"), max_length=8, choices=ActivityType.choices)
    status = models.CharField(
        _("Status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    purpose = models.CharField(
        _("Purpose"),
        max_length=10,
        choices=ActivityPurpose.choices,
        default=ActivityPurpose.CONTACT,
    )
    subject = models.CharField(_("Subject"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("Contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    opportunity = models.ForeignKey(
        "sales.Opportunity",
        verbose_name=_("Opportunity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Owner"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    planned_at = models.DateTimeField(_("Planned for"), null=True, blank=True)
    done_at = models.DateTimeField(_("Done at"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(_("Duration (minutes)"), null=True, blank=True)
    notes = models.TextField(_("Notes"), blank=True)
    outcome = models.CharField(_("Outcome"), max_length=300, blank=True)
    next_step = models.CharField(_("Next step"), max_length=300, blank=True)
    next_step_due = models.DateField(_("Next step due"), null=True, blank=True)
    next_step_done = models.BooleanField(_("Next step done"), default=False)
    origin_activity = models.ForeignKey(
        "self",
        verbose_name=_("Follows up on activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    origin_order = models.ForeignKey(
        "sales.Order",
        verbose_name=_("Follows up on order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    # Check-in / check-out of a visit (WGS-84, from the phone's geolocation API).
    checkin_at = models.DateTimeField(_("Checked in at"), null=True, blank=True)
    checkin_lat = models.FloatField(
        _("Check-in latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    checkin_lng = models.FloatField(
        _("Check-in longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    checkin_accuracy_m = models.FloatField(_("Check-in accuracy (m)"), null=True, blank=True)
    checkin_distance_m = models.FloatField(_("Distance to the customer (m)"), null=True, blank=True)
    checkin_flags = models.JSONField(_("Check-in flags"), default=list, blank=True)
    checkout_at = models.DateTimeField(_("Checked out at"), null=True, blank=True)
    checkout_lat = models.FloatField(_("Check-out latitude"), null=True, blank=True)
    checkout_lng = models.FloatField(_("Check-out longitude"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Activity")
        verbose_name_plural = _("Activities")
        ordering = ["-planned_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "status", "planned_at"]),
            models.Index(fields=["customer", "status", "done_at"]),
            models.Index(fields=["status", "done_at"]),
            models.Index(fields=["owner", "next_step_done", "next_step_due"]),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def visit_minutes(self) -> int | None:
        """Minutes from check-in to check-out, when both happened."""
        if self.checkin_at and self.checkout_at:
            return round((self.checkout_at - self.checkin_at).total_seconds() / 60)
        return None
