"""Target plans, their immutable versions and cells, unit inputs, proposals and actuals."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.money import MONEY
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.targets.choices import (
    Metric,
    PlanStatus,
    ProposalStatus,
    ReferenceSource,
    SplitMethod,
    VersionKind,
    WeekBasis,
)


def _nobody() -> Q:
    return Q(pk__in=[])


class TargetPlanQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action, prefix: str = ""):
        # Anyone with a place in the grid tree sees the plans (their rows are scoped);
        # only admins and directors (write_all, handled by restrict) change them.
        if action == "view" and scope.read_paths:
            return Q()
        return _nobody()


class TargetPlan(AuditedModel):
    """A company target for one fiscal year and metric, split down the grid tree."""

    code = models.SlugField(
        _("Plan code"),
        max_length=40,
        unique=True,
        help_text=_("A short unique code, e.g. FY2027-REV."),
    )
    name = models.CharField(_("Name"), max_length=120)
    metric = models.CharField(
        _("Metric"), max_length=16, choices=Metric.choices, default=Metric.REVENUE
    )
    year = models.PositiveIntegerField(
        _("Fiscal year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("Fiscal year start month"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    total = models.DecimalField(_("Total"), validators=[MinValueValidator(Decimal("0"))], **MONEY)
    currency = models.CharField(_("Currency"), max_length=3, default="CNY")
    status = models.CharField(
        _("Status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    level_methods = models.JSONField(
        _("Method per level"),
        default=list,
        blank=True,
        help_text=_("One of equal, reference, weights per level, top first; the last repeats."),
    )
    reference_source = models.CharField(
        _("Reference source"),
        max_length=20,
        choices=ReferenceSource.choices,
        default=ReferenceSource.LAST_YEAR,
    )
    seasonality = models.JSONField(
        _("Seasonality"),
        default=list,
        blank=True,
        help_text=_("12 monthly weights in fiscal order; empty means flat."),
    )
    seasonality_years = models.PositiveSmallIntegerField(
        _("Seasonality from the last N years' actuals"),
        default=0,
        validators=[MaxValueValidator(10)],
        help_text=_("0: use the weights above."),
    )
    week_basis = models.CharField(
        _("Week basis"), max_length=14, choices=WeekBasis.choices, default=WeekBasis.WORKING_DAYS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = TargetPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("Target plan")
        verbose_name_plural = _("Target plans")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    def get_absolute_url(self) -> str:
        return reverse("targets:plan-detail", args=[self.pk])

    def methods(self) -> list[str]:
        return list(self.level_methods) or [SplitMethod.REFERENCE]

    def latest_version(self):
        return self.versions.order_by("-number").first()


class TargetPlanVersionQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        return TargetPlanQuerySet.scope_q(self, scope, action)


class TargetPlanVersion(AuditedModel):
    """An immutable snapshot of a plan's cells: every split, re-plan or import makes one."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("Version"))
    kind = models.CharField(_("Kind"), max_length=10, choices=VersionKind.choices)
    note = models.CharField(_("Note"), max_length=300, blank=True)
    total = models.DecimalField(_("Total"), **MONEY)
    calendar_note = models.CharField(_("Calendar note"), max_length=300, blank=True)
    parameters = models.JSONField(_("Parameters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = TargetPlanVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("Plan version")
        verbose_name_plural = _("Plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="target_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} v{self.number}"


class TargetLineQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action != "view":
            return _nobody()
        in_scope = scope.paths_q("grid__path", scope.read_paths)
        if scope.is_manager:
            return in_scope
        # Reps see their own rows and their grid's own row, nothing of their colleagues.
        return Q(user_id=scope.user_id) | (Q(user__isnull=True) & in_scope)


class PeriodKind(models.TextChoices):
    YEAR = "year", _("Year")
    QUARTER = "quarter", _("Quarter")
    MONTH = "month", _("Month")
    WEEK = "week", _("Week")


class CellIdField(models.BigAutoField):
    """A BigAutoField without SQLite's AUTOINCREMENT: its bookkeeping table costs ~15 % of
    inserting a plan's ~700,000 cells. A cell id may then be reused after its version is
    deleted, which nothing depends on."""

    def db_type_suffix(self, connection):
        if connection.vendor == "sqlite":
            return None
        return super().db_type_suffix(connection)


class TargetLine(models.Model):
    """One cell of a version: a unit (a grid, or a rep in a grid) × a period key.

    Period keys: the fiscal year ("2026"), fiscal quarters ("Q1"), calendar months
    ("2026-04") and ISO weeks ("2026-W14"). The year row carries the unit's lineage.
    Rows are written in bulk by services; the version's audit record summarises them.
    """

    # The composite indexes below start with the version: no separate FK index.
    id = CellIdField(primary_key=True)
    version = models.ForeignKey(
        TargetPlanVersion,
        verbose_name=_("Version"),
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (grid, version, user) index
    )
    # People are deactivated, never deleted: the (version, grid, user) index serves reads.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    period_kind = models.CharField(_("Period type"), max_length=7, choices=PeriodKind.choices)
    period = models.CharField(_("Period"), max_length=8)
    amount = models.DecimalField(_("Amount"), **MONEY)
    lineage = models.JSONField(_("Lineage"), null=True, blank=True)

    objects = TargetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("Target line")
        verbose_name_plural = _("Target lines")
        ordering = ["version", "grid__path", "user_id", "period"]
        indexes = [
            models.Index(fields=["version", "period_kind", "period"]),
            models.Index(fields=["grid", "version", "user"]),
        ]

    def __str__(self) -> str:
        who = f"{self.grid.code}/{self.user}" if self.user_id else self.grid.code
        return f"{who} {self.period} {self.amount}"


class GridScopedQuerySet(RestrictedQuerySet):
    """Rows about one grid: visible in the grid's view scope, written by directors only."""

    def scope_q(self, scope, action):
        if action == "view":
            return scope.paths_q("grid__path", scope.read_paths)
        return _nobody()


class TargetUnitInput(AuditedModel):
    """Per-grid settings of a plan: lock, bounds, manual weight, reference override."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="inputs"
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), on_delete=models.PROTECT, related_name="+"
    )
    lock = models.DecimalField(_("Locked amount"), null=True, blank=True, **MONEY)
    min_amount = models.DecimalField(_("Minimum"), null=True, blank=True, **MONEY)
    max_amount = models.DecimalField(_("Maximum"), null=True, blank=True, **MONEY)
    weight = models.DecimalField(
        _("Weight"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    reference = models.DecimalField(
        _("Reference (market potential)"), null=True, blank=True, max_digits=18, decimal_places=2
    )

    objects = GridScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("Unit input")
        verbose_name_plural = _("Unit inputs")
        ordering = ["plan", "grid__path"]
        constraints = [models.UniqueConstraint(fields=["plan", "grid"], name="target_input_unique")]

    def __str__(self) -> str:
        return f"{self.plan.name} / {self.grid.code}"


class ProposalQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action == "view":
            return scope.paths_q("grid__path", scope.read_paths)
        if action == "delete":
            return _nobody()
        # Grid and regional managers propose for the grids they manage.
        return scope.paths_q("grid__path", scope.write_paths)


class TargetProposal(AuditedModel):
    """A grid manager's bottom-up proposal for one grid's year target."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="proposals"
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("Proposed amount"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    note = models.CharField(_("Note"), max_length=300, blank=True)
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.SUBMITTED,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("Bottom-up proposal")
        verbose_name_plural = _("Bottom-up proposals")
        ordering = ["plan", "grid__path"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "grid"], name="target_proposal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} / {self.grid.code}: {self.amount}"


class ActualQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action == "view":
            return Q(user_id=scope.user_id) | scope.paths_q("grid__path", scope.read_paths)
        return _nobody()


class Actual(models.Model):
    """An achieved amount for a grid (and optionally a rep) on a day: imported until orders
    arrive with the CRM issue. Monthly figures are stored on the month's first day."""

    metric = models.CharField(
        _("Metric"), max_length=16, choices=Metric.choices, default=Metric.REVENUE
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    date = models.DateField(_("Date"), db_index=True)
    amount = models.DecimalField(_("Amount"), **MONEY)
    source = models.CharField(_("Source"), max_length=40, default="import")
    imported_at = models.DateTimeField(_("Imported"), auto_now_add=True)

    objects = ActualQuerySet.as_manager()

    class Meta:
        verbose_name = _("Actual")
        verbose_name_plural = _("Actuals")
        ordering = ["-date", "grid__path"]
        indexes = [models.Index(fields=["metric", "date"])]

    def __str__(self) -> str:
        return f"{self.grid.code} {self.date} {self.amount}"
