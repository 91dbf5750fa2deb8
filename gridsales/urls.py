from django.urls import include, path

urlpatterns = [
    path("api/", include("gridsales.api")),
    path("", include("gridsales.core.urls")),
]
