from django.urls import path

from gridsales.incentives import views

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
]
