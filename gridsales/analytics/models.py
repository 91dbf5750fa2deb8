"""Rollups of the order-line fact table (docs/kpis.md, "Rollups").

Every rollup row is keyed by the grid and rep *recorded on the line*, so a subtree's
value is the sum of its leaves' rows. Counts of distinct customers cannot be summed over
days or grids, so customers get their own tables: one row per (customer, month, grid,
rep) and one row per customer for its first order. Nothing here is edited by hand: the
order services refresh the rows they touch (analytics.services) and
`gridsales analytics rebuild` recomputes them all from the lines.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gridsales.core.money import MONEY


class SalesCell(models.Model):
    """Sums of one (period start, grid, rep) cell; the grain is a day or a month."""

    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Credited rep"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    sales = models.DecimalField(_("Sales"), default=Decimal("0"), **MONEY)
    returned = models.DecimalField(_("Returned amount"), default=Decimal("0"), **MONEY)
    orders = models.PositiveIntegerField(_("Orders"), default=0)
    lines = models.PositiveIntegerField(_("Order lines"), default=0)

    class Meta:
        abstract = True


class SalesDay(SalesCell):
    """Per day: sales of non-cancelled lines dated that day, returns recorded that day,
    orders (with at least one non-cancelled line) dated that day."""

    day = models.DateField(_("Day"))

    class Meta:
        verbose_name = _("Daily sales rollup")
        verbose_name_plural = _("Daily sales rollups")
        constraints = [
            models.UniqueConstraint(fields=["day", "grid", "rep"], name="one_sales_day_cell")
        ]
        indexes = [models.Index(fields=["grid", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.grid_id}/{self.rep_id}"


class SalesMonth(SalesCell):
    """The same sums per month (`month` is its first day): the sum of its SalesDay rows."""

    month = models.DateField(_("Month"))

    class Meta:
        verbose_name = _("Monthly sales rollup")
        verbose_name_plural = _("Monthly sales rollups")
        constraints = [
            models.UniqueConstraint(fields=["month", "grid", "rep"], name="one_sales_month_cell")
        ]
        indexes = [models.Index(fields=["grid", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.grid_id}/{self.rep_id}"


class CustomerMonth(SalesCell):
    """A customer's sums in one month, grid and rep: active customers are counted as
    distinct customers over these rows, and "restated" sums join today's customer grid."""

    month = models.DateField(_("Month"))
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("Customer"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("Customer month rollup")
        verbose_name_plural = _("Customer month rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "month", "grid", "rep"], name="one_customer_month_cell"
            )
        ]
        indexes = [models.Index(fields=["month", "grid"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.customer_id}"


class CustomerFirstOrder(models.Model):
    """The first non-cancelled order of a customer (earliest date, then lowest order id)
    and the grid and rep recorded on it: new customers of a period are these rows."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("Customer"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("Day"))
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("Grid"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Credited rep"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("First order of a customer")
        verbose_name_plural = _("First orders of customers")
        indexes = [models.Index(fields=["day", "grid"])]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.day}"
