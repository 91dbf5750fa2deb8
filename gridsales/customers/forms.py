from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.models import User
from gridsales.core.forms import ScopedModelForm
from gridsales.customers.models import Contact, Customer
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid


class TagsField(forms.CharField):
    """Tags typed as one line, separated by commas (either , or ,)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value) or ""
        return [t.strip() for t in value.replace(",", ",").split(",") if t.strip()]


class CustomerForm(ScopedModelForm):
    tags = TagsField(label=_("Tags"), required=False, help_text=_("Separate tags with commas."))

    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "type",
            "industry",
            "tier",
            "status",
            "tags",
            "address",
            "needs",
            "opens_at",
            "closes_at",
            "lat",
            "lng",
            "owner",
            "current_grid",
            "grid_pinned",
        ]
        widgets = {
            "needs": forms.Textarea(attrs={"rows": 3}),
            "opens_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        help_texts = {
            "needs": _("What the customer is looking for: products, problems to solve, plans."),
            "opens_at": _("Business hours for visit routes; leave empty for the default hours."),
            "current_grid": _(
                "Leave empty to place the customer by its location; choosing a grid pins it there."
            ),
            "grid_pinned": _("Untick to let the assignment place the customer by its location."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            User.objects.restrict(self.user, "view").filter(is_active=True).order_by("username")
        )
        self.fields["current_grid"].queryset = (
            Grid.objects.restrict(self.user, "view")
            .filter(is_leaf=True, status=GridStatus.ACTIVE)
            .order_by("code")
        )
        self.fields["lat"].widget.attrs.update(step="any")
        self.fields["lng"].widget.attrs.update(step="any")

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("lat") is None) != (cleaned.get("lng") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        return cleaned


class ContactForm(ScopedModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "wechat_id", "is_primary", "note"]
