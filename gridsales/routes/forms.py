"""Forms of the route pages: plan a day (whose, which day), plan a team's week."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.core.forms import ServiceErrorsMixin, style_fields
from gridsales.routes import selectors


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        name = getattr(obj, "display_name", "") or ""
        return f"{obj.username} {name}".strip()


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class PlanDayForm(ServiceErrorsMixin, forms.Form):
    rep = UserChoiceField(queryset=None, label=_("Rep"))
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = selectors.plannable_people(user)
        self.fields["rep"].initial = user.pk
        self.fields["day"].initial = timezone.localdate()
        style_fields(self)


def next_monday(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


class PlanWeekForm(ServiceErrorsMixin, forms.Form):
    grid = GridChoiceField(queryset=None, label=_("Grid"))
    week_start = forms.DateField(
        label=_("Week of (a Monday)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    keep_own_customers = forms.BooleanField(
        label=_("Customers stay with their owner"), required=False, initial=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = selectors.plannable_grids(user)
        self.fields["week_start"].initial = next_monday()
        style_fields(self)
