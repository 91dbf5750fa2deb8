"""Forms of the activity pages: plan or log an activity, edit it, log the outcome."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.models import User
from gridsales.activities.choices import ActivityStatus
from gridsales.activities.models import Activity
from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.customers.models import Contact, Customer
from gridsales.sales.models import Opportunity

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NEW_STATUSES = [(ActivityStatus.PLANNED, _("Planned")), (ActivityStatus.DONE, _("Done"))]


class CustomerCodeField(forms.ModelChoiceField):
    """A customer typed by its code (a select of every customer would not scale)."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(queryset=Customer.objects.none(), to_field_name="code", **kwargs)
        self.error_messages["invalid_choice"] = _(
            "No customer with this code among yours: check the code."
        )

    def prepare_value(self, value):
        if isinstance(value, Customer):
            return value.code
        if isinstance(value, int):
            return Customer.objects.filter(pk=value).values_list("code", flat=True).first()
        return value


class ActivityForm(ScopedModelForm):
    """Plan or log an activity (create), or edit one. Contacts and opportunities offered
    are the chosen customer's; choosing another customer reloads them (htmx)."""

    customer = CustomerCodeField(label=_("Customer code"))
    status = forms.ChoiceField(label=_("Status"), choices=NEW_STATUSES)

    class Meta:
        model = Activity
        fields = [
            "customer",
            "type",
            "purpose",
            "status",
            "subject",
            "contact",
            "opportunity",
            "owner",
            "planned_at",
            "done_at",
            "duration_minutes",
            "outcome",
            "notes",
            "next_step",
            "next_step_due",
        ]
        widgets = {
            "planned_at": DATETIME,
            "done_at": DATETIME,
            "next_step_due": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.restrict(self.user, "view")
        self.fields["owner"].queryset = (
            User.objects.restrict(self.user, "view").filter(is_active=True).order_by("username")
        )
        if self.instance.pk:
            del self.fields["status"]  # moves by complete/cancel, not by editing
        else:
            self.fields["subject"].required = False
            self.fields["subject"].help_text = _("Leave empty for “type: customer”.")
            self.fields["owner"].required = False
            self.fields["owner"].help_text = _("Leave empty for yourself.")
        customer = self._customer()
        contacts = Contact.objects.restrict(self.user, "view")
        opportunities = Opportunity.objects.restrict(self.user, "view")
        self.fields["contact"].queryset = contacts.filter(customer=customer)
        self.fields["opportunity"].queryset = opportunities.filter(customer=customer)
        self.fields["customer"].widget.attrs.update(
            {
                "hx-get": "",
                "hx-trigger": "change",
                "hx-select": "#customer-dependent",
                "hx-target": "#customer-dependent",
                "hx-swap": "outerHTML",
                "hx-include": "this",
                "autocomplete": "off",
            }
        )

    def _customer(self) -> Customer | None:
        """The customer chosen so far: posted, given in the URL, or the instance's."""
        code = None
        if self.is_bound:
            code = self.data.get(self.add_prefix("customer"))
        elif self.initial.get("customer") is not None:
            value = self.initial["customer"]
            return value if isinstance(value, Customer) else None
        elif self.instance.customer_id:
            return self.instance.customer
        if not code:
            return None
        return Customer.objects.restrict(self.user, "view").filter(code=code).first()


class ActivityCompleteForm(ServiceErrorsMixin, forms.Form):
    """Log the visit (or any activity): when, outcome, notes, next step and its due date.
    A checked-out visit keeps its check-out time and duration."""

    done_at = forms.DateTimeField(label=_("Done at"), required=False, widget=DATETIME)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0
    )
    outcome = forms.CharField(label=_("Outcome"), max_length=300, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    next_step_due = forms.DateField(label=_("Next step due"), required=False, widget=DATE)

    def __init__(self, *args, instance: Activity, user, **kwargs):
        self.instance = instance
        self.user = user
        initial = {
            "done_at": instance.done_at,
            "duration_minutes": instance.duration_minutes,
            "outcome": instance.outcome,
            "notes": instance.notes,
            "next_step": instance.next_step,
            "next_step_due": instance.next_step_due,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if instance.checkout_at is not None:
            del self.fields["done_at"]
            del self.fields["duration_minutes"]
        else:
            self.fields["done_at"].help_text = _("Leave empty for now.")
        style_fields(self)
