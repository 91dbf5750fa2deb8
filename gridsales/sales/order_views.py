"""Order pages: the list (filters, sort, pagination, CSV/XLSX export of the lines), the
detail (lines, returns, the grid on the order date next to the customer's grid today,
history), the order form with its lines, line cancel/return, delete.

Orders are scoped by order_scope_q (sales/models.py): outside the view scope 404,
visible but not changeable 403; a save that would leave the user's scope is undone.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridsales.core.scope import scope_for
from gridsales.core.views import (
    ScopedListView,
    ServiceDeleteView,
    can,
    save_in_scope,
    scoped_object,
)
from gridsales.sales import orders
from gridsales.sales.models import Order, OrderLine
from gridsales.sales.order_filtersets import OrderFilterSet
from gridsales.sales.order_forms import LineReturnForm, OrderForm, line_formset


def may_import_orders(scope) -> bool:
    return scope.write_all or (scope.is_manager and bool(scope.write_paths))


class OrderListView(ScopedListView):
    model = Order
    filterset_class = OrderFilterSet
    template_name = "sales/order_list.html"
    table_template = "sales/_order_table.html"
    sort_fields = {
        "number": "number",
        "date": "order_date",
        "customer": "customer__code",
        "grid": "grid__code",
        "rep": "rep__username",
        "status": "status",
        "amount": "amount",
        "returned": "returned_amount",
    }
    default_sort = "-date"

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "rep", "grid")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scope = context["scope"]
        context["can_create"] = scope.write_all or not scope.read_all
        context["can_import"] = may_import_orders(scope)
        return context


class OrderDetailView(LoginRequiredMixin, TemplateView):
    template_name = "sales/order_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        order = scoped_object(user, Order, pk=self.kwargs["pk"])
        order = (
            Order.objects.select_related("customer__current_grid", "rep", "grid")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.select_related("product"))
            )
            .get(pk=order.pk)
        )
        customer_grid = order.customer.current_grid
        context.update(
            order=order,
            lines=order.lines.all(),
            customer_grid=customer_grid,
            grid_moved=(customer_grid.pk if customer_grid else None) != order.grid_id,
            can_change=can(user, order, "change"),
            can_delete=can(user, order, "delete"),
        )
        return context


class OrderFormView(LoginRequiredMixin, TemplateView):
    """New order (no pk) or edit: the order's fields and a formset of its lines, saved by
    order_create / order_update in one transaction, then the scope is checked again."""

    template_name = "sales/order_form.html"

    def get_instance(self):
        if "pk" not in self.kwargs:
            scope = scope_for(self.request.user)
            if scope.read_all and not scope.write_all:
                raise PermissionDenied  # read-only roles (analyst, finance) create nothing
            return None
        return scoped_object(self.request.user, Order, "change", pk=self.kwargs["pk"])

    def forms(self, instance):
        data = self.request.POST if self.request.method == "POST" else None
        form = OrderForm(data=data, instance=instance, user=self.request.user)
        if instance is None and data is None:
            form.initial.setdefault("order_date", timezone.localdate())
            if form.fields["rep"].queryset.filter(pk=self.request.user.pk).exists():
                form.initial.setdefault("rep", self.request.user.pk)
        return form, line_formset(data=data, order=instance)

    def render_forms(self, instance, form, formset, status=200):
        context = self.get_context_data(object=instance, form=form, formset=formset)
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render_forms(instance, *self.forms(instance))

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form, formset = self.forms(instance)
        if form.is_valid() and formset.is_valid():
            lines = [
                f.spec()
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            fields = {
                k: form.cleaned_data[k] for k in ("number", "order_date", "customer", "rep", "note")
            }

            def make():
                if instance is None:
                    return orders.order_create(lines=lines, **fields)
                return orders.order_update(order=instance, lines=lines, **fields)

            action = "add" if instance is None else "change"
            saved = save_in_scope(request.user, form, make, action)
            if saved is not None:
                return redirect(saved.get_absolute_url())
        return self.render_forms(instance, form, formset, status=400)


class LineActionView(LoginRequiredMixin, TemplateView):
    """A page about one line of an order the user may change (cancel or return it)."""

    def get_line(self) -> OrderLine:
        user = self.request.user
        line = get_object_or_404(
            OrderLine.objects.restrict(user, "view").select_related("order", "product"),
            pk=self.kwargs["pk"],
        )
        if not can(user, line.order, "change"):
            raise PermissionDenied
        return line


class OrderLineCancelView(LineActionView):
    template_name = "sales/line_cancel.html"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(line=self.get_line()))

    def post(self, request, *args, **kwargs):
        line = self.get_line()
        try:
            with transaction.atomic():
                orders.order_line_cancel(line=line)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Line {line} cancelled.").format(line=line.line_no))
        return redirect(line.order.get_absolute_url())


class OrderLineReturnView(LineActionView):
    template_name = "sales/line_return.html"

    def get(self, request, *args, **kwargs):
        line = self.get_line()
        return self.render_to_response(self.get_context_data(line=line, form=LineReturnForm()))

    def post(self, request, *args, **kwargs):
        line = self.get_line()
        form = LineReturnForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    orders.order_line_return(
                        line=line, amount=form.cleaned_data["amount"], on=form.cleaned_data["on"]
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Return recorded for line {line}.").format(line=line.line_no)
                )
                return redirect(line.order.get_absolute_url())
        context = self.get_context_data(line=line, form=form)
        return self.render_to_response(context, status=400)


class OrderDeleteView(ServiceDeleteView):
    model = Order

    def delete(self, instance) -> str:
        orders.order_delete(order=instance)
        return reverse("sales:order-list")
