from django.urls import path

from gridsales.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("map.json", views.DashboardMapView.as_view(), name="map"),
    path("export/<slug:table>.<slug:fmt>", views.DashboardExportView.as_view(), name="export"),
]
