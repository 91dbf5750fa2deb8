from django.urls import path

from gridsales.incentives import plan_views, views, whatif_views

app_name = "incentives"
urlpatterns = [
    path("", views.RunListView.as_view(), name="run-list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run"),
    path("runs/<int:pk>/do/<str:step>/", views.RunStepView.as_view(), name="run-step"),
    path("runs/<int:pk>/payroll.csv", views.PayrollView.as_view(), name="payroll"),
    path("runs/<int:pk>/export.xlsx", views.RunExportView.as_view(), name="run-export"),
    path("statements/<int:pk>/", views.StatementView.as_view(), name="statement"),
    path(
        "statements/<int:pk>/export.xlsx",
        views.StatementExportView.as_view(),
        name="statement-export",
    ),
    path("lines/<int:pk>/dispute/", views.DisputeOpenView.as_view(), name="dispute-open"),
    path(
        "disputes/<int:pk>/<str:decision>/",
        views.DisputeResolveView.as_view(),
        name="dispute-resolve",
    ),
    path("plans/", plan_views.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", plan_views.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", plan_views.PlanDetailView.as_view(), name="plan"),
    path(
        "plans/<int:pk>/versions/new/",
        plan_views.VersionCreateView.as_view(),
        name="version-create",
    ),
    path("versions/<int:pk>/", plan_views.VersionDetailView.as_view(), name="version"),
    path(
        "plans/<int:pk>/assignments/new/",
        plan_views.AssignmentCreateView.as_view(),
        name="assignment-create",
    ),
    path(
        "assignments/<int:pk>/end/", plan_views.AssignmentEndView.as_view(), name="assignment-end"
    ),
    path("what-if/", whatif_views.WhatIfView.as_view(), name="what-if"),
]
