from django.urls import path

from gridsales.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.ActivityListView.as_view(), name="list"),
    path("today/", views.TodayView.as_view(), name="today"),
    path("new/", views.ActivityCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ActivityDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="edit"),
    path("<int:pk>/complete/", views.ActivityCompleteView.as_view(), name="complete"),
    path("<int:pk>/cancel/", views.ActivityCancelView.as_view(), name="cancel"),
    path("<int:pk>/next-step-done/", views.NextStepDoneView.as_view(), name="next-step-done"),
    path("<int:pk>/delete/", views.ActivityDeleteView.as_view(), name="delete"),
]
