"""Catalogue pages: the product list (search, filter, sort, paginate, export), product and
category forms, the category list. Everyone signed in reads the catalogue; only
administrators and directors change it (others get 403 on the forms)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse

from gridsales.core.scope import scope_for
from gridsales.core.views import ScopedListView, ServiceFormView
from gridsales.sales import products
from gridsales.sales.models import Product, ProductCategory
from gridsales.sales.order_filtersets import ProductCategoryFilterSet, ProductFilterSet
from gridsales.sales.order_forms import ProductCategoryForm, ProductForm


class CatalogueWriterMixin:
    """Creating needs the right to write the catalogue (admins and directors)."""

    def get_instance(self):
        if "pk" not in self.kwargs and not scope_for(self.request.user).write_all:
            raise PermissionDenied
        return super().get_instance()


class ProductListView(ScopedListView):
    model = Product
    filterset_class = ProductFilterSet
    template_name = "sales/product_list.html"
    table_template = "sales/_product_table.html"
    sort_fields = {
        "code": "code",
        "name": "name",
        "category": "category__code",
        "unit": "unit",
        "price": "list_price",
    }
    default_sort = "code"

    def get_queryset(self):
        return super().get_queryset().select_related("category")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = context["scope"].write_all
        return context


class ProductCreateView(CatalogueWriterMixin, ServiceFormView):
    model = Product
    form_class = ProductForm
    template_name = "sales/product_form.html"

    def save(self, form):
        return products.product_create(**form.cleaned_data)


class ProductUpdateView(ServiceFormView):
    model = Product
    form_class = ProductForm
    template_name = "sales/product_form.html"

    def save(self, form):
        return products.product_update(product=form.instance, **form.cleaned_data)


class CategoryListView(ScopedListView):
    model = ProductCategory
    filterset_class = ProductCategoryFilterSet
    template_name = "sales/category_list.html"
    table_template = "sales/_category_table.html"
    sort_fields = {"code": "code", "name": "name", "products": "product_count"}
    default_sort = "code"

    def get_queryset(self):
        return super().get_queryset().annotate(product_count=Count("products"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_write"] = context["scope"].write_all
        return context


class CategoryFormView(CatalogueWriterMixin, ServiceFormView):
    model = ProductCategory
    form_class = ProductCategoryForm
    template_name = "sales/category_form.html"

    def save(self, form):
        return products.category_save(
            category=form.instance if form.instance.pk else None, **form.cleaned_data
        )

    def success_url(self, instance):
        return reverse("sales:category-list")
