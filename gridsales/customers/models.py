"""Customers and their contacts."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.customers.choices import (
    AssignmentReason,
    Crs,
    CustomerStatus,
    CustomerType,
    Tier,
)

customer_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    _(
        "A customer code may contain only letters, digits, dots, hyphens and underscores, at most 40 characters."
    ),
)


class CustomerQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action, prefix: str = ""):
        in_read = scope.paths_q(f"{prefix}current_grid__path", scope.read_paths)
        in_write = scope.paths_q(f"{prefix}current_grid__path", scope.write_paths)
        own = Q(**{f"{prefix}owner_id": scope.user_id})
        if action == "view":
            return in_read | own
        if action == "delete" or scope.read_all:
            # Analysts and finance read everything but write nothing, even what they own.
            return in_write
        # A rep edits the customers they own, as long as those stay in the rep's grids.
        unassigned = Q(**{f"{prefix}current_grid__isnull": True})
        return in_write | (own & (in_read | unassigned))


class Customer(AuditedModel):
    """A customer (or lead) in a grid, owned by a rep. Coordinates are stored in WGS-84."""

    code = models.CharField(
        _("Customer code"), max_length=40, unique=True, validators=[customer_code_validator]
    )
    name = models.CharField(_("Customer name"), max_length=200, db_index=True)
    type = models.CharField(
        _("Customer type"),
        max_length=12,
        choices=CustomerType.choices,
        default=CustomerType.ENTERPRISE,
    )
    industry = models.CharField(_("Industry"), max_length=60, blank=True, db_index=True)
    tier = models.CharField(_("Tier"), max_length=1, choices=Tier.choices, default=Tier.C)
    tags = models.JSONField(_("Tags"), default=list, blank=True)
    address = models.CharField(_("Address"), max_length=300, blank=True)
    # What the customer needs (需求), in the rep's words: shown on the customer 360 page.
    needs = models.TextField(_("Needs"), blank=True)
    # When visits may be planned (gridsales.routes); empty: the default business hours.
    opens_at = models.TimeField(_("Opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("Closes at"), null=True, blank=True)
    lat = models.FloatField(
        _("Latitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.FloatField(
        _("Longitude"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    source_crs = models.CharField(
        _("Source CRS"), max_length=6, choices=Crs.choices, default=Crs.WGS84
    )
    status = models.CharField(
        _("Customer status"),
        max_length=10,
        choices=CustomerStatus.choices,
        default=CustomerStatus.LEAD,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    current_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Current grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        # The (current_grid, status) index serves lookups by grid; a second index would
        # only slow down bulk reassignment.
        db_index=False,
    )
    # The reason code (polygon/rule/manual/none) of the open CustomerGridAssignment row;
    # set only by gridsales.grids.assignment. Anything else means "never assigned".
    assignment_reason = models.CharField(_("Assignment reason"), max_length=200, blank=True)
    grid_pinned = models.BooleanField(
        _("Grid pinned"),
        default=False,
        help_text=_("A pinned customer keeps its grid when customers are reassigned."),
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("Customer")
        verbose_name_plural = _("Customer")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["current_grid", "status"]),
            models.Index(fields=["owner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="customer_closes_after_it_opens",
                violation_error_message=_(
                    "The closing time must be later than the opening time: correct one of them."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    def get_assignment_reason_display(self) -> str:
        labels = dict(AssignmentReason.choices)
        return str(labels.get(self.assignment_reason, self.assignment_reason))


class CustomerGridAssignmentQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # History is as visible as its customer, and nobody edits it.
        if action == "view":
            return CustomerQuerySet.scope_q(self, scope, "view", prefix="customer__")
        return Q(pk__in=[])


class CustomerGridAssignment(models.Model):
    """One effective-dated stay of a customer in a grid (grid None = in no grid).

    Written only by gridsales.grids.assignment and never rewritten: a move closes the open
    row (valid_to) and opens a new one. At most one open row per customer. This table is
    the audit of assignments; bulk runs add one summary ObjectChange on top.
    """

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("Customer"),
        on_delete=models.CASCADE,
        related_name="grid_assignments",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customer_assignments",
        db_index=False,  # the (grid, valid_to) index serves it
    )
    valid_from = models.DateTimeField(_("Valid from"))
    valid_to = models.DateTimeField(_("Valid to"), null=True, blank=True)
    reason = models.CharField(_("Reason"), max_length=10, choices=AssignmentReason.choices)
    detail = models.CharField(_("Detail"), max_length=200, blank=True)
    nearest_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Nearest grid"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # informational; grids are retired, not deleted
    )
    distance_m = models.FloatField(_("Distance (m)"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("By"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # people are deactivated, not deleted
    )
    user_name = models.CharField(_("Username"), max_length=150, blank=True)

    objects = CustomerGridAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Grid assignment")
        verbose_name_plural = _("Grid assignments")
        ordering = ["customer", "-valid_from", "-pk"]
        indexes = [models.Index(fields=["grid", "valid_to"])]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(valid_to__isnull=True),
                name="one_open_grid_assignment_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} → {self.grid_id or '-'} ({self.reason})"


class CustomerStatusChange(models.Model):
    """One change of a customer's status (线索 → 意向 → 成交客户 …), never rewritten: the
    row with an empty `previous` is the status the customer was created with. Written by
    customers.services (and in bulk by the importer); existing customers got one creation
    row with their status of the day the table was added (migration 0006)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("Customer"),
        on_delete=models.CASCADE,
        related_name="status_changes",
    )
    previous = models.CharField(
        _("Previous status"), max_length=10, choices=CustomerStatus.choices, blank=True
    )
    status = models.CharField(_("Customer status"), max_length=10, choices=CustomerStatus.choices)
    changed_at = models.DateTimeField(_("Changed"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("By"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # people are deactivated, not deleted
    )

    objects = CustomerGridAssignmentQuerySet.as_manager()  # as visible as the customer

    class Meta:
        verbose_name = _("Status change")
        verbose_name_plural = _("Status changes")
        ordering = ["customer", "changed_at", "pk"]
        indexes = [models.Index(fields=["customer", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.previous or '-'} → {self.status}"


class ContactQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # A contact is as visible and editable as its customer.
        customer_action = "view" if action == "view" else "change"
        return CustomerQuerySet.scope_q(self, scope, customer_action, prefix="customer__")


class Contact(AuditedModel):
    """A person at a customer."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("Customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("Full name"), max_length=60)
    title = models.CharField(_("Title"), max_length=60, blank=True)
    phone = models.CharField(_("Phone"), max_length=30, blank=True)
    email = models.EmailField(_("Email"), blank=True)
    wechat_id = models.CharField(_("WeChat ID"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("Primary contact"), default=False)
    note = models.CharField(_("Note"), max_length=200, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("Contact")
        verbose_name_plural = _("Contact")
        ordering = ["-is_primary", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer.name})"

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.customer_id])
