import django_filters
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet
from gridsales.targets.choices import Metric, PlanStatus
from gridsales.targets.models import (
    Actual,
    PeriodKind,
    TargetLine,
    TargetPlan,
    TargetPlanVersion,
    TargetProposal,
    TargetUnitInput,
)


class TargetPlanFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name"))
    year = django_filters.NumberFilter(label=_("Fiscal year"))
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices, label=_("Status"))
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))

    class Meta:
        model = TargetPlan
        fields = ["q", "year", "status", "metric"]


class TargetPlanVersionFilterSet(StyledFilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("Plan code"))

    class Meta:
        model = TargetPlanVersion
        fields = ["plan"]


class TargetLineFilterSet(StyledFilterSet):
    plan = django_filters.CharFilter(field_name="version__plan__code", label=_("Plan code"))
    version = django_filters.NumberFilter(field_name="version__number", label=_("Version"))
    grid = GridSubtreeFilter(path_field="grid__path")
    user = django_filters.CharFilter(field_name="user__username", label=_("Rep"))
    period_kind = django_filters.ChoiceFilter(choices=PeriodKind.choices, label=_("Period type"))
    period = django_filters.CharFilter(label=_("Period"))

    class Meta:
        model = TargetLine
        fields = ["plan", "version", "grid", "user", "period_kind", "period"]


class TargetProposalFilterSet(StyledFilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("Plan code"))
    grid = GridSubtreeFilter(path_field="grid__path")

    class Meta:
        model = TargetProposal
        fields = ["plan", "grid", "status"]


class TargetUnitInputFilterSet(StyledFilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("Plan code"))
    grid = GridSubtreeFilter(path_field="grid__path")

    class Meta:
        model = TargetUnitInput
        fields = ["plan", "grid"]


class ActualFilterSet(StyledFilterSet):
    grid = GridSubtreeFilter(path_field="grid__path")
    user = django_filters.CharFilter(field_name="user__username", label=_("Rep"))
    metric = django_filters.ChoiceFilter(choices=Metric.choices, label=_("Metric"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Actual
        fields = ["grid", "user", "metric", "date_from", "date_to"]
