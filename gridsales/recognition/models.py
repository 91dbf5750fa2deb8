"""Recognition (精神激励): award types (a name, a badge, and how they are given) and the
awards given to reps for a period, by hand or by a rule. Leaderboards are read from the
analytics KPI engine (leaderboards.py); nothing about them is stored."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gridsales.analytics.selectors import METRICS
from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.recognition.choices import AwardRule, AwardSource, BadgeColour, PeriodKind


class AwardTypeQuerySet(RestrictedQuerySet):
    """Everyone signed in reads the award types; directors and admins (who write
    everything) manage them."""

    def scope_q(self, scope, action):
        return Q() if action == "view" else Q(pk__in=[])


class AwardType(AuditedModel):
    """A kind of award ("月度销售冠军", "最佳新人"): its badge, and its rule when it is
    given by one (top N by a KPI, or first to an attainment) for each month, quarter or
    year."""

    code = models.SlugField(_("Code"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=80)
    description = models.TextField(_("Description"), blank=True)
    icon = models.CharField(
        _("Icon"), max_length=8, default="🏆", help_text=_("An emoji shown on the badge.")
    )
    colour = models.CharField(
        _("Badge colour"), max_length=10, choices=BadgeColour.choices, default=BadgeColour.GOLD
    )
    rule = models.CharField(
        _("Given"), max_length=10, choices=AwardRule.choices, default=AwardRule.MANUAL
    )
    metric = models.CharField(
        _("KPI"),
        max_length=30,
        default="attainment",
        help_text=_("The KPI a rule ranks by (top N)."),
    )
    period_kind = models.CharField(
        _("Period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    top_n = models.PositiveSmallIntegerField(
        _("How many (top N)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    threshold = models.DecimalField(
        _("Attainment to reach"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1.0000"),
        validators=[MinValueValidator(Decimal("0.01"))],
        # xgettext:no-python-format
        help_text=_("For “first to”: 1 = 100 % of the target."),
    )
    active = models.BooleanField(_("Active"), default=True)

    objects = AwardTypeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Award type")
        verbose_name_plural = _("Award types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # Not a choices field: the KPI list belongs to analytics and grows with it.
        if self.metric not in METRICS:
            raise ValidationError(
                {
                    "metric": gettext("Unknown KPI “{value}”. Choose among: {choices}.").format(
                        value=self.metric, choices=", ".join(METRICS)
                    )
                }
            )

    def get_absolute_url(self) -> str:
        return reverse("recognition:type-list")


class AwardQuerySet(RestrictedQuerySet):
    """An award is seen by its rep and by whoever sees the grid it was won in (the
    read-all roles see all); managers give and revoke those of the grids they manage."""

    def scope_q(self, scope, action):
        if action == "view":
            return Q(rep_id=scope.user_id) | scope.paths_q("grid__path", scope.read_paths)
        if scope.is_manager:
            return scope.paths_q("grid__path", scope.write_paths)
        return Q(pk__in=[])


class Award(AuditedModel):
    """An award of a type to a rep for a period ("2026-03", "2026-Q1", "2026"), once:
    the same type never goes twice to the same rep for the same period."""

    award_type = models.ForeignKey(
        AwardType, verbose_name=_("Award"), on_delete=models.PROTECT, related_name="awards"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        on_delete=models.CASCADE,
        related_name="awards",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The rep's grid in the period (who may see the award)."),
    )
    period = models.CharField(_("Period"), max_length=7)
    rank = models.PositiveSmallIntegerField(_("Rank"), null=True, blank=True)
    value = models.CharField(_("KPI value"), max_length=40, blank=True)
    citation = models.CharField(_("Citation"), max_length=300, blank=True)
    source = models.CharField(
        _("Source"), max_length=10, choices=AwardSource.choices, default=AwardSource.MANUAL
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Given by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    given_at = models.DateTimeField(_("Given"), auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = _("Award")
        verbose_name_plural = _("Awards")
        ordering = ["-period", "award_type__name", "rank", "rep__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["award_type", "rep", "period"], name="one_award_per_rep_and_period"
            )
        ]
        indexes = [models.Index(fields=["rep", "period"])]

    def __str__(self) -> str:
        return f"{self.award_type} · {self.rep} · {self.period}"

    def get_absolute_url(self) -> str:
        return reverse("recognition:award-list")
