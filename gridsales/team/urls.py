from django.urls import path

from gridsales.team import views

app_name = "team"
urlpatterns = [
    path("", views.RepListView.as_view(), name="rep-list"),
    path("<int:pk>/", views.RepDetailView.as_view(), name="rep-detail"),
]
