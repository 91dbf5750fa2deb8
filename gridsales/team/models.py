"""Rep profiles and effective-dated grid memberships."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.team.choices import MembershipRole


class RepProfileQuerySet(RestrictedQuerySet):
    _scope_needs_distinct = True

    def scope_q(self, scope, action):
        if action != "view":
            return Q(pk__in=[])
        today = timezone.localdate()
        return Q(user_id=scope.user_id) | (
            scope.paths_q("user__memberships__grid__path", scope.read_paths)
            & Q(user__memberships__valid_from__lte=today)
            & (
                Q(user__memberships__valid_to__isnull=True)
                | Q(user__memberships__valid_to__gte=today)
            )
        )


class RepProfile(AuditedModel):
    """The sales side of a user: employee number, contact, line manager, home location."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("User"),
        on_delete=models.CASCADE,
        related_name="rep_profile",
    )
    employee_no = models.CharField(
        _("Employee no."), max_length=30, unique=True, null=True, blank=True
    )
    phone = models.CharField(_("Mobile"), max_length=30, blank=True)
    title = models.CharField(_("Title"), max_length=60, blank=True)
    hire_date = models.DateField(_("Hire date"), null=True, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Line manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
    )
    home_address = models.CharField(_("Home address"), max_length=200, blank=True)
    home_lat = models.FloatField(
        _("Home latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    home_lng = models.FloatField(
        _("Home longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    objects = RepProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("Rep profile")
        verbose_name_plural = _("Rep profile")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return str(self.user)


class MembershipQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action == "view":
            return Q(user_id=scope.user_id) | scope.paths_q("grid__path", scope.read_paths)
        return scope.paths_q("grid__path", scope.write_paths)

    def active(self, on: datetime.date | None = None):
        """Memberships in force on `on` (default today)."""
        on = on or timezone.localdate()
        return self.filter(valid_from__lte=on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )

    def overlapping(self, start: datetime.date, end: datetime.date | None):
        q = Q(valid_to__isnull=True) | Q(valid_to__gte=start)
        if end is not None:
            q &= Q(valid_from__lte=end)
        return self.filter(q)


class Membership(AuditedModel):
    """A user's place in a grid for a period. Ending one sets valid_to; history stays."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(
        _("Grid role"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    share_pct = models.DecimalField(
        _("Share (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    valid_from = models.DateField(_("Valid from"))
    valid_to = models.DateField(_("Valid to"), null=True, blank=True)
    note = models.CharField(_("Note"), max_length=200, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("Grid membership")
        verbose_name_plural = _("Grid membership")
        ordering = ["grid__path", "-valid_from", "user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_to_after_from",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.grid.code}"

    def get_absolute_url(self) -> str:
        return reverse("team:rep-detail", args=[self.user_id])

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.valid_from <= on and (self.valid_to is None or self.valid_to >= on)
