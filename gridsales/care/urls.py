from django.urls import path
from django.views.generic import RedirectView

from gridsales.care import cadence_views, survey_views

app_name = "care"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="care:contacts"), name="home"),
    path("contacts/", cadence_views.ContactListView.as_view(), name="contacts"),
    path("policies/", cadence_views.CadencePolicyListView.as_view(), name="policy-list"),
    path("policies/new/", cadence_views.CadencePolicyFormView.as_view(), name="policy-create"),
    path(
        "policies/<int:pk>/edit/", cadence_views.CadencePolicyFormView.as_view(), name="policy-edit"
    ),
    path(
        "policies/<int:pk>/delete/",
        cadence_views.CadencePolicyDeleteView.as_view(),
        name="policy-delete",
    ),
    path("follow-up-rules/", cadence_views.FollowUpRuleListView.as_view(), name="rule-list"),
    path("follow-up-rules/new/", cadence_views.FollowUpRuleFormView.as_view(), name="rule-create"),
    path(
        "follow-up-rules/<int:pk>/edit/",
        cadence_views.FollowUpRuleFormView.as_view(),
        name="rule-edit",
    ),
    path(
        "follow-up-rules/<int:pk>/delete/",
        cadence_views.FollowUpRuleDeleteView.as_view(),
        name="rule-delete",
    ),
    path("survey-templates/", survey_views.SurveyTemplateListView.as_view(), name="template-list"),
    path(
        "survey-templates/new/",
        survey_views.SurveyTemplateFormView.as_view(),
        name="template-create",
    ),
    path(
        "survey-templates/<int:pk>/",
        survey_views.SurveyTemplateDetailView.as_view(),
        name="template-detail",
    ),
    path(
        "survey-templates/<int:pk>/edit/",
        survey_views.SurveyTemplateFormView.as_view(),
        name="template-edit",
    ),
    path(
        "survey-templates/<int:pk>/delete/",
        survey_views.SurveyTemplateDeleteView.as_view(),
        name="template-delete",
    ),
    path("surveys/", survey_views.SurveyListView.as_view(), name="survey-list"),
    path("surveys/send/", survey_views.SurveySendView.as_view(), name="survey-send"),
    path("surveys/record/", survey_views.SurveyRecordView.as_view(), name="survey-record"),
    path("surveys/results/", survey_views.SurveyResultsView.as_view(), name="survey-results"),
    path("surveys/<int:pk>/", survey_views.SurveyDetailView.as_view(), name="survey-detail"),
    path("surveys/<int:pk>/revoke/", survey_views.SurveyRevokeView.as_view(), name="survey-revoke"),
]
