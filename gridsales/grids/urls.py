from django.urls import path

from gridsales.grids import views

app_name = "grids"
urlpatterns = [
    path("", views.GridListView.as_view(), name="list"),
    path("<int:pk>/", views.GridDetailView.as_view(), name="detail"),
]
