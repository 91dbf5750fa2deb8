"""Form base: knows the user (to scope its choices) and shows service errors on fields."""

from django import forms
from django.core.exceptions import ValidationError


def style_fields(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget of `form`."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        widget.attrs.setdefault("class", css)


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form: on its field, or above the form."""

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


class ScopedModelForm(ServiceErrorsMixin, forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        style_fields(self)
