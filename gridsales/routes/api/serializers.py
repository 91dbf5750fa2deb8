"""Route plan API shapes: times as HH:MM (local), distances in km, stops in order."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from gridsales.accounts.models import User
from gridsales.core.api import ScopedSlugRelatedField
from gridsales.grids.models import Grid
from gridsales.routes.day import hhmm
from gridsales.routes.messages import drop_message
from gridsales.routes.models import RoutePlan, RouteStop, WeekPlan
from gridsales.routes.navigate import amap_url, baidu_url


class RouteStopSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    window = serializers.SerializerMethodField()
    arrival = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    wait_minutes = serializers.SerializerMethodField()
    late_by_minutes = serializers.SerializerMethodField()
    navigate = serializers.SerializerMethodField()
    drop_message = serializers.SerializerMethodField()

    class Meta:
        model = RouteStop
        fields = [
            "id",
            "position",
            "kind",
            "customer",
            "activity",
            "name",
            "address",
            "lat",
            "lng",
            "window",
            "service",
            "priority",
            "required",
            "arrival",
            "wait_minutes",
            "start",
            "end",
            "late_by_minutes",
            "travel_m",
            "travel_minutes",
            "navigate",
            "drop_reason",
            "drop_message",
        ]
        read_only_fields = fields

    def get_window(self, stop) -> list[str]:
        return [hhmm(stop.early), hhmm(stop.late)]

    def get_arrival(self, stop) -> str:
        return hhmm(stop.arrival)

    def get_start(self, stop) -> str:
        return hhmm(stop.start)

    def get_end(self, stop) -> str:
        return hhmm(stop.end)

    def get_wait_minutes(self, stop) -> int | None:
        return None if stop.wait is None else round(stop.wait)

    def get_late_by_minutes(self, stop) -> int:
        return round(stop.late_by)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"amap": {"type": "string"}, "baidu": {"type": "string"}},
        }
    )
    def get_navigate(self, stop):
        if stop.lat is None or stop.is_lunch or stop.position is None:
            return None
        return {
            "amap": amap_url(stop.lat, stop.lng, stop.name),
            "baidu": baidu_url(stop.lat, stop.lng, stop.name, stop.address or stop.name),
        }

    def get_drop_message(self, stop) -> str:
        return drop_message(stop.drop_reason, stop.drop_params) if stop.drop_reason else ""


class RoutePlanSerializer(serializers.ModelSerializer):
    rep = serializers.SlugRelatedField(slug_field="username", read_only=True)
    depart = serializers.CharField(source="depart_time", read_only=True)
    back = serializers.CharField(source="back_time", read_only=True)
    distance_km = serializers.SerializerMethodField()
    visit_count = serializers.IntegerField(read_only=True)
    dropped_count = serializers.IntegerField(read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = RoutePlan
        fields = [
            "id",
            "rep",
            "day",
            "status",
            "week",
            "depot_kind",
            "depart",
            "back",
            "distance_km",
            "drive_minutes",
            "visit_count",
            "dropped_count",
            "reordered",
            "url",
        ]
        read_only_fields = fields

    def get_distance_km(self, plan) -> float:
        return round(plan.distance_km, 3)


class RoutePlanDetailSerializer(RoutePlanSerializer):
    stops = serializers.SerializerMethodField()
    dropped = serializers.SerializerMethodField()
    shift = serializers.CharField(source="shift_text", read_only=True)
    late_by_minutes = serializers.SerializerMethodField()

    class Meta(RoutePlanSerializer.Meta):
        fields = RoutePlanSerializer.Meta.fields + [
            "depot_lat",
            "depot_lng",
            "shift",
            "lunch_minutes",
            "late_by_minutes",
            "stops",
            "dropped",
        ]
        read_only_fields = fields

    def _stops(self, plan):
        cached = getattr(plan, "_all_stops", None)
        if cached is None:
            cached = plan._all_stops = list(plan.stops.select_related("customer"))
        return cached

    @extend_schema_field(RouteStopSerializer(many=True))
    def get_stops(self, plan):
        planned = sorted((s for s in self._stops(plan) if s.position), key=lambda s: s.position)
        return RouteStopSerializer(planned, many=True, context=self.context).data

    @extend_schema_field(RouteStopSerializer(many=True))
    def get_dropped(self, plan):
        left = sorted((s for s in self._stops(plan) if not s.position), key=lambda s: -s.priority)
        return RouteStopSerializer(left, many=True, context=self.context).data

    def get_late_by_minutes(self, plan) -> int:
        return round(plan.back_late_by)


class PlanDaySerializer(serializers.Serializer):
    rep = ScopedSlugRelatedField(slug_field="username", queryset=User.objects.all())
    day = serializers.DateField()
    time_limit = serializers.FloatField(required=False, min_value=0.01, max_value=30)


class RouteReorderSerializer(serializers.Serializer):
    stop_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class RouteOptimiseSerializer(serializers.Serializer):
    time_limit = serializers.FloatField(required=False, min_value=0.01, max_value=30)


class RouteConfirmSerializer(serializers.Serializer):
    pass


class WeekPlanSerializer(serializers.ModelSerializer):
    grid = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unplanned = serializers.SerializerMethodField()
    days = serializers.SerializerMethodField()

    class Meta:
        model = WeekPlan
        fields = [
            "id",
            "grid",
            "week_start",
            "keep_own_customers",
            "seconds",
            "unplanned",
            "days",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "customer": {"type": "integer"},
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "reason": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        }
    )
    def get_unplanned(self, week):
        return [
            {
                "customer": row.get("customer"),
                "code": row.get("code", ""),
                "name": row.get("name", ""),
                "reason": row.get("reason", ""),
                "message": drop_message(row.get("reason", ""), row.get("params", {}), week=True),
            }
            for row in week.unplanned
        ]

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_days(self, week) -> list[int]:
        return [p.pk for p in week.days.all()]


class PlanWeekSerializer(serializers.Serializer):
    grid = ScopedSlugRelatedField(slug_field="code", queryset=Grid.objects.all())
    week_start = serializers.DateField()
    keep_own_customers = serializers.BooleanField(default=True)
    time_limit = serializers.FloatField(required=False, min_value=0.1, max_value=120)
