"""Filter building blocks shared by every app's FilterSet (API, UI lists and exports)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridsales.grids.models import Grid


class SearchFilter(django_filters.CharFilter):
    """`?q=` — case-insensitive match on any of `fields`; every word must match somewhere."""

    def __init__(self, *, fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("label", _("Search"))
        super().__init__(method=self.search, **kwargs)
        self.search_fields = fields

    def search(self, queryset, name, value):
        for word in value.split()[:10]:
            q = Q()
            for field in self.search_fields:
                q |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(q)
        return queryset


class GridSubtreeFilter(django_filters.CharFilter):
    """`?grid=CODE` — rows whose grid lies in that grid's subtree (the grid included).

    An unknown code, or one outside the caller's scope, yields no rows.
    """

    def __init__(self, *, path_field: str, **kwargs):
        kwargs.setdefault("label", _("Grid (with sub-grids)"))
        super().__init__(method=self.subtree, **kwargs)
        self.path_field = path_field

    def subtree(self, queryset, name, value):
        request = getattr(self.parent, "request", None)
        grids = Grid.objects.all()
        if request is not None:
            grids = grids.restrict(request.user, "view")
        path = grids.filter(code=value).values_list("path", flat=True).first()
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.path_field}__startswith": path})


def yes_no_widget():
    """A three-way select for boolean filters: any / yes / no (not "Unknown")."""
    return forms.Select(choices=[("", "—"), ("true", _("Yes")), ("false", _("No"))])


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form is styled for Bootstrap; multi-choices render as checkboxes."""

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_styled", False):
            for field in form.fields.values():
                choices = list(getattr(field, "choices", []))
                if (
                    choices
                    and choices[0][0] == ""
                    and not isinstance(field, forms.NullBooleanField)
                ):
                    field.choices = [("", _("All")), *choices[1:]]
                widget = field.widget
                if isinstance(widget, forms.CheckboxSelectMultiple):
                    widget.attrs.setdefault("class", "form-check-input")
                elif isinstance(widget, forms.Select):
                    widget.attrs.setdefault("class", "form-select form-select-sm")
                else:
                    widget.attrs.setdefault("class", "form-control form-control-sm")
            form._styled = True
        return form
