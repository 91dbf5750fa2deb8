from django.contrib.auth import views as auth_views
from django.urls import include, path

from gridsales.care.public_views import SurveyPublicView, SurveyThanksView
from gridsales.core import pages
from gridsales.core.io.views import ExportPageView, ImportPageView

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("audit/", pages.AuditListView.as_view(), name="audit-list"),
    path("audit/<str:label>/<int:pk>/", pages.ObjectHistoryView.as_view(), name="object-history"),
    path("import/<slug:kind>/", ImportPageView.as_view(), name="import"),
    path("export/<slug:kind>.<slug:fmt>", ExportPageView.as_view(), name="export"),
    path("grids/", include("gridsales.grids.urls")),
    path("map/", include("gridsales.grids.map_urls")),
    path("reps/", include("gridsales.team.urls")),
    path("customers/", include("gridsales.customers.urls")),
    path("targets/", include("gridsales.targets.urls")),
    path("sales/", include("gridsales.sales.urls")),
    path("activities/", include("gridsales.activities.urls")),
    path("care/", include("gridsales.care.urls")),
    path("routes/", include("gridsales.routes.urls")),
    path("planning/", include("gridsales.planning.urls")),
    path("incentives/", include("gridsales.incentives.urls")),
    path("recognition/", include("gridsales.recognition.urls")),
    path("analytics/", include("gridsales.analytics.urls")),
    path("feedback/", include("gridsales.feedback.urls")),
    # The customer's survey link: no login, the token is the key (gridsales.care).
    path("s/<str:token>/", SurveyPublicView.as_view(), name="survey-public"),
    path("s/<str:token>/thanks/", SurveyThanksView.as_view(), name="survey-thanks"),
]
