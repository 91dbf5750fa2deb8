"""Sales API: product categories and products (everyone reads, admins and directors write),
orders with nested lines (written through the order services; cancel-line and
return-line actions), and the read-only order-line feed. All scoped by ScopedModelViewSet."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.scope import scope_for
from gridsales.sales import orders, products
from gridsales.sales.api.order_serializers import (
    LineCancelSerializer,
    LineReturnSerializer,
    OrderLineFeedSerializer,
    OrderSerializer,
    ProductCategorySerializer,
    ProductSerializer,
)
from gridsales.sales.models import Order, OrderLine, Product, ProductCategory
from gridsales.sales.order_filtersets import (
    OrderFilterSet,
    OrderLineFilterSet,
    ProductCategoryFilterSet,
    ProductFilterSet,
)


class ProductCategoryViewSet(ScopedModelViewSet):
    """Product categories; a category that still has products cannot be deleted (400)."""

    queryset = ProductCategory.objects.all()
    serializer_class = ProductCategorySerializer
    filterset_class = ProductCategoryFilterSet
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def perform_write(self, serializer):
        return products.category_save(category=serializer.instance, **serializer.validated_data)

    def perform_remove(self, instance):
        products.category_delete(category=instance)


class ProductViewSet(ScopedModelViewSet):
    """Products; DELETE deactivates (order lines keep referring to the product)."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["code", "name", "list_price"]
    ordering = ["code"]

    def get_queryset(self):
        return super().get_queryset().select_related("category")

    def perform_write(self, serializer):
        if serializer.instance is None:
            return products.product_create(**serializer.validated_data)
        return products.product_update(product=serializer.instance, **serializer.validated_data)

    def perform_remove(self, instance):
        products.product_deactivate(product=instance)


class OrderViewSet(ScopedModelViewSet):
    """Orders with their lines. `?grid=CODE` is the grid on the order date, with its
    subtree; `date_from`/`date_to` bound the order date."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    ordering_fields = ["number", "order_date", "amount"]
    ordering = ["-order_date", "-number"]

    def get_queryset(self):
        lines = OrderLine.objects.select_related("product").order_by("line_no")
        return (
            super()
            .get_queryset()
            .select_related("customer", "rep", "grid")
            .prefetch_related(Prefetch("lines", queryset=lines))
        )

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        if "lines" in data:
            data["lines"] = [dict(line) for line in data["lines"]]
        if serializer.instance is None:
            if "rep" not in data and not scope_for(self.request.user).read_all:
                data["rep"] = self.request.user  # "credited to me"
            if "rep" not in data:
                raise ValidationError({"rep": [_("Name the credited rep.")]})
            return orders.order_create(**data)
        return orders.order_update(order=serializer.instance, **data)

    def perform_remove(self, instance):
        orders.order_delete(order=instance)

    def _line_action(self, request, params_class, service):
        order = self.get_object()
        ensure_allowed(request.user, order, "change")
        params = params_class(data=request.data)
        params.is_valid(raise_exception=True)
        values = dict(params.validated_data)
        line = order.lines.filter(line_no=values.pop("line_no")).first()
        if line is None:
            raise ValidationError({"line_no": [_("This order has no such line.")]})
        with transaction.atomic():
            service(line=line, **values)
            ensure_allowed(request.user, order, "change")
        return Response(OrderSerializer(self.get_queryset().get(pk=order.pk)).data)

    @action(
        detail=True, methods=["post"], url_path="cancel-line", serializer_class=LineCancelSerializer
    )
    def cancel_line(self, request, pk=None):
        """Cancel one line (`line_no`); the order's totals and status follow."""
        return self._line_action(request, LineCancelSerializer, orders.order_line_cancel)

    @action(
        detail=True, methods=["post"], url_path="return-line", serializer_class=LineReturnSerializer
    )
    def return_line(self, request, pk=None):
        """Record a return of `amount` yuan on `on` for line `line_no`."""
        return self._line_action(request, LineReturnSerializer, orders.order_line_return)


class OrderLineViewSet(ScopedModelViewSet):
    """The fact feed: every visible order line with its order's date, customer, grid on
    the order date and rep. Read-only (lines change through their order)."""

    http_method_names = ["get", "head", "options"]
    queryset = OrderLine.objects.all()
    serializer_class = OrderLineFeedSerializer
    filterset_class = OrderLineFilterSet
    ordering_fields = ["order_date", "amount", "line_no"]
    ordering = ["-order_date", "order_id", "line_no"]

    def get_queryset(self):
        return super().get_queryset().select_related("order", "customer", "grid", "rep", "product")
