"""Forms of the plan pages and the what-if page: a plan version's rules as a form (a tier
table, category multipliers and bonuses as repeated rows), turned into the calculator's
PLAN.json and checked by the contract's own validator (contract.parse_plan).

The repeated rows are posted as parallel lists (`tier_from`, `tier_rate`, …): a row can
be added or removed in the browser without renumbering anything. Errors name the row and
the field ("Tier 3: “from” must be greater than tier 2's.").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.accounts.choices import Role
from gridsales.core.forms import ServiceErrorsMixin, style_fields
from gridsales.incentives.contract import InputError, parse_plan

MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_HELP = gettext_lazy("A month such as 2026-03.")
TIER_BASIS_CHOICES = [
    ("attainment", gettext_lazy("Attainment (share of the target)")),
    ("amount", gettext_lazy("Amount (yuan)")),
]
TIER_MODE_CHOICES = [
    ("marginal", gettext_lazy("Marginal (each slice at its tier's rate)")),
    ("retroactive", gettext_lazy("Retroactive (the whole base at the highest tier reached)")),
]
# Posted list names of each repeated table, in column order.
ROWS = {
    "tiers": ("tier_from", "tier_rate"),
    "multipliers": ("mult_category", "mult_value"),
    "bonuses": ("bonus_at", "bonus_amount"),
}
CATEGORY_RE = re.compile(r"^[\w.\-]{1,40}$")


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", ""))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _typed(text: str) -> str:
    """A number as the user typed it (so 1.0 stays 1.0 in the rules), without spaces or
    thousands separators."""
    return text.strip().replace(",", "")


def _plain(value: Decimal) -> str:
    """A Decimal as the contract writes it: no exponent, no trailing zeros beyond need."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class Rows:
    """The repeated rows of a rules form as text, and the problems found in them."""

    tiers: list[list[str]] = field(default_factory=list)
    multipliers: list[list[str]] = field(default_factory=list)
    bonuses: list[list[str]] = field(default_factory=list)
    bad: set[tuple[str, int]] = field(default_factory=set)  # (table, row index from 0)

    @classmethod
    def from_post(cls, data) -> Rows:
        rows = cls()
        for table, names in ROWS.items():
            columns = [data.getlist(name) for name in names]
            width = max((len(c) for c in columns), default=0)
            for i in range(width):
                cells = [(c[i] if i < len(c) else "").strip() for c in columns]
                if any(cells):  # blank rows are dropped, so the numbers match the page
                    getattr(rows, table).append(cells)
        return rows

    @classmethod
    def from_definition(cls, definition: dict) -> Rows:
        return cls(
            tiers=[[str(t.get("from", "")), str(t.get("rate", ""))] for t in definition["tiers"]]
            if isinstance(definition.get("tiers"), list)
            else [],
            multipliers=[
                [str(k), str(v)] for k, v in (definition.get("category_multipliers") or {}).items()
            ],
            bonuses=[
                [str(b.get("attainment_at_least", "")), str(b.get("amount", ""))]
                for b in definition.get("bonuses") or []
            ],
        )


class PlanRulesForm(ServiceErrorsMixin, forms.Form):
    """A plan version's rules. `definition` (after is_valid) is the calculator's JSON."""

    tier_basis = forms.ChoiceField(label=gettext_lazy("Tier basis"), choices=TIER_BASIS_CHOICES)
    tier_mode = forms.ChoiceField(label=gettext_lazy("Tier mode"), choices=TIER_MODE_CHOICES)
    cap = forms.DecimalField(
        label=gettext_lazy("Cap per month (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text=gettext_lazy("Empty: no cap."),
    )
    clawback_days = forms.IntegerField(
        label=gettext_lazy("Clawback window (days)"),
        min_value=0,
        max_value=3650,
        initial=0,
        help_text=gettext_lazy("Returns at most this many days after the order are clawed back."),
    )
    team_pool_rate = forms.DecimalField(
        label=gettext_lazy("Grid team pool rate"),
        required=False,
        min_value=0,
        max_value=1,
        decimal_places=6,
        help_text=gettext_lazy(
            "A share of the grid's result split among its members (0.005 = 0.5 %). Empty: no pool."
        ),
    )
    draw_amount = forms.DecimalField(
        label=gettext_lazy("Draw per month (yuan)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text=gettext_lazy("A guaranteed minimum for new reps. Empty: no draw."),
    )
    draw_months = forms.IntegerField(
        label=gettext_lazy("Draw for (months)"), required=False, min_value=1, max_value=36
    )
    draw_recoverable = forms.BooleanField(
        label=gettext_lazy("Recoverable from later commission"), required=False
    )

    def __init__(self, data=None, *, definition: dict | None = None, name: str = "", **kwargs):
        definition = definition or {}
        self.plan_name = name or definition.get("name", "")
        self.currency = definition.get("currency", "CNY")
        if data is None:
            kwargs.setdefault("initial", {}).update(self.initial_from(definition))
            self.rows = Rows.from_definition(definition) if definition else Rows()
        else:
            self.rows = Rows.from_post(data)
        super().__init__(data, **kwargs)
        style_fields(self)
        self.definition: dict | None = None

    @staticmethod
    def initial_from(definition: dict) -> dict:
        pool = definition.get("team_pool") or {}
        draw = definition.get("draw") or {}
        return {
            "tier_basis": definition.get("tier_basis", "attainment"),
            "tier_mode": definition.get("tier_mode", "marginal"),
            "cap": definition.get("cap"),
            "clawback_days": definition.get("clawback_days", 0),
            "team_pool_rate": pool.get("rate"),
            "draw_amount": draw.get("amount"),
            "draw_months": draw.get("months"),
            "draw_recoverable": draw.get("recoverable", False),
        }

    # ------------------------------------------------------------------ rows

    def _row_error(self, table: str, index: int, message: str) -> None:
        self.rows.bad.add((table, index))
        self.add_error(None, message)

    def _clean_tiers(self) -> list[dict]:
        tiers: list[dict] = []
        previous: Decimal | None = None
        previous_n, previous_text = 0, ""
        for i, (start_text, rate_text) in enumerate(self.rows.tiers):
            n = i + 1
            start, rate = _decimal(start_text), _decimal(rate_text)
            ok = True
            if not start_text:
                self._row_error("tiers", i, _("Tier {n}: “from” is missing.").format(n=n))
                ok = False
            elif start is None or start < 0:
                self._row_error(
                    "tiers",
                    i,
                    _("Tier {n}: “from” must be a number, zero or more, not “{value}”.").format(
                        n=n, value=start_text
                    ),
                )
                ok = False
            if not rate_text:
                self._row_error("tiers", i, _("Tier {n}: the rate is missing.").format(n=n))
                ok = False
            elif rate is None or rate < 0 or rate > 1:
                self._row_error(
                    "tiers",
                    i,
                    _(
                        "Tier {n}: the rate must be a fraction between 0 and 1 (0.05 = 5 %), not “{value}”."
                    ).format(n=n, value=rate_text),
                )
                ok = False
            if not ok:
                continue
            if previous is not None and start <= previous:
                self._row_error(
                    "tiers",
                    i,
                    _("Tier {n}: “from” must be greater than tier {m}'s ({value}).").format(
                        n=n, m=previous_n, value=previous_text
                    ),
                )
                continue
            previous, previous_n, previous_text = start, n, _typed(start_text)
            tiers.append({"from": _typed(start_text), "rate": _typed(rate_text)})
        if not self.rows.tiers:
            self.add_error(None, _("Add at least one tier."))
        return tiers

    def _clean_multipliers(self) -> dict[str, str]:
        multipliers: dict[str, str] = {}
        for i, (category, value_text) in enumerate(self.rows.multipliers):
            n = i + 1
            value = _decimal(value_text)
            if not category:
                self._row_error(
                    "multipliers",
                    i,
                    _("Multiplier {n}: the category code is missing.").format(n=n),
                )
            elif not CATEGORY_RE.match(category):
                self._row_error(
                    "multipliers",
                    i,
                    _("Multiplier {n}: “{value}” is not a category code.").format(
                        n=n, value=category
                    ),
                )
            elif category in multipliers:
                self._row_error(
                    "multipliers",
                    i,
                    _("Multiplier {n}: category {value} is listed twice.").format(
                        n=n, value=category
                    ),
                )
            elif value is None or value < 0:
                self._row_error(
                    "multipliers",
                    i,
                    _(
                        "Multiplier {n}: the multiplier must be a number, zero or more, not “{value}”."
                    ).format(n=n, value=value_text),
                )
            else:
                multipliers[category] = _typed(value_text)
        return multipliers

    def _clean_bonuses(self) -> list[dict]:
        bonuses: list[dict] = []
        for i, (at_text, amount_text) in enumerate(self.rows.bonuses):
            n = i + 1
            at, amount = _decimal(at_text), _decimal(amount_text)
            if at is None or at < 0:
                self._row_error(
                    "bonuses",
                    i,
                    _(
                        "Bonus {n}: “attainment at least” must be a share of the target such as 1.2, not “{value}”."
                    ).format(n=n, value=at_text),
                )
            elif amount is None or amount < 0 or amount != amount.quantize(Decimal("0.01")):
                self._row_error(
                    "bonuses",
                    i,
                    _(
                        "Bonus {n}: the amount must be yuan with at most 2 decimals, not “{value}”."
                    ).format(n=n, value=amount_text),
                )
            else:
                bonuses.append(
                    {
                        "attainment_at_least": _typed(at_text),
                        "amount": f"{amount.quantize(Decimal('0.01'))}",
                    }
                )
        return bonuses

    # ------------------------------------------------------------------ whole

    def clean(self):
        cleaned = super().clean()
        tiers = self._clean_tiers()
        multipliers = self._clean_multipliers()
        bonuses = self._clean_bonuses()
        if cleaned.get("draw_amount") is not None and not cleaned.get("draw_months"):
            self.add_error("draw_months", _("Give the number of months the draw is paid."))
        if self.errors:
            return cleaned
        definition = build_definition(
            name=self.plan_name,
            currency=self.currency,
            cleaned=cleaned,
            tiers=tiers,
            multipliers=multipliers,
            bonuses=bonuses,
        )
        try:
            parse_plan(json.dumps(definition), file=_("the rules"))
        except InputError as exc:
            for message in exc.messages(_):
                self.add_error(None, message)
            return cleaned
        self.definition = definition
        return cleaned

    def row_tables(self) -> list[dict]:
        """The repeated tables for the template: rows of cells with their posted names."""
        titles = {
            "tiers": (_("Tiers"), (_("From"), _("Rate"))),
            "multipliers": (_("Category multipliers"), (_("Category"), _("Multiplier"))),
            "bonuses": (_("Bonuses"), (_("Attainment at least"), _("Amount (yuan)"))),
        }
        tables = []
        for table, names in ROWS.items():
            rows = getattr(self.rows, table)
            title, headers = titles[table]
            tables.append(
                {
                    "key": table,
                    "title": title,
                    "headers": headers,
                    "names": names,
                    "rows": [
                        {
                            "n": i + 1,
                            "bad": (table, i) in self.rows.bad,
                            "cells": list(zip(names, cells, strict=True)),
                        }
                        for i, cells in enumerate(rows)
                    ],
                }
            )
        return tables


def build_definition(
    *, name: str, currency: str, cleaned: dict, tiers, multipliers, bonuses
) -> dict:
    """The calculator's JSON from a rules form's values. The optional components (cap,
    team pool, draw) appear only when filled in."""
    definition: dict = {
        "name": name,
        "currency": currency or "CNY",
        "tier_basis": cleaned["tier_basis"],
        "tier_mode": cleaned["tier_mode"],
        "tiers": tiers,
        "category_multipliers": multipliers,
        "bonuses": bonuses,
        "cap": None if cleaned.get("cap") is None else f"{cleaned['cap']:.2f}",
        "clawback_days": cleaned.get("clawback_days") or 0,
    }
    if cleaned.get("team_pool_rate") is not None:
        definition["team_pool"] = {"rate": _plain(cleaned["team_pool_rate"])}
    if cleaned.get("draw_amount") is not None:
        definition["draw"] = {
            "amount": f"{cleaned['draw_amount']:.2f}",
            "months": cleaned["draw_months"],
            "recoverable": bool(cleaned.get("draw_recoverable")),
        }
    return definition


class PlanVersionForm(PlanRulesForm):
    """A new version: the rules and the months it is in force."""

    effective_from = forms.RegexField(
        MONTH, label=gettext_lazy("Effective from (month)"), help_text=MONTH_HELP
    )
    effective_to = forms.RegexField(
        MONTH, label=gettext_lazy("Effective to (month)"), required=False, help_text=MONTH_HELP
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("effective_from"), cleaned.get("effective_to")
        if start and end and end < start:
            self.add_error(
                "effective_to",
                _("The last month {end} is before the first month {start}.").format(
                    end=end, start=start
                ),
            )
        return cleaned


class PlanCreateForm(PlanVersionForm):
    """A new plan with its first version."""

    code = forms.SlugField(label=gettext_lazy("Code"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["code", "name", "description"]

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if data is not None:
            self.plan_name = (data.get("name") or "").strip()


class AssignmentForm(ServiceErrorsMixin, forms.Form):
    """Who a plan applies to (exactly one of a rep, a role or a grid) and for which months."""

    user = forms.ModelChoiceField(label=gettext_lazy("Rep"), queryset=None, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    grid = forms.ModelChoiceField(label=gettext_lazy("Grid"), queryset=None, required=False)
    valid_from = forms.RegexField(MONTH, label=gettext_lazy("From (month)"), help_text=MONTH_HELP)
    valid_to = forms.RegexField(
        MONTH, label=gettext_lazy("To (month)"), required=False, help_text=MONTH_HELP
    )

    def __init__(self, data=None, *, user, **kwargs):
        from gridsales.accounts.models import User
        from gridsales.grids.models import Grid

        super().__init__(data, **kwargs)
        self.fields["user"].queryset = (
            User.objects.restrict(user, "view").filter(is_active=True).order_by("username")
        )
        self.fields["grid"].queryset = Grid.objects.restrict(user, "view").order_by("path")
        self.fields["grid"].label_from_instance = lambda g: f"{g.code} {g.name}"
        self.fields["role"].choices = [("", "—"), *Role.choices]
        style_fields(self)

    def clean(self):
        cleaned = super().clean()
        chosen = [k for k in ("user", "role", "grid") if cleaned.get(k)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose exactly one of a rep, a role or a grid."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error(
                "valid_to",
                _("The last month {end} is before the first month {start}.").format(
                    end=end, start=start
                ),
            )
        return cleaned


class AssignmentEndForm(ServiceErrorsMixin, forms.Form):
    valid_to = forms.RegexField(MONTH, label=gettext_lazy("Last month"), help_text=MONTH_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class WhatIfForm(PlanRulesForm):
    """The what-if: a month, plan version A, and B = another version or an edited copy
    of A (the rules fields, prefilled from A)."""

    period = forms.RegexField(MONTH, label=gettext_lazy("Month"), help_text=MONTH_HELP)
    version_a = forms.ModelChoiceField(label=gettext_lazy("Plan A"), queryset=None)
    b_mode = forms.ChoiceField(
        label=gettext_lazy("Plan B"),
        choices=[
            ("edit", gettext_lazy("An edited copy of A")),
            ("version", gettext_lazy("Another version")),
        ],
        initial="edit",
    )
    version_b = forms.ModelChoiceField(
        label=gettext_lazy("Version B"), queryset=None, required=False
    )

    field_order = ["period", "version_a", "b_mode", "version_b"]

    def __init__(self, data=None, *, versions, **kwargs):
        super().__init__(data, **kwargs)
        if data is not None and data.get("b_mode") == "version":
            for name in ("tier_basis", "tier_mode", "clawback_days"):
                self.fields[name].required = False
        for name in ("version_a", "version_b"):
            self.fields[name].queryset = versions
            self.fields[name].label_from_instance = lambda v: _(
                "{plan} v{number} (from {start})"
            ).format(plan=v.plan.name, number=v.number, start=v.effective_from)

    def clean(self):
        if self.data.get("b_mode") == "version":
            # B is a stored version: the rules fields (A's copy) are not read.
            cleaned = forms.Form.clean(self)
            if not cleaned.get("version_b"):
                self.add_error("version_b", _("Choose the version B to compare with."))
            return cleaned
        cleaned = super().clean()
        if self.definition is not None and cleaned.get("version_a"):
            self.definition["name"] = _("{name} (edited copy)").format(
                name=cleaned["version_a"].definition.get("name") or cleaned["version_a"].plan.name
            )
        return cleaned
