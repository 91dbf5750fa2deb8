"""Forms of the planning pages: a scenario's settings, a unit moved by hand, the apply date."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.core.forms import ServiceErrorsMixin, style_fields
from gridsales.planning.choices import ACTIVITIES, ACTIVITY_LABELS
from gridsales.planning.models import Scenario
from gridsales.planning.services import first_of_next_month


class ScenarioForm(ServiceErrorsMixin, forms.ModelForm):
    balance = forms.MultipleChoiceField(
        label=_("Balance on"),
        choices=[(a, ACTIVITY_LABELS[a]) for a in ACTIVITIES],
        widget=forms.CheckboxSelectMultiple,
        initial=["workload"],
    )

    class Meta:
        model = Scenario
        fields = (
            "name",
            "unit_source",
            "resolution",
            "territories",
            "tolerance",
            "balance",
            "time_limit",
            "disruption_weight",
            "seed",
        )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["balance"].widget.attrs["class"] = "form-check-input"


class MoveUnitForm(ServiceErrorsMixin, forms.Form):
    unit = forms.CharField(label=_("Unit"), max_length=40)
    territory = forms.IntegerField(label=_("To grid"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class ApplyForm(ServiceErrorsMixin, forms.Form):
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        initial=first_of_next_month,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
