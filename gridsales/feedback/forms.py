"""Forms of the feedback pages: raise or edit an item, and triage it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridsales.core.forms import ServiceErrorsMixin, style_fields
from gridsales.customers.models import Customer
from gridsales.feedback.choices import CLOSED_STATUSES, FeedbackCategory, FeedbackStatus
from gridsales.grids.models import Grid


class FeedbackForm(ServiceErrorsMixin, forms.Form):
    """Category, text and, optionally, the grid and customer (codes, prefilled from the page
    the form was opened on); the codes resolve only among what the user sees."""

    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=FeedbackCategory.choices)
    text = forms.CharField(
        label=gettext_lazy("Text"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    grid = forms.CharField(label=gettext_lazy("Grid code"), required=False, max_length=40)
    customer = forms.CharField(label=gettext_lazy("Customer code"), required=False, max_length=40)
    page = forms.CharField(required=False, max_length=300, widget=forms.HiddenInput)

    def __init__(self, *args, user, instance=None, **kwargs):
        self.user = user
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "category": instance.category,
                "text": instance.text,
                "grid": instance.grid.code if instance.grid_id else "",
                "customer": instance.customer.code if instance.customer_id else "",
            }
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_grid(self):
        code = self.cleaned_data["grid"].strip()
        if not code:
            return None
        grid = Grid.objects.restrict(self.user, "view").filter(code=code).first()
        if grid is None:
            raise forms.ValidationError(
                _("No grid with the code “{value}” among yours.").format(value=code)
            )
        return grid

    def clean_customer(self):
        code = self.cleaned_data["customer"].strip()
        if not code:
            return None
        customer = (
            Customer.objects.restrict(self.user, "view")
            .select_related("current_grid")
            .filter(code=code)
            .first()
        )
        if customer is None:
            raise forms.ValidationError(
                _("No customer with the code “{value}” among yours.").format(value=code)
            )
        return customer


class TriageForm(ServiceErrorsMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=[(FeedbackStatus.IN_PROGRESS.value, FeedbackStatus.IN_PROGRESS.label)]
        + [(s.value, s.label) for s in CLOSED_STATUSES],
    )
    response = forms.CharField(
        label=gettext_lazy("Response to the author"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
