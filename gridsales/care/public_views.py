"""The customer's survey page, /s/<token>/: no login, made for a phone.

The token is the only key (32 random bytes), so the page shows nothing but the company's
and the customer's names and the questions. An unknown token answers 404; a used,
expired or withdrawn one 410 with a page that says which; nothing is written then. After
answering, the browser is sent to /s/<token>/thanks/ (a reload does not post twice).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views import View

from gridsales.care import services
from gridsales.care.choices import QuestionKind
from gridsales.care.forms import AnswerForm

SESSION_KEY = "gridsales_answered_surveys"
STATUS = {"unknown": 404, "answered": 410, "expired": 410, "revoked": 410}
SCALES = {QuestionKind.CSAT: range(1, 6), QuestionKind.NPS: range(0, 11)}


def _closed(request, error: services.SurveyLinkError):
    return render(
        request,
        "care/public_closed.html",
        {"reason": error.reason, "survey": error.survey},
        status=STATUS[error.reason],
    )


class SurveyPublicView(View):
    template_name = "care/public_survey.html"

    def render_form(self, request, survey, form, status=200):
        items = [
            (question, form[f"q{question.position}"], SCALES.get(question.kind))
            for question in form.questions
        ]
        context = {"survey": survey, "form": form, "items": items}
        return render(request, self.template_name, context, status=status)

    def get(self, request, token):
        try:
            survey = services.survey_for_token(token)
        except services.SurveyLinkError as error:
            return _closed(request, error)
        questions = survey.template.questions.order_by("position")
        return self.render_form(request, survey, AnswerForm(questions=questions))

    def post(self, request, token):
        try:
            survey = services.survey_for_token(token)
        except services.SurveyLinkError as error:
            return _closed(request, error)
        form = AnswerForm(request.POST, questions=survey.template.questions.order_by("position"))
        if form.is_valid():
            try:
                services.survey_answer(token=token, answers=form.answer_values())
            except services.SurveyLinkError as error:
                return _closed(request, error)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], token]
                return redirect("survey-thanks", token=token)
        return self.render_form(request, survey, form, status=400)


class SurveyThanksView(View):
    """Thanks to whoever just answered (this browser session); anyone else opening the
    address gets the link's state."""

    def get(self, request, token):
        if token not in request.session.get(SESSION_KEY, []):
            return redirect("survey-public", token=token)
        return render(request, "care/public_thanks.html", {})
