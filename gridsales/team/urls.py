from django.urls import path

from gridsales.team import views

app_name = "team"
urlpatterns = [
    path("", views.RepListView.as_view(), name="rep-list"),
    path("new/", views.PersonCreateView.as_view(), name="rep-create"),
    path("<int:pk>/", views.RepDetailView.as_view(), name="rep-detail"),
    path("<int:pk>/edit/", views.PersonUpdateView.as_view(), name="rep-edit"),
    path("memberships/new/", views.MembershipCreateView.as_view(), name="membership-create"),
    path("memberships/<int:pk>/end/", views.MembershipEndView.as_view(), name="membership-end"),
]
