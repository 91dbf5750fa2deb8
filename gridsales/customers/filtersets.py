import json

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.customers.choices import CustomerStatus, CustomerType, Tier
from gridsales.customers.models import Contact, Customer


class CustomerFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name", "address", "industry"))
    grid = GridSubtreeFilter(path_field="current_grid__path")
    tier = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple, choices=Tier.choices, label=_("Tier")
    )
    status = django_filters.MultipleChoiceFilter(
        widget=forms.CheckboxSelectMultiple,
        choices=CustomerStatus.choices,
        label=_("Customer status"),
    )
    type = django_filters.ChoiceFilter(choices=CustomerType.choices, label=_("Customer type"))
    industry = django_filters.CharFilter(label=_("Industry"))
    owner = django_filters.CharFilter(field_name="owner__username", label=_("Owner (username)"))
    unassigned = django_filters.BooleanFilter(
        widget=yes_no_widget(),
        field_name="current_grid",
        lookup_expr="isnull",
        label=_("Without grid"),
    )
    tag = django_filters.CharFilter(method="has_tag", label=_("Tags"))

    class Meta:
        model = Customer
        fields = ["q", "grid", "tier", "status", "type", "industry", "owner", "unassigned", "tag"]

    def has_tag(self, queryset, name, value):
        # tags is a JSON list stored as text: SQLite keeps json.dumps' \u escapes, PostgreSQL's
        # jsonb prints the characters themselves, so match the quoted tag in either form.
        return queryset.filter(
            Q(tags__icontains=json.dumps(value)) | Q(tags__icontains=f'"{value}"')
        )


class ContactFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("name", "title", "phone", "email", "wechat_id"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    grid = GridSubtreeFilter(path_field="customer__current_grid__path")

    class Meta:
        model = Contact
        fields = ["q", "customer", "grid"]
