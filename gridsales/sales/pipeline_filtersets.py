"""Filters for deals and their stage history, shared by the board, the list page, its
exports and the API. References are by code / username like everywhere else (pipeline
code, customer code, grid code with its sub-grids, owner username); stages by id."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget

from gridsales.accounts.models import User
from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet
from gridsales.grids.models import Grid
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage
from gridsales.sales.pipelines import KIND_CHOICES


def _date_range(field_name: str, label) -> django_filters.DateFromToRangeFilter:
    return django_filters.DateFromToRangeFilter(
        field_name=field_name, label=label, widget=DateRangeWidget(attrs={"type": "date"})
    )


class _ChoicesForTheUser:
    """Reference filters as selects of what the user sees. The API takes the same code,
    username or id as text; the choices are read only when a page renders the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None:
            return

        def owners():
            people = User.objects.restrict(user, "view").filter(is_active=True)
            return [("", _("All"))] + [(u.username, str(u)) for u in people.order_by("username")]

        def grids():
            visible = Grid.objects.restrict(user, "view").order_by("path")
            return [("", _("All"))] + [
                (g.code, "\u2003" * g.depth + f"{g.code} {g.name}")
                for g in visible.only("code", "name", "depth")
            ]

        def pipelines():
            rows = Pipeline.objects.order_by("-is_default", "code")
            return [("", _("All"))] + [(p.code, p.name) for p in rows]

        def stages():
            rows = Stage.objects.select_related("pipeline").order_by(
                "-pipeline__is_default", "pipeline__code", "position"
            )
            return [("", _("All"))] + [(s.pk, f"{s.pipeline.name} · {s.name}") for s in rows]

        lazy = {"owner": owners, "grid": grids, "pipeline": pipelines, "stage": stages}
        for name, choices in lazy.items():
            if name in self.filters:
                self.filters[name].extra["widget"] = forms.Select(choices=choices)


class BoardFilterSet(_ChoicesForTheUser, StyledFilterSet):
    """The board's filters: owner, grid subtree (the deal's grid), search."""

    q = SearchFilter(fields=("name", "customer__code", "customer__name"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner"))
    grid = GridSubtreeFilter(path_field="grid__path")

    class Meta:
        model = Opportunity
        fields = ["q", "owner", "grid"]


class OpportunityFilterSet(_ChoicesForTheUser, StyledFilterSet):
    q = SearchFilter(fields=("name", "customer__code", "customer__name", "competitor"))
    pipeline = django_filters.CharFilter(field_name="pipeline__code", label=_("Pipeline"))
    stage = django_filters.NumberFilter(field_name="stage_id", label=_("Stage"))
    state = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple, choices=KIND_CHOICES, label=_("State")
    )
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner"))
    grid = GridSubtreeFilter(path_field="grid__path")
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    expected_close = _date_range("expected_close", _("Expected close date"))
    closed = _date_range("closed_on", _("Closed on"))

    class Meta:
        model = Opportunity
        fields = [
            "q",
            "pipeline",
            "stage",
            "state",
            "owner",
            "grid",
            "customer",
            "expected_close",
            "closed",
        ]


class StageFilterSet(StyledFilterSet):
    pipeline = django_filters.CharFilter(field_name="pipeline__code", label=_("Pipeline"))
    kind = django_filters.ChoiceFilter(choices=KIND_CHOICES, label=_("Stage kind"))

    class Meta:
        model = Stage
        fields = ["pipeline", "kind"]


class OpportunityStageChangeFilterSet(StyledFilterSet):
    opportunity = django_filters.NumberFilter(field_name="opportunity_id", label=_("Opportunity"))
    pipeline = django_filters.CharFilter(
        field_name="opportunity__pipeline__code", label=_("Pipeline")
    )
    changed = _date_range("changed_at", _("When"))

    class Meta:
        model = OpportunityStageChange
        fields = ["opportunity", "pipeline", "changed"]
