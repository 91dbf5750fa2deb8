"""Forms of the care pages. Validation that matters lives in the services; these forms
collect the input, scope their choices to the user and show the services' messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import ActivityType
from gridsales.activities.models import Activity
from gridsales.care.choices import QuestionKind
from gridsales.care.models import CadencePolicy, FollowUpRule, SurveyTemplate
from gridsales.care.services import SCALES, TEXT_ANSWER_MAX, validate_delay, validate_interval
from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.core.scope import scope_for
from gridsales.customers.choices import Tier
from gridsales.customers.models import Contact, Customer
from gridsales.grids.choices import GridStatus
from gridsales.grids.models import Grid


def writable_grids(user):
    """Grids a policy may be limited to: every active grid for admins and directors, the
    managed subtrees for managers, none for the others."""
    scope = scope_for(user)
    grids = Grid.objects.filter(status=GridStatus.ACTIVE).order_by("path")
    if scope.write_all:
        return grids
    return grids.filter(scope.paths_q("path", scope.write_paths))


class CadencePolicyForm(ScopedModelForm):
    class Meta:
        model = CadencePolicy
        fields = ["tier", "grid", "industry", "interval_days", "is_active"]
        help_texts = {
            "grid": _("Empty: every grid. A grid applies to its sub-grids too."),
            "industry": _("Empty: every industry. Spelled as on the customers."),
            "interval_days": _("From 1 to 366 days after the last done contact."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = writable_grids(self.user)
        # The service gives the message with the range; the browser need not refuse first.
        self.fields["interval_days"].widget.attrs.update(min=1, max=366)
        self.fields["interval_days"].validators = []

    def clean_interval_days(self):
        value = self.cleaned_data.get("interval_days")
        validate_interval(value)
        return value

    def _get_validation_exclusions(self):
        # Leaves the tier + grid + industry constraint to the service, whose message names
        # the existing policy (the form field already checks the industry's length).
        return super()._get_validation_exclusions() | {"industry"}


class FollowUpRuleForm(ScopedModelForm):
    tiers = forms.MultipleChoiceField(
        label=_("Tiers"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: customers of every tier."),
    )

    class Meta:
        model = FollowUpRule
        fields = ["name", "trigger", "delay_days", "activity_type", "tiers", "is_active"]
        help_texts = {
            "delay_days": _("0 plans the follow-up for the day of the order or visit itself."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delay_days"].validators = []
        self.fields["tiers"].widget.attrs["class"] = "form-check-input"

    def clean_delay_days(self):
        value = self.cleaned_data.get("delay_days")
        validate_delay(value)
        return value


class SurveyTemplateForm(ScopedModelForm):
    class Meta:
        model = SurveyTemplate
        fields = ["code", "name", "intro", "is_active"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"intro": _("Shown to the customer above the questions.")}


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Question type"), choices=QuestionKind.choices, initial=QuestionKind.CSAT
    )
    # Optional: the blank rows at the end of the formset are left out.
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


QuestionFormSet = forms.formset_factory(QuestionForm, extra=2, can_delete=True)


def questions_from(formset) -> list[dict]:
    """The filled-in question rows of the formset, in order (deleted and empty rows out)."""
    found = []
    for form in formset.forms:
        data = form.cleaned_data if form.is_valid() else {}
        if not data or data.get("DELETE") or not data.get("text"):
            continue
        found.append({"kind": data["kind"], "text": data["text"], "required": data["required"]})
    return found


class CustomerCodeField(forms.CharField):
    """A customer by its code, resolved among the customers the user may see."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Customer code"))
        super().__init__(*args, **kwargs)
        self.user = None

    def clean(self, value):
        code = super().clean(value)
        customer = Customer.objects.restrict(self.user, "view").filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(
                _("No customer with the code “{value}” among yours.").format(value=code)
            )
        return customer


class SurveyStartForm(ServiceErrorsMixin, forms.Form):
    """Who gets which questionnaire (sending a link, or recording a visit's answers)."""

    template = forms.ModelChoiceField(
        label=_("Survey template"), queryset=SurveyTemplate.objects.none()
    )
    customer = CustomerCodeField()
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )

    def __init__(self, *args, user, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].user = user
        self.fields["template"].queryset = SurveyTemplate.objects.filter(is_active=True).order_by(
            "code"
        )
        contacts = Contact.objects.restrict(user, "view").order_by("-is_primary", "name")
        self.fields["contact"].queryset = (
            contacts.filter(customer=customer) if customer is not None else contacts
        )
        if customer is None:
            # Without a customer chosen there is no short list of contacts to offer.
            self.fields["contact"].widget = forms.HiddenInput()
        style_fields(self)


class SurveyRecordForm(SurveyStartForm):
    """Answers given during a visit: the start fields, the visit, and q<position> fields
    (scores and texts) that the template's questions define."""

    activity = forms.ModelChoiceField(
        label=_("Visit"), queryset=Activity.objects.none(), required=False
    )

    def __init__(self, *args, user, customer=None, questions=(), **kwargs):
        super().__init__(*args, user=user, customer=customer, **kwargs)
        visits = Activity.objects.restrict(user, "view").filter(type=ActivityType.VISIT)
        self.fields["activity"].queryset = (
            visits.filter(customer=customer).order_by("-planned_at")
            if customer is not None
            else visits.none()
        )
        add_question_fields(self, questions)
        style_fields(self)

    def answer_values(self) -> dict[int, str]:
        return answers_of(self)


def add_question_fields(form: forms.Form, questions) -> None:
    """One field q<position> per question, all optional here: the service checks them and
    its messages are shown on the fields (one wording for the page, the API and the link)."""
    form.questions = list(questions)
    for question in form.questions:
        if question.kind == QuestionKind.TEXT:
            field = forms.CharField(
                label=question.text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_ANSWER_MAX}),
            )
        else:
            low, high = SCALES[question.kind]
            scores = [("", "—")] + [(str(n), str(n)) for n in range(low, high + 1)]
            field = forms.CharField(
                label=question.text, required=False, widget=forms.Select(choices=scores)
            )
        field.question = question
        form.fields[f"q{question.position}"] = field


def answers_of(form: forms.Form) -> dict[int, str]:
    return {q.position: form.cleaned_data.get(f"q{q.position}", "") for q in form.questions}


class AnswerForm(ServiceErrorsMixin, forms.Form):
    """The public questionnaire (/s/<token>/)."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        add_question_fields(self, questions)

    def answer_values(self) -> dict[int, str]:
        return answers_of(self)


class ResultsForm(forms.Form):
    grid = forms.CharField(label=_("Grid code"), required=False)
    period = forms.CharField(label=_("Period (2026, 2026-Q1, 2026-03)"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
