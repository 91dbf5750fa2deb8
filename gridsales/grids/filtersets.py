import django_filters
from django.utils.translation import gettext_lazy as _

from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.grids.choices import GridKind, GridLevel, GridStatus
from gridsales.grids.models import Grid


class GridFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("code", "name", "description"))
    grid = GridSubtreeFilter(path_field="path")
    parent = django_filters.CharFilter(field_name="parent__code", label=_("Parent grid code"))
    kind = django_filters.ChoiceFilter(choices=GridKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=GridStatus.choices, label=_("Status"))
    level = django_filters.ChoiceFilter(choices=GridLevel.choices, label=_("Level"))
    is_leaf = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Leaf grid"))
    root = django_filters.BooleanFilter(
        widget=yes_no_widget(), field_name="parent", lookup_expr="isnull", label=_("Top-level grid")
    )

    class Meta:
        model = Grid
        fields = ["q", "grid", "parent", "kind", "status", "level", "is_leaf", "root"]
