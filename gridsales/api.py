"""The REST API: /api/v1/ (router), token endpoint, OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from gridsales.core.api_views import ObjectChangeViewSet
from gridsales.customers.api.views import ContactViewSet, CustomerViewSet
from gridsales.grids.api.views import GridViewSet
from gridsales.team.api.views import MembershipViewSet, RepViewSet

router = DefaultRouter()
router.register("grids", GridViewSet)
router.register("reps", RepViewSet, basename="rep")
router.register("memberships", MembershipViewSet)
router.register("customers", CustomerViewSet)
router.register("contacts", ContactViewSet)
router.register("audit", ObjectChangeViewSet)

urlpatterns = [
    path("v1/auth/token/", obtain_auth_token, name="api-token"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
