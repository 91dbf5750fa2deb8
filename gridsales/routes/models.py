"""Visit routes: a rep's day (RoutePlan and its stops) and a grid team's week (WeekPlan).

A plan is a self-contained snapshot of what was planned: the depot, the working hours,
the lunch break, the travel speed and every candidate stop with its window, service time
and priority, so it can be re-timed after a reorder or optimised again without reading
the customers again. Times of day are minutes since midnight (local time, Asia/Shanghai
by default); coordinates are WGS-84.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.routes.choices import DepotKind, DropReason, RoutePlanStatus, StopKind
from gridsales.routes.day import hhmm
from gridsales.team.models import Membership


def managed_reps_q(scope, field: str) -> Q:
    """Rows whose `field` (a user id) is someone with a membership in force today in one of
    the grids `scope` manages (a subquery: no join, no duplicate rows)."""
    if not scope.write_paths:
        return Q(pk__in=[])
    managed = Membership.objects.active().filter(scope.paths_q("grid__path", scope.write_paths))
    return Q(**{f"{field}__in": managed.values("user_id")})


class RoutePlanQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action, prefix: str = ""):
        # A rep sees and plans their own days; managers those of the reps of the grids
        # they manage; read-all roles read every plan (restrict) and change none.
        own = Q(**{f"{prefix}rep_id": scope.user_id})
        managed = managed_reps_q(scope, f"{prefix}rep_id")
        if action != "view" and scope.read_all:
            return managed
        return own | managed


class WeekPlanQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Week plans are the managers' tool: the grids they manage (read-all roles read).
        return scope.paths_q("grid__path", scope.write_paths)


class WeekPlan(AuditedModel):
    """A grid team's week: one RoutePlan per rep and working day (`days`), planned
    together; `unplanned` lists the due customers no day had room for, with reasons."""

    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), on_delete=models.CASCADE, related_name="week_plans"
    )
    week_start = models.DateField(_("Week of"))
    keep_own_customers = models.BooleanField(
        _("Customers stay with their owner"),
        default=True,
        help_text=_("Give each customer only to the rep who owns it."),
    )
    unplanned = models.JSONField(_("Not planned"), default=list, blank=True)
    seconds = models.FloatField(_("Planning time (s)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Planned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = WeekPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("Week route plan")
        verbose_name_plural = _("Week route plans")
        ordering = ["-week_start", "grid__path"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "week_start"], name="one_week_plan_per_grid")
        ]

    def __str__(self) -> str:
        return f"{self.grid.code} {self.week_start:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("routes:week-detail", args=[self.pk])


class RoutePlan(AuditedModel):
    """A rep's day of visits in order, with planned times, distance and what was left out.

    At most one draft and one confirmed plan per rep and day: planning again replaces the
    draft; confirming a draft replaces the confirmed plan.
    """

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        on_delete=models.CASCADE,
        related_name="route_plans",
    )
    day = models.DateField(_("Day"))
    status = models.CharField(
        _("Status"), max_length=10, choices=RoutePlanStatus.choices, default=RoutePlanStatus.DRAFT
    )
    week = models.ForeignKey(
        WeekPlan,
        verbose_name=_("Week plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="days",
    )
    depot_kind = models.CharField(
        _("Start and end"), max_length=6, choices=DepotKind.choices, default=DepotKind.OFFICE
    )
    depot_lat = models.FloatField(_("Start latitude"))
    depot_lng = models.FloatField(_("Start longitude"))
    shift_start = models.PositiveSmallIntegerField(_("Working day starts (min)"))
    shift_end = models.PositiveSmallIntegerField(_("Working day ends (min)"))
    lunch_earliest = models.PositiveSmallIntegerField(_("Lunch from (min)"), null=True, blank=True)
    lunch_latest = models.PositiveSmallIntegerField(_("Lunch until (min)"), null=True, blank=True)
    lunch_minutes = models.PositiveSmallIntegerField(_("Lunch (minutes)"), default=0)
    road_factor = models.FloatField(_("Road factor"))
    speed_kmh = models.FloatField(_("Speed (km/h)"))
    depart = models.FloatField(_("Leaves at (min)"), default=0)
    back = models.FloatField(_("Back at (min)"), default=0)
    back_late_by = models.FloatField(_("Back late by (min)"), default=0)
    distance_m = models.FloatField(_("Distance (m)"), default=0)
    drive_minutes = models.FloatField(_("Driving (minutes)"), default=0)
    reordered = models.BooleanField(_("Reordered by hand"), default=False)
    solve_seconds = models.FloatField(_("Planning time (s)"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Planned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("Confirmed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = RoutePlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("Route plan")
        verbose_name_plural = _("Route plans")
        ordering = ["-day", "rep__username", "status"]
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "day", "status"], name="one_route_plan_per_rep_day_status"
            )
        ]
        indexes = [models.Index(fields=["day", "rep"])]

    def __str__(self) -> str:
        return f"{self.rep} {self.day:%Y-%m-%d} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("routes:detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == RoutePlanStatus.DRAFT

    @property
    def has_lunch(self) -> bool:
        return self.lunch_earliest is not None and self.lunch_minutes > 0

    @property
    def distance_km(self) -> float:
        return self.distance_m / 1000

    @property
    def hours(self) -> float:
        """From leaving the depot to being back, in hours."""
        return max(0.0, self.back - self.depart) / 60

    def depart_time(self) -> str:
        return hhmm(self.depart)

    def back_time(self) -> str:
        return hhmm(self.back)

    def shift_text(self) -> str:
        return f"{hhmm(self.shift_start)}–{hhmm(self.shift_end)}"


class RouteStopQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        return RoutePlanQuerySet.scope_q(self, scope, action, prefix="plan__")

    def in_order(self):
        """The planned visits and the lunch break, in route order."""
        return self.filter(position__isnull=False).order_by("position")

    def dropped(self):
        return self.filter(position__isnull=True).order_by("-priority", "pk")


class RouteStop(models.Model):
    """One candidate of a plan: planned at `position` (1, 2, …) with its times, or left
    out (`position` empty) with a `drop_reason`. The lunch break is a stop too (kind
    lunch, no customer), taken at the place of the visit before it.

    Written in bulk with its plan (whose audit record covers the change).
    """

    plan = models.ForeignKey(
        RoutePlan, verbose_name=_("Route plan"), on_delete=models.CASCADE, related_name="stops"
    )
    position = models.PositiveSmallIntegerField(_("Position"), null=True, blank=True)
    kind = models.CharField(_("Kind"), max_length=12, choices=StopKind.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="route_stops",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("Activity"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="route_stops",
    )
    name = models.CharField(_("Name"), max_length=200)
    address = models.CharField(_("Address"), max_length=300, blank=True)
    lat = models.FloatField(_("Latitude"), null=True, blank=True)
    lng = models.FloatField(_("Longitude"), null=True, blank=True)
    early = models.FloatField(_("Window opens (min)"))
    late = models.FloatField(_("Window closes (min)"), null=True, blank=True)
    service = models.FloatField(_("Service (minutes)"))
    priority = models.FloatField(_("Priority"), default=1)
    required = models.BooleanField(_("Must be visited"), default=False)
    arrival = models.FloatField(_("Arrival (min)"), null=True, blank=True)
    wait = models.FloatField(_("Wait (minutes)"), null=True, blank=True)
    start = models.FloatField(_("Start (min)"), null=True, blank=True)
    end = models.FloatField(_("End (min)"), null=True, blank=True)
    late_by = models.FloatField(_("Late by (minutes)"), default=0)
    travel_m = models.FloatField(_("Travel from the previous stop (m)"), default=0)
    travel_minutes = models.FloatField(_("Travel from the previous stop (minutes)"), default=0)
    drop_reason = models.CharField(
        _("Why left out"), max_length=12, choices=DropReason.choices, blank=True
    )
    drop_params = models.JSONField(_("Details"), default=dict, blank=True)

    objects = RouteStopQuerySet.as_manager()

    class Meta:
        verbose_name = _("Route stop")
        verbose_name_plural = _("Route stops")
        ordering = ["plan", "position", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_lunch(self) -> bool:
        return self.kind == StopKind.LUNCH

    @property
    def is_late(self) -> bool:
        return self.late_by > 0.5  # a visit half a minute late is on time

    def window_text(self) -> str:
        return f"{hhmm(self.early)}–{hhmm(self.late) or '…'}"

    def arrival_time(self) -> str:
        return hhmm(self.arrival)

    def start_time(self) -> str:
        return hhmm(self.start)

    def end_time(self) -> str:
        return hhmm(self.end)
