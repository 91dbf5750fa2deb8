from django.urls import path

from gridsales.grids import map_views

app_name = "map"
urlpatterns = [
    path("", map_views.MapView.as_view(), name="page"),
    path("grids.json", map_views.MapGridsView.as_view(), name="grids"),
    path("customers.json", map_views.MapCustomersView.as_view(), name="customers"),
]
