"""Products, pipelines and opportunities, and orders: the fact table of every sale.

An order line carries its own copy of the order's date, customer, grid and rep (the grid
and rep *at the order date*), so attainment, commissions and analytics read one table and
a later reassignment never rewrites history (docs/decisions/0005-crm-apps.md).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.core.models import AuditedModel
from gridsales.core.money import MONEY
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.customers.models import CustomerQuerySet
from gridsales.sales.choices import OpportunitySource, OrderLineStatus, OrderSource, StageKind

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    _(
        "A code may contain only letters, digits, dots, hyphens and underscores, at most 40 characters."
    ),
)


class CatalogueQuerySet(RestrictedQuerySet):
    """Reference data (products, categories, pipelines): everyone signed in reads it;
    only administrators and directors (write-all roles, answered by restrict()) change it."""

    def scope_q(self, scope, action):
        if action == "view":
            return None
        return Q(pk__in=[])


class ProductCategory(AuditedModel):
    """A product category (品类); commission plans can weigh categories differently."""

    code = models.CharField(_("Code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("Name"), max_length=100)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Product category")
        verbose_name_plural = _("Product categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Product(AuditedModel):
    """Something the company sells, with its list price per unit."""

    code = models.CharField(
        _("Product code"), max_length=40, unique=True, validators=[code_validator]
    )
    name = models.CharField(_("Product name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("Category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("Unit"), max_length=20, blank=True)
    list_price = models.DecimalField(
        _("List price"), validators=[MinValueValidator(Decimal("0"))], default=Decimal("0"), **MONEY
    )
    is_active = models.BooleanField(_("Active"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Product")
        verbose_name_plural = _("Products")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("sales:product-list") + f"?q={self.code}"


class Pipeline(AuditedModel):
    """A sales process: an ordered list of stages a deal moves through."""

    code = models.CharField(_("Code"), max_length=40, unique=True, validators=[code_validator])
    name = models.CharField(_("Name"), max_length=100)
    description = models.CharField(_("Description"), max_length=300, blank=True)
    is_default = models.BooleanField(_("Default pipeline"), default=False)
    is_active = models.BooleanField(_("Active"), default=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Pipeline")
        verbose_name_plural = _("Pipelines")
        ordering = ["-is_default", "code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:board", args=[self.pk])


class Stage(AuditedModel):
    """One step of a pipeline: its place, win probability and whether it closes the deal."""

    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("Pipeline"), on_delete=models.CASCADE, related_name="stages"
    )
    position = models.PositiveSmallIntegerField(_("Position"))
    name = models.CharField(_("Stage"), max_length=60)
    probability = models.PositiveSmallIntegerField(
        _("Probability (%)"), validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(
        _("Stage kind"), max_length=4, choices=StageKind.choices, default=StageKind.OPEN
    )

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        verbose_name = _("Stage")
        verbose_name_plural = _("Stages")
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "position"], name="one_stage_per_position")
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # A deal is as visible as its customer, and always to its owner; the owner edits it
        # while the customer stays in the owner's view; managers edit and delete the deals
        # of the customers they manage.
        customer_view = CustomerQuerySet.scope_q(self, scope, "view", prefix="customer__")
        own = Q(owner_id=scope.user_id)
        if action == "view":
            return customer_view | own
        managed = scope.paths_q("customer__current_grid__path", scope.write_paths)
        if action == "delete" or scope.read_all:
            return managed
        return managed | (own & customer_view)


class Opportunity(AuditedModel):
    """A deal with a customer moving through a pipeline's stages.

    `state` mirrors the stage's kind (open/won/lost) and `closed_on` the date it was won or
    lost, so conversion and sales-cycle queries need no join. `grid` is the customer's grid
    when the deal was created. Stage moves are kept in OpportunityStageChange.
    """

    name = models.CharField(_("Opportunity"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Owner"),
        on_delete=models.PROTECT,
        related_name="opportunities",
    )
    pipeline = models.ForeignKey(
        Pipeline, verbose_name=_("Pipeline"), on_delete=models.PROTECT, related_name="opportunities"
    )
    stage = models.ForeignKey(
        Stage, verbose_name=_("Stage"), on_delete=models.PROTECT, related_name="opportunities"
    )
    state = models.CharField(
        _("State"), max_length=4, choices=StageKind.choices, default=StageKind.OPEN, editable=False
    )
    amount = models.DecimalField(
        _("Amount"), validators=[MinValueValidator(Decimal("0"))], default=Decimal("0"), **MONEY
    )
    expected_close = models.DateField(_("Expected close date"), null=True, blank=True)
    source = models.CharField(
        _("Source"), max_length=10, choices=OpportunitySource.choices, blank=True
    )
    competitor = models.CharField(_("Competitor"), max_length=100, blank=True)
    loss_reason = models.CharField(_("Loss reason"), max_length=300, blank=True)
    description = models.TextField(_("Description"), blank=True)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text=_("The customer's grid when the deal was created."),
    )
    created_at = models.DateTimeField(_("Created"))
    closed_on = models.DateField(_("Closed on"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        verbose_name = _("Opportunity")
        verbose_name_plural = _("Opportunities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["state", "closed_on"]),
            models.Index(fields=["pipeline", "stage"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("sales:opportunity-detail", args=[self.pk])


class OpportunityStageChangeQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # History is as visible as its deal, and nobody edits it.
        if action == "view":
            customer_view = CustomerQuerySet.scope_q(
                self, scope, "view", prefix="opportunity__customer__"
            )
            return customer_view | Q(opportunity__owner_id=scope.user_id)
        return Q(pk__in=[])


class OpportunityStageChange(models.Model):
    """One move of a deal from a stage to another: the raw data of conversion rates and
    sales cycles. The first row of a deal has no `from_stage` (it was created there)."""

    opportunity = models.ForeignKey(
        Opportunity,
        verbose_name=_("Opportunity"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
    )
    from_stage = models.ForeignKey(
        Stage,
        verbose_name=_("From stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_stage = models.ForeignKey(
        Stage, verbose_name=_("To stage"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("When"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("By"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("Username"), max_length=150, blank=True)

    objects = OpportunityStageChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Stage change")
        verbose_name_plural = _("Stage changes")
        ordering = ["opportunity", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.opportunity_id}: {self.from_stage_id} → {self.to_stage_id}"


def order_scope_q(scope, action, prefix: str = "") -> Q:
    """Orders are facts of the grid they were recorded in: visible to that grid's people,
    to the credited rep, and to whoever sees the customer today. Managers of the recorded
    grid or of the customer's grid change them; a rep records and edits orders credited to
    themselves for customers they may change. Nobody but managers deletes an order."""
    in_read = scope.paths_q(f"{prefix}grid__path", scope.read_paths)
    customer_view = CustomerQuerySet.scope_q(None, scope, "view", prefix=f"{prefix}customer__")
    own = Q(**{f"{prefix}rep_id": scope.user_id})
    if action == "view":
        return in_read | customer_view | own
    managed = scope.paths_q(f"{prefix}grid__path", scope.write_paths) | scope.paths_q(
        f"{prefix}customer__current_grid__path", scope.write_paths
    )
    if action == "delete" or scope.read_all:
        return managed
    customer_change = CustomerQuerySet.scope_q(None, scope, "change", prefix=f"{prefix}customer__")
    return managed | (own & customer_change)


class OrderQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        return order_scope_q(scope, action)


class Order(AuditedModel):
    """A sales order: its number, date, customer, credited rep and lines.

    `grid` and `rep` are those *at the order date* and are never rewritten by a later
    reassignment. `amount` is the sum of the non-cancelled lines, `returned_amount` the sum
    of their returns (both kept by the order services). The status of each line is the
    fact; the order's `status` summarises it (returned if any line is, cancelled if all are).
    """

    number = models.CharField(_("Order number"), max_length=40, unique=True)
    order_date = models.DateField(_("Order date"), db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Credited rep"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        help_text=_("The customer's grid on the order date."),
    )
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=OrderLineStatus.choices,
        default=OrderLineStatus.CONFIRMED,
    )
    amount = models.DecimalField(_("Amount"), default=Decimal("0"), **MONEY)
    returned_amount = models.DecimalField(_("Returned amount"), default=Decimal("0"), **MONEY)
    currency = models.CharField(_("Currency"), max_length=3, default="CNY")
    source = models.CharField(
        _("Source"), max_length=6, choices=OrderSource.choices, default=OrderSource.MANUAL
    )
    note = models.CharField(_("Note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("Updated"), auto_now=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("Order")
        verbose_name_plural = _("Orders")
        ordering = ["-order_date", "-number"]
        indexes = [
            models.Index(fields=["customer", "order_date"]),
            models.Index(fields=["grid", "order_date"]),
            models.Index(fields=["rep", "order_date"]),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("sales:order-detail", args=[self.pk])


class OrderLineQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # A line is as visible as its order; lines change only through the order.
        if action == "view":
            return order_scope_q(scope, "view", prefix="order__")
        return Q(pk__in=[])


class OrderLine(models.Model):
    """One line of an order (one row of the ERP export): the fact row.

    `order_date`, `customer`, `grid` and `rep` copy the order's so rollups read one table.
    `amount` = quantity × unit price − discount (a discount is an amount, not a rate).
    A cancelled line counts for nothing; a returned line keeps its amount and records the
    amount and date of the return. Audited through its order (imports write in bulk).
    """

    order = models.ForeignKey(
        Order, verbose_name=_("Order"), on_delete=models.CASCADE, related_name="lines"
    )
    line_no = models.PositiveIntegerField(_("Line"))
    product = models.ForeignKey(
        Product, verbose_name=_("Product"), on_delete=models.PROTECT, related_name="order_lines"
    )
    quantity = models.DecimalField(_("Quantity"), max_digits=14, decimal_places=3)
    unit_price = models.DecimalField(_("Unit price"), **MONEY)
    discount = models.DecimalField(_("Discount"), default=Decimal("0"), **MONEY)
    amount = models.DecimalField(_("Amount"), **MONEY)
    status = models.CharField(
        _("Status"),
        max_length=10,
        choices=OrderLineStatus.choices,
        default=OrderLineStatus.CONFIRMED,
    )
    returned_amount = models.DecimalField(_("Returned amount"), default=Decimal("0"), **MONEY)
    return_date = models.DateField(_("Return date"), null=True, blank=True)
    # Copies of the order's dimensions (the fact table's keys).
    order_date = models.DateField(_("Order date"))
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Credited rep"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("Order line")
        verbose_name_plural = _("Order lines")
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="one_line_per_number")
        ]
        indexes = [
            models.Index(fields=["order_date", "grid"]),
            models.Index(fields=["order_date", "rep"]),
            models.Index(fields=["customer", "order_date"]),
            models.Index(fields=["return_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_no}"
