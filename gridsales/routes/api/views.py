"""Route plan API: list and read plans (scoped), plan a day, reorder, optimise, confirm;
team weeks for managers. Plans are written only through these actions (no PATCH)."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gridsales.core.api import ensure_allowed
from gridsales.core.context import current_user
from gridsales.core.scope import scope_for
from gridsales.routes import selectors, services
from gridsales.routes.api.serializers import (
    PlanDaySerializer,
    PlanWeekSerializer,
    RouteConfirmSerializer,
    RouteOptimiseSerializer,
    RoutePlanDetailSerializer,
    RoutePlanSerializer,
    RouteReorderSerializer,
    WeekPlanSerializer,
)
from gridsales.routes.filtersets import RoutePlanFilterSet
from gridsales.routes.models import RoutePlan, WeekPlan


class _Scoped(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = r"[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)


class RoutePlanViewSet(_Scoped):
    """The route plans the caller sees: their own days; managers those of the reps of the
    grids they manage; read-all roles every plan. `?rep=USERNAME`, `?day_from=`,
    `?day_to=`, `?status=draft|confirmed`, `?week=ID`. Times are HH:MM local time."""

    queryset = RoutePlan.objects.all()
    filterset_class = RoutePlanFilterSet
    ordering_fields = ["day", "distance_m"]
    ordering = ["-day", "rep__username", "status"]

    def get_queryset(self):
        return selectors.plans_for(self.request.user)

    def get_serializer_class(self):
        if self.action == "list":
            return RoutePlanSerializer
        return RoutePlanDetailSerializer

    def _answer(self, plan, code=status.HTTP_200_OK):
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(
            RoutePlanDetailSerializer(plan, context=self.get_serializer_context()).data, status=code
        )

    def _changeable(self, request):
        plan = self.get_object()
        ensure_allowed(request.user, plan, "change")
        return plan

    @extend_schema(request=PlanDaySerializer, responses={201: RoutePlanDetailSerializer})
    @action(detail=False, methods=["post"], url_path="plan-day")
    def plan_day(self, request):
        """Plan `rep`'s visits on `day` into that day's draft (made, or replaced in place);
        `time_limit` in seconds (default the setting)."""
        scope = scope_for(request.user)
        if scope.read_all and not scope.write_all:
            raise exceptions.PermissionDenied(_("Read-only roles do not plan routes."))
        params = PlanDaySerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        plan = services.route_plan_day(
            rep=data["rep"], day=data["day"], user=request.user, time_limit=data.get("time_limit")
        )
        return self._answer(plan, status.HTTP_201_CREATED)

    @extend_schema(request=RouteReorderSerializer, responses=RoutePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def reorder(self, request, pk=None):
        """Put the planned stops in the order of `stop_ids` (every planned stop once; the
        lunch break's id too, or it goes where it fits best) and recompute the times — no
        search. Stops that now start after their window closes have `late_by_minutes`."""
        plan = self._changeable(request)
        params = RouteReorderSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        with transaction.atomic():
            plan = services.route_plan_reorder(
                plan=plan, stop_ids=params.validated_data["stop_ids"], user=request.user
            )
        return self._answer(plan)

    @extend_schema(request=RouteOptimiseSerializer, responses=RoutePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def optimise(self, request, pk=None):
        """Search the best order again for the same stops. A draft is rewritten in place; a
        confirmed plan is optimised into the day's draft (whose id is answered)."""
        plan = self._changeable(request)
        params = RouteOptimiseSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        plan = services.route_plan_optimise(
            plan=plan, user=request.user, time_limit=params.validated_data.get("time_limit")
        )
        return self._answer(plan)

    @extend_schema(request=RouteConfirmSerializer, responses=RoutePlanDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Make this draft the rep's plan of the day (it replaces an earlier confirmed one)."""
        plan = self._changeable(request)
        plan = services.route_plan_confirm(plan=plan, user=request.user)
        return self._answer(plan)


class WeekPlanViewSet(_Scoped):
    """Team weeks of the grids the caller manages (read-all roles: all). `days` are the ids
    of the week's route plans (/api/v1/route-plans/?week=ID)."""

    queryset = WeekPlan.objects.all()
    serializer_class = WeekPlanSerializer
    ordering_fields = ["week_start"]
    ordering = ["-week_start", "grid__path"]

    def get_queryset(self):
        return selectors.weeks_for(self.request.user).prefetch_related("days")

    @extend_schema(request=PlanWeekSerializer, responses={201: WeekPlanSerializer})
    @action(detail=False, methods=["post"], url_path="plan-week")
    def plan_week(self, request):
        """Plan the week of `week_start` (a Monday) for the reps of `grid` (code):
        `keep_own_customers` (default true), `time_limit` in seconds (default the setting).
        Runs for up to the time limit."""
        scope = scope_for(request.user)
        if not (scope.write_all or scope.write_paths):
            raise exceptions.PermissionDenied(
                _("Only the managers of a grid plan its team's week.")
            )
        params = PlanWeekSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        week = services.route_plan_week(user=request.user, **params.validated_data)
        week = self.get_queryset().get(pk=week.pk)
        return Response(
            WeekPlanSerializer(week, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
