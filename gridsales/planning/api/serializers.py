from rest_framework import serializers

from gridsales.planning.models import Scenario


class HeadcountRowSerializer(serializers.Serializer):
    grid = serializers.CharField(help_text="grid code")
    name = serializers.CharField()
    depth = serializers.IntegerField()
    customers = serializers.IntegerField()
    visits = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="a year")
    workload_hours = serializers.DecimalField(max_digits=14, decimal_places=2)
    recommended_reps = serializers.IntegerField()
    reps_today = serializers.DecimalField(max_digits=10, decimal_places=2)
    gap = serializers.DecimalField(max_digits=10, decimal_places=2)
    utilisation = serializers.DecimalField(max_digits=10, decimal_places=4, allow_null=True)
    demand = serializers.DecimalField(max_digits=16, decimal_places=2)
    demand_per_rep = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)


class HeadcountSerializer(serializers.Serializer):
    visit_minutes = serializers.IntegerField()
    travel_minutes = serializers.IntegerField()
    rep_hours = serializers.IntegerField()
    rows = HeadcountRowSerializer(many=True)


class ScenarioSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    units = serializers.SerializerMethodField()
    within_tau = serializers.SerializerMethodField()
    balance_deviation = serializers.SerializerMethodField()
    max_diameter = serializers.SerializerMethodField()
    customers_moved = serializers.SerializerMethodField()

    class Meta:
        model = Scenario
        fields = (
            "id",
            "name",
            "parent",
            "unit_source",
            "resolution",
            "territories",
            "tolerance",
            "balance",
            "status",
            "progress",
            "message",
            "units",
            "within_tau",
            "balance_deviation",
            "max_diameter",
            "customers_moved",
            "manual_moves",
            "run_seconds",
            "approved_at",
            "effective_from",
            "applied_at",
            "successors",
            "created_at",
        )
        read_only_fields = fields

    def get_units(self, obj) -> int:
        return len(obj.units)

    def get_within_tau(self, obj) -> bool | None:
        return obj.report.get("balanced_on") if obj.report else None

    def get_balance_deviation(self, obj) -> float | None:
        return obj.report.get("balance_deviation") if obj.report else None

    def get_max_diameter(self, obj) -> float | None:
        return obj.report.get("max_diameter") if obj.report else None

    def get_customers_moved(self, obj) -> float | None:
        return obj.report.get("moved", {}).get("customers") if obj.report else None
