"""Filters of the feedback list, shared by the page, the export and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.feedback.choices import FeedbackCategory, FeedbackStatus
from gridsales.feedback.models import Feedback


class FeedbackFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("text", "response", "customer__code", "customer__name"))
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices, label=_("Status"))
    category = django_filters.ChoiceFilter(choices=FeedbackCategory.choices, label=_("Category"))
    grid = GridSubtreeFilter(path_field="grid__path")
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    author = django_filters.CharFilter(field_name="author__username", label=_("Author (username)"))
    mine = django_filters.BooleanFilter(
        method="only_mine", label=_("Only mine"), widget=yes_no_widget()
    )
    date_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("From")
    )
    date_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("To")
    )

    class Meta:
        model = Feedback
        fields = ["q", "status", "category", "grid", "customer", "author", "mine"]

    def only_mine(self, queryset, name, value):
        request = getattr(self, "request", None)
        if value is None or request is None:
            return queryset
        if value:
            return queryset.filter(author_id=request.user.pk)
        return queryset.exclude(author_id=request.user.pk)
