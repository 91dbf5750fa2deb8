"""Filters for products, orders and order lines, shared by the API, the pages and exports."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.sales.choices import OrderLineStatus
from gridsales.sales.models import Order, OrderLine, Product, ProductCategory


def _date_filter(lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="order_date",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ProductCategoryFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name"))

    class Meta:
        model = ProductCategory
        fields = ["q"]


class ProductFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name"))
    category = django_filters.CharFilter(field_name="category__code", label=_("Category code"))
    is_active = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "category", "is_active"]


class OrderFilterSet(StyledFilterSet):
    """`grid` is the grid stored on the order (the customer's on the order date), with its
    sub-grids."""

    q = SearchFilter(fields=("number",), label=_("Order number"))
    date_from = _date_filter("gte", _("From (order date)"))
    date_to = _date_filter("lte", _("To (order date)"))
    grid = GridSubtreeFilter(path_field="grid__path")
    rep = django_filters.CharFilter(field_name="rep__username", label=_("Credited rep (username)"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    status = django_filters.ChoiceFilter(choices=OrderLineStatus.choices, label=_("Status"))

    class Meta:
        model = Order
        fields = ["q", "date_from", "date_to", "grid", "rep", "customer", "status"]


class OrderLineFilterSet(StyledFilterSet):
    """The fact feed: lines by order date, grid on the order date (subtree), rep, customer,
    product and line status."""

    date_from = _date_filter("gte", _("From (order date)"))
    date_to = _date_filter("lte", _("To (order date)"))
    grid = GridSubtreeFilter(path_field="grid__path")
    rep = django_filters.CharFilter(field_name="rep__username", label=_("Credited rep (username)"))
    customer = django_filters.CharFilter(field_name="customer__code", label=_("Customer code"))
    product = django_filters.CharFilter(field_name="product__code", label=_("Product code"))
    status = django_filters.ChoiceFilter(choices=OrderLineStatus.choices, label=_("Status"))
    order = django_filters.CharFilter(field_name="order__number", label=_("Order number"))

    class Meta:
        model = OrderLine
        fields = ["date_from", "date_to", "grid", "rep", "customer", "product", "status", "order"]
