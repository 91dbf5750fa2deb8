from django.urls import path

from gridsales.grids import views
from gridsales.grids.quality_checks import GridQualityView

app_name = "grids"
urlpatterns = [
    path("", views.GridListView.as_view(), name="list"),
    path("<int:pk>/", views.GridDetailView.as_view(), name="detail"),
    path("<int:pk>/quality.json", GridQualityView.as_view(), name="quality"),
]
