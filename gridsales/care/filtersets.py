"""Filters of the care lists, shared by the pages, the exports and the API."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.care.choices import FollowUpTrigger, SurveyChannel, SurveyStatus
from gridsales.care.models import CadencePolicy, FollowUpRule, Survey, SurveyTemplate
from gridsales.care.selectors import answered_between, day_start, parse_period
from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.customers.choices import Tier
from gridsales.customers.models import Customer

_ONE_DAY = dt.timedelta(days=1)

CONTACT_STATES = [
    ("overdue", _("Overdue")),
    ("due", _("Due within 7 days")),
    ("all", _("Overdue or due within 7 days")),
]


class ContactStatusFilterSet(StyledFilterSet):
    """Customers of the due/overdue lists. `state` is applied after the cadence is computed
    (it is not a column): the filter only validates it here."""

    q = SearchFilter(fields=("code", "name"))
    grid = GridSubtreeFilter(path_field="current_grid__path")
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Rep (username)"))
    tier = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple, choices=Tier.choices, label=_("Tier")
    )
    state = django_filters.ChoiceFilter(
        choices=CONTACT_STATES, method="keep", label=_("Contact state"), empty_label=None
    )

    class Meta:
        model = Customer
        fields = ["q", "grid", "owner", "tier", "state"]

    def keep(self, queryset, name, value):
        return queryset


class CadencePolicyFilterSet(StyledFilterSet):
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    grid = GridSubtreeFilter(path_field="grid__path")
    industry = django_filters.CharFilter(lookup_expr="icontains", label=_("Industry"))
    is_active = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Active"))

    class Meta:
        model = CadencePolicy
        fields = ["tier", "grid", "industry", "is_active"]


class FollowUpRuleFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("name",))
    trigger = django_filters.ChoiceFilter(choices=FollowUpTrigger.choices, label=_("Trigger"))
    is_active = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Active"))

    class Meta:
        model = FollowUpRule
        fields = ["q", "trigger", "is_active"]


class SurveyTemplateFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name"))
    is_active = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Active"))

    class Meta:
        model = SurveyTemplate
        fields = ["q", "is_active"]


def _valid_period(value: str) -> None:
    parse_period(value)  # raises ValidationError with the message that says what to type


SURVEY_STATES = [*SurveyStatus.choices, ("expired", _("Link expired, not answered"))]


class SurveyFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("customer__code", "customer__name", "comment"))
    template = django_filters.CharFilter(field_name="template__code", label=_("Template code"))
    grid = GridSubtreeFilter(path_field="grid__path")
    rep = django_filters.CharFilter(field_name="sent_by__username", label=_("Rep (username)"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    period = django_filters.CharFilter(
        method="in_period", label=_("Period (2026, 2026-Q1, 2026-03)"), validators=[_valid_period]
    )
    date_from = django_filters.DateFilter(method="sent_from", label=_("From"))
    date_to = django_filters.DateFilter(method="sent_to", label=_("To"))
    status = django_filters.ChoiceFilter(
        choices=SURVEY_STATES, method="in_status", label=_("Status")
    )
    channel = django_filters.ChoiceFilter(choices=SurveyChannel.choices, label=_("Channel"))
    csat_min = django_filters.NumberFilter(
        field_name="csat", lookup_expr="gte", label=_("CSAT from")
    )
    csat_max = django_filters.NumberFilter(field_name="csat", lookup_expr="lte", label=_("CSAT to"))
    nps_min = django_filters.NumberFilter(
        field_name="nps", lookup_expr="gte", label=_("NPS score from")
    )
    nps_max = django_filters.NumberFilter(
        field_name="nps", lookup_expr="lte", label=_("NPS score to")
    )

    class Meta:
        model = Survey
        fields = [
            "q",
            "template",
            "grid",
            "rep",
            "customer",
            "period",
            "date_from",
            "date_to",
            "status",
            "channel",
            "csat_min",
            "csat_max",
            "nps_min",
            "nps_max",
        ]

    def in_period(self, queryset, name, value):
        """Sent or answered in the period."""
        start, end = parse_period(value)
        sent = Q(sent_at__gte=day_start(start), sent_at__lt=day_start(end) + _ONE_DAY)
        answered = Q(pk__in=answered_between(Survey.objects.all(), start, end).values("pk"))
        return queryset.filter(sent | answered)

    def sent_from(self, queryset, name, value):
        return queryset.filter(sent_at__gte=day_start(value))

    def sent_to(self, queryset, name, value):
        return queryset.filter(sent_at__lt=day_start(value) + _ONE_DAY)

    def in_status(self, queryset, name, value):
        now = timezone.now()
        if value == "expired":
            return queryset.filter(status=SurveyStatus.SENT, expires_at__lte=now)
        if value == SurveyStatus.SENT:
            return queryset.filter(status=value).exclude(expires_at__lte=now)
        return queryset.filter(status=value)
