from django.urls import path

from gridsales.feedback import views

app_name = "feedback"
urlpatterns = [
    path("", views.FeedbackListView.as_view(), name="list"),
    path("mine/", views.FeedbackRedirectView.as_view(), name="mine"),
    path("new/", views.FeedbackFormView.as_view(), name="create"),
    path("<int:pk>/", views.FeedbackDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.FeedbackFormView.as_view(), name="edit"),
    path("<int:pk>/triage/", views.FeedbackTriageView.as_view(), name="triage"),
    path("<int:pk>/delete/", views.FeedbackDeleteView.as_view(), name="delete"),
]
