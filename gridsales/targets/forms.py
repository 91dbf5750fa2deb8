from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.core.scope import scope_for
from gridsales.grids.models import Grid
from gridsales.targets.models import TargetPlan
from gridsales.targets.services import PLAN_FIELDS


class SeasonalityField(forms.CharField):
    """12 comma-separated weights; empty = flat."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value):
        value = (value or "").replace("，", ",").strip()
        if not value:
            return []
        parts = [p.strip() for p in value.split(",") if p.strip()]
        try:
            numbers = [float(p) if "." in p else int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("Use numbers separated by commas.")) from None
        if len(numbers) != 12:
            raise forms.ValidationError(
                _("Give 12 monthly weights (got {n}).").format(n=len(numbers))
            )
        return parts  # kept as strings: exact decimals, never floats


class MethodsField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        return [p.strip() for p in (value or "").split(",") if p.strip()]


class TargetPlanForm(ScopedModelForm):
    seasonality = SeasonalityField(
        label=_("Seasonality"),
        required=False,
        help_text=_(
            "12 monthly weights in fiscal order, e.g. 8,6,9,8,8,9,8,8,9,9,9,9; empty = flat."
        ),
    )
    level_methods = MethodsField(
        label=_("Method per level"),
        required=False,
        help_text=_("equal, reference or weights per level, top first, e.g. reference, weights."),
    )

    class Meta:
        model = TargetPlan
        fields = list(PLAN_FIELDS)  # what target_plan_create/update accept


class ReplanForm(forms.Form):
    as_of = forms.DateField(label=_("Re-plan from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class UnitInputForm(ServiceErrorsMixin, forms.Form):
    lock = forms.DecimalField(
        label=_("Locked amount"), required=False, min_value=0, decimal_places=2
    )
    min_amount = forms.DecimalField(
        label=_("Minimum"), required=False, min_value=0, decimal_places=2
    )
    max_amount = forms.DecimalField(
        label=_("Maximum"), required=False, min_value=0, decimal_places=2
    )
    weight = forms.DecimalField(label=_("Weight"), required=False, min_value=0, decimal_places=4)
    reference = forms.DecimalField(
        label=_("Reference (market potential)"), required=False, min_value=0, decimal_places=2
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm"


class ProposalForm(ServiceErrorsMixin, forms.Form):
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Grid.objects.none())
    amount = forms.DecimalField(label=_("Proposed amount"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the grids the user manages (write scope) can be proposed for.
        scope = scope_for(user)
        grids = Grid.objects.all()
        if not scope.write_all:
            grids = grids.filter(scope.paths_q("path", scope.write_paths))
        self.fields["grid"].queryset = grids.order_by("path")
        style_fields(self)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class FixMonthForm(ServiceErrorsMixin, forms.Form):
    amount = forms.DecimalField(label=_("Month amount"), min_value=0, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += " form-control-sm"
