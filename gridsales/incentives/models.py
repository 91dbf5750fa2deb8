"""Commission plans (versioned, effective-dated), their assignments, runs, statements,
adjustments and disputes. The rules live in calculator.py; services.py feeds it."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from gridsales.accounts.choices import Role
from gridsales.core.models import AuditedModel
from gridsales.core.money import MONEY
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.incentives.amounts import fen_str
from gridsales.incentives.calculator import Text, order_line_text
from gridsales.incentives.choices import DisputeStatus, LineKind, RunStatus

# Finance runs commissions: it writes here although it only reads the rest of the product.
FINANCE_ROLES = {Role.ADMIN, Role.DIRECTOR, Role.FINANCE}


def _fen(value) -> int:
    return int((Decimal(value) * 100).to_integral_value())


def _nobody() -> Q:
    return Q(pk__in=[])


class SetupQuerySet(RestrictedQuerySet):
    """Plans, versions, assignments and runs: everyone signed in reads them (a rep needs
    the plan to understand a statement); finance, directors and admins change them."""

    def scope_q(self, scope, action):
        if action == "view" or scope.role in FINANCE_ROLES:
            return Q()
        return _nobody()


class IncentivePlan(AuditedModel):
    """A commission plan; its rules are in its versions, each effective from a month."""

    code = models.SlugField(_("Code"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=120)
    description = models.TextField(_("Description"), blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        verbose_name = _("Commission plan")
        verbose_name_plural = _("Commission plans")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def version_for(self, period: str):
        """The version in force in `period` (YYYY-MM): the latest effective by then."""
        return (
            self.versions.filter(effective_from__lte=period)
            .filter(Q(effective_to="") | Q(effective_to__gte=period))
            .order_by("-effective_from", "-number")
            .first()
        )


class IncentivePlanVersion(AuditedModel):
    """The plan's rules (the calculator's PLAN.json) from one month on; never edited once
    a run used it — a change is a new version."""

    plan = models.ForeignKey(
        IncentivePlan, verbose_name=_("Plan"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("Version"))
    effective_from = models.CharField(_("Effective from (month)"), max_length=7)
    effective_to = models.CharField(_("Effective to (month)"), max_length=7, blank=True)
    definition = models.JSONField(_("Rules (JSON)"))
    note = models.CharField(_("Note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        verbose_name = _("Plan version")
        verbose_name_plural = _("Plan versions")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="incentive_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan.name} v{self.number}"


class PlanAssignment(AuditedModel):
    """Who a plan applies to, for which months: one rep, everyone of a role, or the reps of
    a grid's subtree. A rep's own assignment wins over a grid's, a grid's over a role's."""

    plan = models.ForeignKey(
        IncentivePlan,
        verbose_name=_("Plan"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(_("Role"), max_length=20, choices=Role.choices, blank=True)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    valid_from = models.CharField(_("From (month)"), max_length=7)
    valid_to = models.CharField(_("To (month)"), max_length=7, blank=True)

    objects = SetupQuerySet.as_manager()

    class Meta:
        verbose_name = _("Plan assignment")
        verbose_name_plural = _("Plan assignments")
        ordering = ["plan", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, grid__isnull=True, role="")
                    | Q(user__isnull=True, grid__isnull=False, role="")
                    | (Q(user__isnull=True, grid__isnull=True) & ~Q(role=""))
                ),
                name="assignment_one_target",
            )
        ]

    def __str__(self) -> str:
        who = self.user or self.grid or self.get_role_display()
        return f"{self.plan} → {who}"


class RunQuerySet(SetupQuerySet):
    pass


class CommissionRun(AuditedModel):
    """The commissions of one month: draft → calculated → approved → paid (locked)."""

    period = models.CharField(_("Month"), max_length=7, unique=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    total = models.DecimalField(_("Total"), default=Decimal("0"), **MONEY)
    revenue = models.DecimalField(_("Commissionable revenue"), default=Decimal("0"), **MONEY)
    rep_count = models.PositiveIntegerField(_("Reps"), default=0)
    line_count = models.PositiveIntegerField(_("Statement lines"), default=0)
    warnings = models.JSONField(_("Warnings"), default=list, blank=True)
    calculated_at = models.DateTimeField(_("Calculated"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("Approved"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("Paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = _("Commission run")
        verbose_name_plural = _("Commission runs")
        ordering = ["-period"]

    def __str__(self) -> str:
        return gettext_now("Commissions {period}").format(period=self.period)

    def get_absolute_url(self) -> str:
        return reverse("incentives:run", args=[self.pk])


class StatementQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action, prefix: str = ""):
        # Writes go through the run's services (finance); reads: a rep their own, a
        # manager the reps of the grids they see, read-only.
        if action != "view":
            return Q(**{f"{prefix}pk__in": []}) if scope.role not in FINANCE_ROLES else Q()
        own = Q(**{f"{prefix}rep_id": scope.user_id})
        if scope.is_manager:
            return own | scope.paths_q(f"{prefix}grid__path", scope.read_paths)
        return own


class Statement(models.Model):
    """One rep's commission for a run, with its totals; its lines explain every fen.
    Written in bulk by the run (the run's audit record summarises it)."""

    run = models.ForeignKey(
        CommissionRun, verbose_name=_("Run"), on_delete=models.CASCADE, related_name="statements"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Rep"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    plan_version = models.ForeignKey(
        IncentivePlanVersion,
        verbose_name=_("Plan version"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    base = models.DecimalField(_("Base"), **MONEY)
    target = models.DecimalField(_("Target"), null=True, blank=True, **MONEY)
    attainment = models.DecimalField(
        _("Attainment"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    tier_commission = models.DecimalField(_("Tier commission"), **MONEY)
    bonus = models.DecimalField(_("Bonus"), **MONEY)
    cap_adjustment = models.DecimalField(_("Cap adjustment"), **MONEY)
    pool = models.DecimalField(_("Team pool"), default=Decimal("0"), **MONEY)
    clawback = models.DecimalField(_("Clawback"), **MONEY)
    draw = models.DecimalField(_("Draw"), default=Decimal("0"), **MONEY)
    draw_recovery = models.DecimalField(_("Draw recovery"), default=Decimal("0"), **MONEY)
    draw_balance = models.DecimalField(
        _("Draw outstanding"),
        default=Decimal("0"),
        help_text=_("Recoverable draws not yet recovered, after this run."),
        **MONEY,
    )
    # The blended rate every order line of the statement earns (times its multiplier).
    line_rate = models.DecimalField(
        _("Blended rate"), max_digits=16, decimal_places=10, null=True, blank=True
    )
    adjustments = models.DecimalField(_("Adjustments"), default=Decimal("0"), **MONEY)
    total = models.DecimalField(_("Total"), **MONEY)
    warnings = models.JSONField(_("Warnings"), default=list, blank=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("Statement")
        verbose_name_plural = _("Statements")
        ordering = ["run", "rep__username"]
        constraints = [models.UniqueConstraint(fields=["run", "rep"], name="one_statement_per_rep")]

    def __str__(self) -> str:
        return f"{self.run.period} {self.rep}"

    def get_absolute_url(self) -> str:
        return reverse("incentives:statement", args=[self.pk])

    @cached_property
    def multipliers(self) -> dict[str, Decimal]:
        """Category → multiplier of the statement's plan version (1 when not listed)."""
        raw = (self.plan_version.definition or {}).get("category_multipliers") or {}
        return {category: Decimal(str(value)) for category, value in raw.items()}

    def display_lines(self) -> list[StatementLine]:
        """The lines in order, with what their sentences need, in one query."""
        lines = list(
            self.lines.select_related("order_line__order", "order_line__product__category")
        )
        for line in lines:
            line.statement = self
        return lines


class StatementLineQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        return StatementQuerySet.scope_q(self, scope, action, prefix="statement__")


class StatementLine(models.Model):
    """One line of a statement: an order line's commission, a bonus, the cap, a clawback or
    an adjustment, with base × rate × multiplier = amount. The sentence is rendered in the
    reader's language from `template` and `params` (see `explanation`)."""

    # Indexed by the (statement, position) constraint: a second index on statement alone
    # would cost a million more index entries a month for nothing.
    statement = models.ForeignKey(
        Statement,
        verbose_name=_("Statement"),
        on_delete=models.CASCADE,
        related_name="lines",
        db_index=False,
    )
    position = models.PositiveIntegerField(_("Position"))
    kind = models.CharField(_("Kind"), max_length=16, choices=LineKind.choices)
    # No database constraint: checking a million parent rows at insert would cost as much
    # as writing the lines, and the run writes only the ids it has just read. Deleting an
    # order line still empties the link (on_delete runs in Django).
    order_line = models.ForeignKey(
        "sales.OrderLine",
        verbose_name=_("Order line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Whole fen: a month writes a million lines, and integers are the cheapest exact money.
    base_fen = models.BigIntegerField(_("Base (fen)"), null=True, blank=True)
    amount_fen = models.BigIntegerField(_("Amount (fen)"))
    # Order lines leave rate and multiplier empty: they earn the statement's blended rate
    # times their category's multiplier; pool, clawback and other lines keep their own.
    rate = models.DecimalField(_("Rate"), max_digits=16, decimal_places=10, null=True, blank=True)
    multiplier = models.DecimalField(
        _("Multiplier"), max_digits=10, decimal_places=4, null=True, blank=True
    )
    # Order lines rebuild their sentence from the order line (number, date, category,
    # amount) and the columns above; the few other lines keep theirs as an English
    # template and its parameters.
    template = models.CharField(
        _("Explanation template"), max_length=400, blank=True, default="", db_default=""
    )
    params = models.JSONField(_("Explanation parameters"), null=True, blank=True)

    objects = StatementLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("Statement line")
        verbose_name_plural = _("Statement lines")
        ordering = ["statement", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="one_statement_line_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.statement_id}#{self.position}"

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_fen).scaleb(-2)

    @property
    def base(self) -> Decimal | None:
        return None if self.base_fen is None else Decimal(self.base_fen).scaleb(-2)

    @property
    def order_no(self) -> str:
        return self.order_line.order.number if self.order_line_id else ""

    @property
    def line_no(self) -> int | None:
        return self.order_line.line_no if self.order_line_id else None

    @property
    def line_rate(self) -> Decimal | None:
        """The rate shown: the statement's blended rate for an order line."""
        if self.kind == LineKind.ORDER_LINE and self.rate is None:
            return self.statement.line_rate
        return self.rate

    @property
    def line_multiplier(self) -> Decimal | None:
        """The multiplier shown: the category's in the plan for an order line."""
        if self.kind == LineKind.ORDER_LINE and self.multiplier is None:
            if not self.order_line_id:
                return None
            category = self.order_line.product.category.code
            return self.statement.multipliers.get(category, Decimal("1"))
        return self.multiplier

    @property
    def explanation(self) -> str:
        """The sentence in the active language."""
        if self.kind == LineKind.ORDER_LINE:
            return self._order_line_text().render(gettext_now)
        return Text(self.template, self.params or {}).render(gettext_now)

    def _order_line_text(self) -> Text:
        fact = self.order_line
        if fact is None:
            return Text(
                gettext_noop("An order line since deleted: {base} earned {amount}."),
                {"base": fen_str(self.base_fen or 0), "amount": fen_str(self.amount_fen)},
            )
        shown = SimpleNamespace(
            order_no=fact.order.number,
            line_no=fact.line_no,
            order_date=fact.order_date,
            category=fact.product.category.code,
        )
        rate = self.line_rate
        multiplier = self.line_multiplier
        return order_line_text(
            shown,
            _fen(fact.amount),
            self.base_fen,
            rate,
            f"{multiplier.normalize():f}",
            self.amount_fen,
        )


class AdjustmentQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if scope.role in FINANCE_ROLES:
            return Q()
        if action != "view":
            return _nobody()
        q = Q(rep_id=scope.user_id)
        if scope.is_manager:
            # As the statement it shows on: the reps of the grids the manager sees.
            statements = Statement.objects.filter(
                scope.paths_q("grid__path", scope.read_paths),
                run_id=OuterRef("run_id"),
                rep_id=OuterRef("rep_id"),
            )
            q |= Q(Exists(statements))
        return q


class Adjustment(AuditedModel):
    """A manual change to a rep's commission in a run, with its reason; kept across
    recalculations and shown as a statement line."""

    run = models.ForeignKey(
        CommissionRun,
        verbose_name=_("Run"),
        on_delete=models.CASCADE,
        related_name="adjustments",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("Rep"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("Amount"), **MONEY)
    reason = models.CharField(_("Reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("Created"), auto_now_add=True)

    objects = AdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("Adjustment")
        verbose_name_plural = _("Adjustments")
        ordering = ["run", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.run.period} {self.rep} {self.amount}"


class DisputeQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # Seen with the statement; raised through a service that checks the rep; resolved
        # by finance.
        if scope.role in FINANCE_ROLES:
            return Q()
        if action == "view":
            return StatementQuerySet.scope_q(self, scope, "view", prefix="statement__")
        return _nobody()


class Dispute(AuditedModel):
    """A rep's objection to one statement line; finance accepts it (with an adjustment) or
    rejects it (with a reason). Its audit records keep the history."""

    statement = models.ForeignKey(
        Statement, verbose_name=_("Statement"), on_delete=models.CASCADE, related_name="disputes"
    )
    line = models.ForeignKey(
        StatementLine,
        verbose_name=_("Statement line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disputes",
    )
    line_text = models.CharField(_("Disputed line"), max_length=500)
    message = models.TextField(_("What is wrong"))
    status = models.CharField(
        _("Status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    raised_at = models.DateTimeField(_("Raised"), auto_now_add=True)
    resolution = models.CharField(_("Resolution"), max_length=300, blank=True)
    adjustment = models.ForeignKey(
        Adjustment,
        verbose_name=_("Adjustment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("Resolved"), null=True, blank=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("Dispute")
        verbose_name_plural = _("Disputes")
        ordering = ["-raised_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.statement} #{self.pk}"
