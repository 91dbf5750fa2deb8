"""The REST API: /api/v1/ (router), token endpoint, OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from gridsales.activities.api.views import ActivityViewSet
from gridsales.analytics.api.views import KpiView
from gridsales.care.api.views import (
    CadencePolicyViewSet,
    ContactStatusViewSet,
    FollowUpRuleViewSet,
    SurveyResultsView,
    SurveyTemplateViewSet,
    SurveyViewSet,
)
from gridsales.core.api_views import ObjectChangeViewSet
from gridsales.core.io.api import export_view, import_view
from gridsales.customers.api.views import (
    ContactViewSet,
    CustomerGridAssignmentViewSet,
    CustomerViewSet,
)
from gridsales.feedback.api.views import FeedbackViewSet
from gridsales.grids.api.views import GridViewSet
from gridsales.incentives.api.views import (
    AdjustmentViewSet,
    CommissionRunViewSet,
    DisputeViewSet,
    IncentivePlanVersionViewSet,
    IncentivePlanViewSet,
    PlanAssignmentViewSet,
    StatementViewSet,
    WhatIfView,
)
from gridsales.planning.api.views import HeadcountView, ScenarioViewSet
from gridsales.recognition.api.views import AwardTypeViewSet, AwardViewSet, LeaderboardView
from gridsales.routes.api.views import RoutePlanViewSet, WeekPlanViewSet
from gridsales.sales.api.order_views import (
    OrderLineViewSet,
    OrderViewSet,
    ProductCategoryViewSet,
    ProductViewSet,
)
from gridsales.sales.api.pipeline_views import (
    OpportunityStageChangeViewSet,
    OpportunityViewSet,
    PipelineViewSet,
    StageViewSet,
)
from gridsales.targets.api.views import (
    ActualViewSet,
    TargetLineViewSet,
    TargetPlanVersionViewSet,
    TargetPlanViewSet,
    TargetProposalViewSet,
    TargetUnitInputViewSet,
)
from gridsales.team.api.views import MembershipViewSet, RepViewSet

GRID_IMPORT_OPTIONS = ("code_field", "name_field", "parent", "crs", "level", "layer")

router = DefaultRouter()
router.register("grids", GridViewSet)
router.register("reps", RepViewSet, basename="rep")
router.register("memberships", MembershipViewSet)
router.register("customers", CustomerViewSet)
router.register("contacts", ContactViewSet)
router.register("customer-assignments", CustomerGridAssignmentViewSet)
router.register("activities", ActivityViewSet)
router.register("audit", ObjectChangeViewSet)
router.register("target-plans", TargetPlanViewSet)
router.register("target-versions", TargetPlanVersionViewSet)
router.register("target-lines", TargetLineViewSet)
router.register("target-proposals", TargetProposalViewSet)
router.register("target-inputs", TargetUnitInputViewSet)
router.register("actuals", ActualViewSet)
router.register("cadence-policies", CadencePolicyViewSet)
router.register("contact-status", ContactStatusViewSet, basename="contact-status")
router.register("follow-up-rules", FollowUpRuleViewSet)
router.register("survey-templates", SurveyTemplateViewSet)
router.register("surveys", SurveyViewSet)
router.register("planning-scenarios", ScenarioViewSet)
router.register("product-categories", ProductCategoryViewSet)
router.register("products", ProductViewSet)
router.register("orders", OrderViewSet)
router.register("order-lines", OrderLineViewSet)
router.register("pipelines", PipelineViewSet)
router.register("stages", StageViewSet)
router.register("opportunities", OpportunityViewSet)
router.register("opportunity-stage-changes", OpportunityStageChangeViewSet)
router.register("route-plans", RoutePlanViewSet)
router.register("week-plans", WeekPlanViewSet)
router.register("incentive-plans", IncentivePlanViewSet)
router.register("incentive-versions", IncentivePlanVersionViewSet)
router.register("plan-assignments", PlanAssignmentViewSet)
router.register("commission-runs", CommissionRunViewSet)
router.register("statements", StatementViewSet)
router.register("adjustments", AdjustmentViewSet)
router.register("disputes", DisputeViewSet)
router.register("award-types", AwardTypeViewSet)
router.register("awards", AwardViewSet)
router.register("feedback", FeedbackViewSet)

urlpatterns = [
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    # Import/export (gridsales.core.io); before the router, whose ids are numeric anyway.
    path(
        "v1/customers/import/",
        import_view("customers", ("crs",), "Import customers from CSV/XLSX."),
        name="api-customers-import",
    ),
    path(
        "v1/customers/export/",
        export_view("customers", ("csv", "xlsx"), "Export the caller's customers."),
        name="api-customers-export",
    ),
    path(
        "v1/activities/export/",
        export_view("activities", ("csv", "xlsx"), "Export the caller's activities."),
        name="api-activities-export",
    ),
    path(
        "v1/grids/import/",
        import_view("grids", GRID_IMPORT_OPTIONS, "Import grid boundaries (admin, director)."),
        name="api-grids-import",
    ),
    path(
        "v1/grids/export/",
        export_view("grids", ("geojson",), "Export the caller's grids as GeoJSON."),
        name="api-grids-export",
    ),
    path("v1/survey-results/", SurveyResultsView.as_view(), name="api-survey-results"),
    path("v1/kpis/", KpiView.as_view(), name="api-kpis"),
    path("v1/planning/headcount/", HeadcountView.as_view(), name="api-planning-headcount"),
    path("v1/leaderboards/", LeaderboardView.as_view(), name="api-leaderboards"),
    path("v1/incentives/what-if/", WhatIfView.as_view(), name="api-incentives-what-if"),
    path(
        "v1/surveys/export/",
        export_view("surveys", ("csv", "xlsx"), "Export the caller's satisfaction surveys."),
        name="api-surveys-export",
    ),
    path(
        "v1/contact-status/export/",
        export_view("contact-status", ("csv", "xlsx"), "Export the due/overdue contact list."),
        name="api-contact-status-export",
    ),
    path(
        "v1/orders/import/",
        import_view("orders", (), "Import order lines from CSV/XLSX (see docs/orders.md)."),
        name="api-orders-import",
    ),
    path(
        "v1/orders/export/",
        export_view("orders", ("csv", "xlsx"), "Export the caller's order lines."),
        name="api-orders-export",
    ),
    path(
        "v1/products/import/",
        import_view("products", (), "Import products (admin, director)."),
        name="api-products-import",
    ),
    path(
        "v1/products/export/",
        export_view("products", ("csv", "xlsx"), "Export the product catalogue."),
        name="api-products-export",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
