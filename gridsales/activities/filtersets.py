"""One FilterSet for the activity list page, its exports and the API."""

import datetime as dt
import json

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import ActivityPurpose, ActivityStatus, ActivityType, CheckInFlag
from gridsales.activities.models import Activity
from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ActivityFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("subject", "customer__code", "customer__name", "outcome", "notes"))
    type = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple, choices=ActivityType.choices, label=_("Activity type")
    )
    status = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple, choices=ActivityStatus.choices, label=_("Status")
    )
    purpose = django_filters.ChoiceFilter(choices=ActivityPurpose.choices, label=_("Purpose"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))
    grid = GridSubtreeFilter(path_field="grid__path")
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    date_from = django_filters.DateFilter(
        method="on_or_after",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        method="on_or_before",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    flagged = django_filters.BooleanFilter(
        method="has_flags", widget=yes_no_widget(), label=_("Flagged check-ins")
    )
    flag = django_filters.ChoiceFilter(
        method="has_flag", choices=CheckInFlag.choices, label=_("Check-in flag")
    )

    class Meta:
        model = Activity
        fields = [
            "q",
            "type",
            "status",
            "purpose",
            "owner",
            "grid",
            "customer",
            "date_from",
            "date_to",
            "flagged",
            "flag",
        ]

    # The date of an activity: when it was done, else when it is planned.
    def on_or_after(self, queryset, name, value):
        moment = _start_of(value)
        return queryset.filter(
            Q(done_at__gte=moment) | Q(done_at__isnull=True, planned_at__gte=moment)
        )

    def on_or_before(self, queryset, name, value):
        moment = _start_of(value + dt.timedelta(days=1))
        return queryset.filter(
            Q(done_at__lt=moment) | Q(done_at__isnull=True, planned_at__lt=moment)
        )

    def has_flags(self, queryset, name, value):
        flagged = Q(checkin_at__isnull=False) & ~Q(checkin_flags=[])
        return queryset.filter(flagged) if value else queryset.exclude(flagged)

    def has_flag(self, queryset, name, value):
        # A JSON list stored as text (SQLite) or jsonb (PostgreSQL): match the quoted code,
        # which is plain ASCII in both.
        return queryset.filter(checkin_flags__icontains=json.dumps(value))
