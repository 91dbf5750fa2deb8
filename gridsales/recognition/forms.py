"""Forms of the recognition pages: an award type, a manual award, a rules run."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.recognition.leaderboards import metric_choices
from gridsales.recognition.models import AwardType


class AwardTypeForm(ScopedModelForm):
    metric = forms.ChoiceField(label=_("KPI"), choices=())

    class Meta:
        model = AwardType
        fields = [
            "code",
            "name",
            "description",
            "icon",
            "colour",
            "rule",
            "metric",
            "period_kind",
            "top_n",
            "threshold",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()
        self.fields["metric"].widget.attrs["class"] = "form-select"


class AwardGiveForm(ServiceErrorsMixin, forms.Form):
    award_type = forms.ModelChoiceField(label=_("Award"), queryset=AwardType.objects.none())
    rep = forms.ModelChoiceField(label=_("Rep"), queryset=None)
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-03 (month), 2026-Q1 or 2026.")
    )
    citation = forms.CharField(
        label=_("Citation"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, user, **kwargs):
        from gridsales.accounts.models import User

        super().__init__(data, **kwargs)
        self.fields["award_type"].queryset = AwardType.objects.filter(active=True).order_by("name")
        self.fields["rep"].queryset = (
            User.objects.restrict(user, "view").filter(is_active=True).order_by("username")
        )
        style_fields(self)


class RulesRunForm(ServiceErrorsMixin, forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026-03 (month), 2026-Q1 or 2026.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
