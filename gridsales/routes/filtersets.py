"""One FilterSet for the route plan list page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import StyledFilterSet
from gridsales.routes.choices import RoutePlanStatus
from gridsales.routes.models import RoutePlan


class RoutePlanFilterSet(StyledFilterSet):
    rep = django_filters.CharFilter(field_name="rep__username", label=_("Rep (username)"))
    status = django_filters.ChoiceFilter(choices=RoutePlanStatus.choices, label=_("Status"))
    day_from = django_filters.DateFilter(
        field_name="day",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    day_to = django_filters.DateFilter(
        field_name="day",
        lookup_expr="lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    week = django_filters.NumberFilter(field_name="week_id", label=_("Week plan"))

    class Meta:
        model = RoutePlan
        fields = ["rep", "status", "day_from", "day_to", "week"]
