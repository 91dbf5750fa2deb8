from django.urls import path

from gridsales.recognition import views

app_name = "recognition"
urlpatterns = [
    path("", views.LeaderboardView.as_view(), name="leaderboard"),
    path("awards/", views.AwardListView.as_view(), name="award-list"),
    path("awards/new/", views.AwardGiveView.as_view(), name="award-give"),
    path("awards/<int:pk>/revoke/", views.AwardRevokeView.as_view(), name="award-revoke"),
    path("awards/run/", views.RulesRunView.as_view(), name="rules-run"),
    path("types/", views.AwardTypeListView.as_view(), name="type-list"),
    path("types/new/", views.AwardTypeFormView.as_view(), name="type-create"),
    path("types/<int:pk>/edit/", views.AwardTypeFormView.as_view(), name="type-edit"),
]
