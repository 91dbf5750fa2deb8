"""The grid tree: company → region → area → grid, stored with a materialised path."""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.grids.choices import GridKind, GridLevel, GridStatus

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$",
    _(
        "A code may contain only letters, digits, hyphens and underscores, must start with a letter or digit, and is at most 40 characters long."
    ),
)


class GridQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action == "view":
            return scope.paths_q("path", scope.read_paths)
        # The tree's shape is decided by HQ and regional managers: grid managers and reps
        # read their grids but do not restructure them.
        if scope.role == "regional_manager":
            return scope.paths_q("path", scope.write_paths)
        return Q(pk__in=[])

    def subtree(self, grid):
        """The grid and all its descendants."""
        return self.filter(path__startswith=grid.path)

    def leaves(self):
        return self.filter(is_leaf=True)


class Grid(AuditedModel):
    """A node of the grid tree. Leaf grids own customers; inner grids group them.

    `path` is the materialised path of primary keys ("/1/7/42/"), so a subtree is one
    `path__startswith` query. `kind` geo grids carry a WGS-84 GeoJSON geometry and its
    bounding box; segment grids carry ordered rules on customer fields.
    """

    code = models.CharField(_("Code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("Name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("Parent grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("Path"), max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("Depth"), default=0, editable=False)
    is_leaf = models.BooleanField(_("Leaf grid"), default=True, editable=False)
    level = models.CharField(
        _("Level"), max_length=10, choices=GridLevel.choices, default=GridLevel.GRID
    )
    kind = models.CharField(
        _("Kind"), max_length=10, choices=GridKind.choices, default=GridKind.GEO
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=GridStatus.choices, default=GridStatus.ACTIVE
    )
    description = models.TextField(_("Description"), blank=True)
    geometry = models.JSONField(_("Boundary (GeoJSON)"), null=True, blank=True)
    min_lng = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lng = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    segment_rules = models.JSONField(_("Segment rules"), default=list, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = GridQuerySet.as_manager()
    # Derived from parent and geometry, which are audited themselves.
    audit_exclude = ("path", "depth", "is_leaf", "min_lng", "min_lat", "max_lng", "max_lat")

    class Meta:
        verbose_name = _("Grid")
        verbose_name_plural = _("Grid")
        ordering = ["path"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("grids:detail", args=[self.pk])

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/")[:-1] if p]
