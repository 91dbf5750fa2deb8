"""Forms for the catalogue (categories, products) and orders (the order and its lines,
a return). They parse; the services (sales.products, sales.orders) decide and save."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.models import User
from gridsales.core.forms import ScopedModelForm, style_fields
from gridsales.customers.models import Customer
from gridsales.sales.models import Order, Product, ProductCategory


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProductCategoryForm(ScopedModelForm):
    class Meta:
        model = ProductCategory
        fields = ["code", "name"]


class ProductForm(ScopedModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "category", "unit", "list_price", "is_active"]
        help_texts = {
            "list_price": _("Per unit, in yuan. Order lines default to it."),
            "is_active": _("Inactive products stay on past orders but are no longer offered."),
        }


class CustomerCodeField(forms.ModelChoiceField):
    """A customer typed by code (a select of every customer would not scale)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(to_field_name="code", **kwargs)
        self.error_messages["invalid_choice"] = _(
            "No customer with this code among the customers you can see."
        )


class OrderForm(ScopedModelForm):
    customer = CustomerCodeField(
        queryset=Customer.objects.none(),
        label=_("Customer code"),
        help_text=_("The grid of the order is the customer's grid on the order date."),
    )

    class Meta:
        model = Order
        fields = ["number", "order_date", "customer", "rep", "note"]
        widgets = {"order_date": _date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An order's own customer and rep stay valid choices even when the editor (say a
        # manager of the grid the order was recorded in) would not see them today.
        customer, rep = (
            (self.instance.customer_id, self.instance.rep_id) if self.instance.pk else (None, None)
        )
        visible = Customer.objects.restrict(self.user, "view").values("pk")
        self.fields["customer"].queryset = Customer.objects.filter(
            Q(pk__in=visible) | Q(pk=customer)
        )
        people = User.objects.restrict(self.user, "view").filter(is_active=True).values("pk")
        self.fields["rep"].queryset = User.objects.filter(Q(pk__in=people) | Q(pk=rep)).order_by(
            "username"
        )


class OrderLineForm(forms.Form):
    """One line of the order form; status and returns are changed on the order's page."""

    line_no = forms.IntegerField(widget=forms.HiddenInput, required=False)
    product = forms.ModelChoiceField(queryset=Product.objects.none(), label=_("Product"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        max_digits=16,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the list price."),
    )
    discount = forms.DecimalField(
        label=_("Discount (yuan)"), max_digits=16, decimal_places=2, required=False
    )

    def __init__(self, *args, products=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        style_fields(self)
        self.fields["product"].widget.attrs["style"] = "min-width: 14rem"
        for name in ("quantity", "unit_price", "discount"):
            self.fields[name].widget.attrs.update(step="any", style="min-width: 6rem")

    def spec(self) -> dict:
        """The line for the order services."""
        data = self.cleaned_data
        spec = {
            "product": data["product"],
            "quantity": data["quantity"],
            "unit_price": data.get("unit_price"),
            "discount": data.get("discount"),
        }
        if data.get("line_no"):
            spec["line_no"] = data["line_no"]
        return spec


OrderLineFormSet = forms.formset_factory(OrderLineForm, extra=2, can_delete=True)


def line_formset(*, data=None, order: Order | None = None) -> forms.BaseFormSet:
    """The lines of `order` (or none) plus two empty rows; active products, and the
    products already on the order."""
    initial = []
    used: list[int] = []
    if order is not None:
        for line in order.lines.order_by("line_no"):
            used.append(line.product_id)
            initial.append(
                {
                    "line_no": line.line_no,
                    "product": line.product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price,
                    "discount": line.discount,
                }
            )
    products = Product.objects.filter(Q(is_active=True) | Q(pk__in=used)).order_by("code")
    formset = OrderLineFormSet(
        data=data, initial=initial, prefix="lines", form_kwargs={"products": products}
    )
    for form in formset.forms:
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"
    return formset


class LineReturnForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Returned amount (yuan)"), max_digits=16, decimal_places=2, min_value=0
    )
    on = forms.DateField(label=_("Return date"), widget=_date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
        style_fields(self)
