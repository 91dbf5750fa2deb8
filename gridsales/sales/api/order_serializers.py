"""Serializers for products, categories, orders (with nested lines) and the order-line feed.

References are by business key: products and categories by code, customers by code, reps
by username. Writes go through the services (sales.products, sales.orders); the
serializers only parse.
"""

from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.customers.models import Customer
from gridsales.sales.models import Order, OrderLine, Product, ProductCategory


class ProductCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductCategory
        fields = ["id", "code", "name"]


class ProductSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ProductCategory.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Product
        fields = ["id", "code", "name", "category", "unit", "list_price", "is_active"]


class OrderLineSerializer(serializers.ModelSerializer):
    """A line inside an order. On write: `line_no` picks an existing line (left out: a new
    line), `unit_price` defaults to the list price, `amount` is checked, not trusted."""

    product = serializers.SlugRelatedField(slug_field="code", queryset=Product.objects.all())

    class Meta:
        model = OrderLine
        fields = [
            "line_no",
            "product",
            "quantity",
            "unit_price",
            "discount",
            "amount",
            "status",
            "returned_amount",
            "return_date",
        ]
        extra_kwargs = {
            "line_no": {"required": False, "min_value": 1},
            "unit_price": {"required": False, "allow_null": True},
            "discount": {"required": False},
            "amount": {"required": False, "allow_null": True},
            "status": {"required": False},
            "returned_amount": {"required": False, "allow_null": True},
            "return_date": {"required": False, "allow_null": True},
        }


class OrderSerializer(serializers.ModelSerializer):
    customer = ScopedSlugRelatedField(slug_field="code", queryset=Customer.objects.all())
    rep = ScopedSlugRelatedField(slug_field="username", queryset=User.objects.all(), required=False)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    lines = OrderLineSerializer(many=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "order_date",
            "customer",
            "rep",
            "grid",
            "status",
            "amount",
            "returned_amount",
            "currency",
            "source",
            "note",
            "lines",
            "created_at",
            "updated_at",
        ]
        # Totals and status follow the lines; the grid is the customer's on the order date.
        read_only_fields = [
            "grid",
            "status",
            "amount",
            "returned_amount",
            "currency",
            "source",
            "created_at",
            "updated_at",
        ]


class LineCancelSerializer(serializers.Serializer):
    """POST orders/{id}/cancel-line/: the number of the line to cancel."""

    line_no = serializers.IntegerField(min_value=1)


class LineReturnSerializer(serializers.Serializer):
    """POST orders/{id}/return-line/: a return of `amount` yuan on date `on`."""

    line_no = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    on = serializers.DateField()


class OrderLineFeedSerializer(serializers.ModelSerializer):
    """One fact row: the line with its order's number, date, customer, grid and rep."""

    order = serializers.SlugRelatedField(slug_field="number", read_only=True)
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rep = serializers.SlugRelatedField(slug_field="username", read_only=True)
    product = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "order",
            "line_no",
            "order_date",
            "customer",
            "grid",
            "rep",
            "product",
            "quantity",
            "unit_price",
            "discount",
            "amount",
            "status",
            "returned_amount",
            "return_date",
        ]
