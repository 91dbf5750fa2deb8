import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.accounts.choices import Role
from gridsales.accounts.models import User
from gridsales.core.filters import GridSubtreeFilter, SearchFilter, StyledFilterSet, yes_no_widget
from gridsales.team.choices import MembershipRole
from gridsales.team.models import Membership


class RepFilterSet(StyledFilterSet):
    q = SearchFilter(
        fields=("username", "display_name", "rep_profile__employee_no", "rep_profile__phone")
    )
    grid = django_filters.CharFilter(method="in_grid", label=_("Grid (with sub-grids)"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    is_active = django_filters.BooleanFilter(widget=yes_no_widget(), label=_("Employed"))

    class Meta:
        model = User
        fields = ["q", "grid", "role", "is_active"]

    def in_grid(self, queryset, name, value):
        """Users with a membership active today in the grid's subtree."""
        subtree = GridSubtreeFilter(path_field="grid__path")
        subtree.parent = self
        ids = subtree.subtree(Membership.objects.active(), name, value).values("user_id")
        return queryset.filter(pk__in=ids)


class MembershipFilterSet(StyledFilterSet):
    q = SearchFilter(fields=("user__username", "user__display_name", "grid__code", "grid__name"))
    grid = GridSubtreeFilter(path_field="grid__path")
    user = django_filters.CharFilter(field_name="user__username", label=_("Username"))
    role = django_filters.ChoiceFilter(choices=MembershipRole.choices, label=_("Grid role"))
    active = django_filters.BooleanFilter(
        widget=yes_no_widget(), method="is_active", label=_("Active now")
    )

    class Meta:
        model = Membership
        fields = ["q", "grid", "user", "role", "active"]

    def is_active(self, queryset, name, value):
        today = timezone.localdate()
        active = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        return queryset.filter(active) if value else queryset.exclude(active)
