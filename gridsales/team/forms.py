"""Forms for people (user + rep profile) and grid memberships."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.core.scope import scope_for
from gridsales.grids.models import Grid
from gridsales.team.models import Membership, RepProfile
from gridsales.team.services import PROFILE_FIELDS, USER_FIELDS


class PersonForm(ServiceErrorsMixin, forms.Form):
    """A user and their rep profile on one form (both saved by team.services)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Full name"), max_length=100, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.REP)
    is_active = forms.BooleanField(label=_("Employed"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Leave empty to keep the current password (new people cannot log in until they get one)."
        ),
    )
    employee_no = forms.CharField(label=_("Employee no."), max_length=30, required=False)
    phone = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    title = forms.CharField(label=_("Title"), max_length=60, required=False)
    hire_date = forms.DateField(
        label=_("Hire date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    manager = forms.ModelChoiceField(
        label=_("Line manager"), queryset=User.objects.none(), required=False
    )
    home_address = forms.CharField(label=_("Home address"), max_length=200, required=False)

    def __init__(self, *, data=None, instance=None, user):
        self.instance, self.user = instance, user
        initial = {}
        if instance is not None:
            initial = {name: getattr(instance, name) for name in USER_FIELDS}
            profile = getattr(instance, "rep_profile", None) or RepProfile()
            initial.update({name: getattr(profile, name) for name in PROFILE_FIELDS})
        super().__init__(data=data, initial=initial)
        self.fields["manager"].queryset = (
            User.objects.restrict(user, "view").filter(is_active=True).order_by("username")
        )
        if scope_for(user).role != Role.ADMIN:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]
        style_fields(self)

    def clean_employee_no(self):
        return self.cleaned_data["employee_no"] or None  # unique, so empty means "none"


def grids_for_memberships(user):
    """Grids where `user` may add memberships: all for HQ, else the managed subtrees."""
    scope = scope_for(user)
    grids = (
        Grid.objects.all()
        if scope.write_all
        else Grid.objects.filter(scope.paths_q("path", scope.write_paths))
    )
    return grids.filter(status="active").order_by("path")


class MembershipForm(ScopedModelForm):
    class Meta:
        model = Membership
        fields = ["user", "grid", "role", "share_pct", "valid_from", "valid_to", "note"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_to": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.restrict(self.user, "view").filter(is_active=True).order_by("username")
        )
        self.fields["grid"].queryset = grids_for_memberships(self.user)
        self.fields["valid_from"].initial = timezone.localdate()


class MembershipEndForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Valid to"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
