"""Planning scenarios: a parent grid's redesign, from basic units to approved successor grids.

A scenario keeps its basic units (H3 cells of the parent's area or its child grids, with
their activities and adjacency), today's plan, the proposed plan and their reports as JSON:
a scenario is a document read whole by its page, never queried unit by unit. Runs update
`progress`/`message` with queryset updates (not audited); every decision (create, edit,
approve, schedule, apply) is a saved, audited change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.planning.choices import ScenarioStatus, UnitSource


def default_balance() -> list[str]:
    return ["workload"]


class ScenarioQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Everyone who reads the parent grid reads its scenarios; the managers of the
        # parent's subtree (regional managers) plan it. Approving is for directors and
        # administrators (services.scenario_approve).
        if action == "view":
            return scope.paths_q("parent__path", scope.read_paths)
        if scope.role == "regional_manager":
            return scope.paths_q("parent__path", scope.write_paths)
        return Q(pk__in=[])


class Scenario(AuditedModel):
    """A proposed redesign of the grids directly under `parent` into `territories` grids.

    `units`: [{"id", "name", "lng", "lat", "geometry", "customers", "workload", "demand"}];
    `edges`: [[i, j, km]]; `current`: today's grid index per unit (−1: none), indexing
    `current_grids` ([{"id", "code", "name"}]); `assignment`: the proposed territory per
    unit; `report`/`current_report`: districting.evaluate of both plans.
    """

    name = models.CharField(_("Name"), max_length=100)
    parent = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid to redesign"),
        on_delete=models.PROTECT,
        related_name="planning_scenarios",
    )
    unit_source = models.CharField(
        _("Basic units"), max_length=10, choices=UnitSource.choices, default=UnitSource.H3
    )
    resolution = models.PositiveSmallIntegerField(
        _("H3 resolution"),
        default=8,
        validators=[MinValueValidator(5), MaxValueValidator(10)],
        help_text=_("5 (about 250 km² a cell) to 10 (about 0.015 km²); 8 is about 0.7 km²."),
    )
    territories = models.PositiveSmallIntegerField(
        _("Grids (p)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("Empty: the recommended headcount of the grid's subtree."),
    )
    tolerance = models.DecimalField(
        _("Tolerance (τ)"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.9"))],
        help_text=_("Largest allowed relative deviation from the mean, e.g. 0.05 = 5%."),
    )
    balance = models.JSONField(_("Balance on"), default=default_balance)
    time_limit = models.PositiveSmallIntegerField(
        _("Time limit (seconds)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )
    disruption_weight = models.FloatField(
        _("Disruption weight (km per unit moved)"),
        default=0.0,
        validators=[MinValueValidator(0.0)],
    )
    seed = models.PositiveIntegerField(_("Seed"), default=1)
    max_iterations = models.PositiveIntegerField(null=True, blank=True, editable=False)
    status = models.CharField(
        _("Status"), max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    progress = models.PositiveSmallIntegerField(_("Progress (%)"), default=0)
    message = models.CharField(_("Progress message"), max_length=200, blank=True)
    stop_requested = models.BooleanField(default=False, editable=False)
    run_seconds = models.FloatField(_("Run time (s)"), null=True, blank=True)
    units = models.JSONField(default=list, blank=True, editable=False)
    edges = models.JSONField(default=list, blank=True, editable=False)
    current = models.JSONField(default=list, blank=True, editable=False)
    current_grids = models.JSONField(default=list, blank=True, editable=False)
    assignment = models.JSONField(default=list, blank=True, editable=False)
    report = models.JSONField(default=dict, blank=True, editable=False)
    current_report = models.JSONField(default=dict, blank=True, editable=False)
    manual_moves = models.PositiveIntegerField(_("Units moved by hand"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("Approved at"), null=True, blank=True)
    effective_from = models.DateField(_("Effective from"), null=True, blank=True)
    applied_at = models.DateTimeField(_("Applied at"), null=True, blank=True)
    successors = models.JSONField(_("Successor grids"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = ScenarioQuerySet.as_manager()
    # Bulky documents and run-time noise; the decisions that shape them are audited.
    audit_exclude = (
        "units",
        "edges",
        "current",
        "current_grids",
        "report",
        "current_report",
        "progress",
        "message",
        "stop_requested",
        "updated_at",
    )

    class Meta:
        verbose_name = _("Planning scenario")
        verbose_name_plural = _("Planning scenarios")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("planning:scenario-detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)
