"""Forms of the pipeline pages: a pipeline with its stage rows, a deal, a move."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.models import User
from gridsales.core.forms import ScopedModelForm, ServiceErrorsMixin, style_fields
from gridsales.customers.models import Customer
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, Pipeline, Stage
from gridsales.sales.pipelines import KIND_CHOICES, STANDARD_STAGES, default_pipeline


class PipelineForm(ScopedModelForm):
    class Meta:
        model = Pipeline
        fields = ["code", "name", "description", "is_default", "is_active"]
        help_texts = {
            "is_default": _("The board the Pipeline menu opens; exactly one pipeline is it."),
            "is_active": _("Inactive pipelines take no new deals; their deals stay."),
        }


class StageRowForm(forms.Form):
    """One stage row of the pipeline form; `stage_id` is empty for a new stage."""

    stage_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("Position"), min_value=1, max_value=999)
    name = forms.CharField(label=_("Stage"), max_length=60)
    probability = forms.IntegerField(label=_("Probability (%)"), min_value=0, max_value=100)
    kind = forms.ChoiceField(label=_("Stage kind"), choices=KIND_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)
        self.fields["position"].widget.attrs.update(style="width: 5rem")
        self.fields["probability"].widget.attrs.update(style="width: 6rem")

    def has_changed(self):
        # The kind select always sends a value: an extra row is used once anything typed
        # into it is there.
        typed = ("name", "position", "probability")
        return any((self.data.get(self.add_prefix(f)) or "").strip() for f in typed)


class BaseStageFormSet(forms.BaseFormSet):
    def __init__(self, *args, pipeline: Pipeline | None = None, **kwargs):
        self.pipeline = pipeline
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        known = set() if self.pipeline is None else {s.pk for s in self.pipeline.stages.all()}
        for form in self.forms:
            stage_id = form.cleaned_data.get("stage_id")
            if stage_id is not None and stage_id not in known:
                raise forms.ValidationError(_("A stage row belongs to another pipeline."))

    def stages(self) -> list[dict]:
        """The kept rows in their new order (by position, ties in row order), as the
        pipeline_stages_set service takes them."""
        by_id = {} if self.pipeline is None else {s.pk: s for s in self.pipeline.stages.all()}
        rows = []
        for index, form in enumerate(self.forms):
            data = getattr(form, "cleaned_data", None)
            if not data or self.can_delete and self._should_delete_form(form):
                continue
            rows.append(
                (
                    data["position"],
                    index,
                    {
                        "stage": by_id.get(data.get("stage_id")),
                        "name": data["name"],
                        "probability": data["probability"],
                        "kind": data["kind"],
                    },
                )
            )
        return [row for _position, _index, row in sorted(rows, key=lambda r: r[:2])]


StageFormSet = forms.formset_factory(
    StageRowForm, formset=BaseStageFormSet, extra=2, can_delete=True
)


def stage_rows(pipeline: Pipeline | None) -> list[dict]:
    """The stage rows a form starts with: the pipeline's, or the standard six for a new one."""
    if pipeline is None:
        return [
            {"position": pos, "name": name, "probability": p, "kind": kind}
            for pos, name, p, kind in STANDARD_STAGES
        ]
    return [
        {
            "stage_id": s.pk,
            "position": s.position,
            "name": s.name,
            "probability": s.probability,
            "kind": s.kind,
        }
        for s in pipeline.stages.order_by("position")
    ]


class StageSelect(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.pipeline.name} · {obj.name}"


class OpportunityForm(ScopedModelForm):
    """A deal. Customers offered are those the user may change; a new deal picks its
    stage (and with it the pipeline); an existing one moves on the board or its page."""

    stage = StageSelect(label=_("Stage"), queryset=Stage.objects.none())

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "customer",
            "owner",
            "stage",
            "amount",
            "expected_close",
            "source",
            "competitor",
            "loss_reason",
            "description",
        ]
        widgets = {
            "expected_close": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Customer.objects.restrict(self.user, "change")
        if self.instance.pk:
            customers = Customer.objects.filter(
                Q(pk__in=customers.values("pk")) | Q(pk=self.instance.customer_id)
            )
        self.fields["customer"].queryset = customers.select_related(None).order_by("code")
        self.fields["owner"].queryset = (
            User.objects.restrict(self.user, "view").filter(is_active=True).order_by("username")
        )
        self.fields["amount"].widget.attrs.update(step="0.01", min="0")
        if self.instance.pk:
            del self.fields["stage"]
            if self.instance.state != StageKind.LOST:
                del self.fields["loss_reason"]
        else:
            del self.fields["loss_reason"]
            self.fields["stage"].queryset = (
                Stage.objects.filter(pipeline__is_active=True, kind=StageKind.OPEN)
                .select_related("pipeline")
                .order_by("-pipeline__is_default", "pipeline__code", "position")
            )
            pipeline = default_pipeline()
            first = pipeline and pipeline.stages.filter(kind=StageKind.OPEN).first()
            if first is not None:
                self.fields["stage"].initial = first.pk


class MoveForm(ServiceErrorsMixin, forms.Form):
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none())
    loss_reason = forms.CharField(label=_("Loss reason"), max_length=300, required=False)

    def __init__(self, *args, opportunity: Opportunity, **kwargs):
        self.opportunity = opportunity
        super().__init__(*args, **kwargs)
        # Any stage: one of another pipeline gets the service's message, which says why.
        self.fields["stage"].queryset = Stage.objects.select_related("pipeline")
        self.fields["stage"].initial = opportunity.stage_id
        style_fields(self)
