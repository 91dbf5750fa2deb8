"""The REST API: /api/v1/ (router), token endpoint, OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from gridsales.core.api_views import ObjectChangeViewSet
from gridsales.core.io.api import export_view, import_view
from gridsales.customers.api.views import (
    ContactViewSet,
    CustomerGridAssignmentViewSet,
    CustomerViewSet,
)
from gridsales.grids.api.views import GridViewSet
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
router.register("audit", ObjectChangeViewSet)
router.register("target-plans", TargetPlanViewSet)
router.register("target-versions", TargetPlanVersionViewSet)
router.register("target-lines", TargetLineViewSet)
router.register("target-proposals", TargetProposalViewSet)
router.register("target-inputs", TargetUnitInputViewSet)
router.register("actuals", ActualViewSet)

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
        "v1/grids/import/",
        import_view("grids", GRID_IMPORT_OPTIONS, "Import grid boundaries (admin, director)."),
        name="api-grids-import",
    ),
    path(
        "v1/grids/export/",
        export_view("grids", ("geojson",), "Export the caller's grids as GeoJSON."),
        name="api-grids-export",
    ),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
