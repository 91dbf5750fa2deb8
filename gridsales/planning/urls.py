from django.urls import path

from gridsales.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.ScenarioListView.as_view(), name="scenario-list"),
    path("headcount/", views.HeadcountView.as_view(), name="headcount"),
    path("new/", views.ScenarioCreateView.as_view(), name="scenario-create"),
    path("compare/", views.ScenarioCompareView.as_view(), name="scenario-compare"),
    path("<int:pk>/", views.ScenarioDetailView.as_view(), name="scenario-detail"),
    path("<int:pk>/edit/", views.ScenarioEditView.as_view(), name="scenario-edit"),
    path("<int:pk>/progress/", views.ScenarioProgressView.as_view(), name="scenario-progress"),
    path("<int:pk>/units.json", views.ScenarioUnitsView.as_view(), name="scenario-units"),
    path("<int:pk>/<slug:action>/", views.ScenarioActionView.as_view(), name="scenario-action"),
]
