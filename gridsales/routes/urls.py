from django.urls import path

from gridsales.routes import views

app_name = "routes"
urlpatterns = [
    path("", views.RoutePlanListView.as_view(), name="list"),
    path("plan/", views.PlanDayView.as_view(), name="plan-day"),
    path("<int:pk>/", views.RoutePlanDetailView.as_view(), name="detail"),
    path("<int:pk>/reorder/", views.RoutePlanReorderView.as_view(), name="reorder"),
    path("<int:pk>/optimise/", views.RoutePlanOptimiseView.as_view(), name="optimise"),
    path("<int:pk>/confirm/", views.RoutePlanConfirmView.as_view(), name="confirm"),
    path("<int:pk>/day.ics", views.RoutePlanIcsView.as_view(), name="ics"),
    path("weeks/", views.WeekPlanListView.as_view(), name="week-list"),
    path("weeks/<int:pk>/", views.WeekPlanDetailView.as_view(), name="week-detail"),
]
