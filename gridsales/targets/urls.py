from django.urls import path

from gridsales.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan-list"),
    path("new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("actuals/import/", views.ActualsImportView.as_view(), name="actuals-import"),
    path("lines/<int:pk>/", views.LineageView.as_view(), name="lineage"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("<int:pk>/edit/", views.PlanUpdateView.as_view(), name="plan-edit"),
    path(
        "<int:pk>/do/<str:what>/",
        views.PlanActionView.as_view(),
        name="plan-action",
    ),
    path("<int:pk>/matrix/", views.MatrixView.as_view(), name="matrix"),
    path("<int:pk>/months/", views.FixMonthView.as_view(), name="fix-month"),
    path("<int:pk>/inputs/<int:grid_pk>/", views.UnitInputView.as_view(), name="unit-input"),
    path("<int:pk>/diff/", views.DiffView.as_view(), name="diff"),
    path("<int:pk>/bottom-up/", views.BottomUpView.as_view(), name="bottom-up"),
    path("<int:pk>/attainment/", views.AttainmentView.as_view(), name="attainment"),
    path("<int:pk>/export.xlsx", views.ExportView.as_view(), name="export"),
    path("<int:pk>/import/", views.PlanImportView.as_view(), name="import"),
]
