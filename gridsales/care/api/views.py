"""Care API: cadence policies, follow-up rules, survey templates (questions nested),
surveys (POST = send a link; `revoke`, `record`), the due/overdue contact list and the
survey results of a grid and period. Scoped like the pages (docs/care.md)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gridsales.care import services
from gridsales.care.api.serializers import (
    CadencePolicySerializer,
    ContactStatusSerializer,
    FollowUpRuleSerializer,
    SurveyDetailSerializer,
    SurveyRecordSerializer,
    SurveyResultsSerializer,
    SurveySendSerializer,
    SurveySerializer,
    SurveyTemplateSerializer,
)
from gridsales.care.contact_lists import contact_listing
from gridsales.care.filtersets import (
    CadencePolicyFilterSet,
    FollowUpRuleFilterSet,
    SurveyFilterSet,
    SurveyTemplateFilterSet,
)
from gridsales.care.models import CadencePolicy, FollowUpRule, Survey, SurveyTemplate
from gridsales.care.selectors import contact_rows, parse_period, survey_scores
from gridsales.core.api import ScopedModelViewSet, ensure_allowed
from gridsales.core.context import current_user
from gridsales.core.scope import scope_for
from gridsales.customers.models import Customer
from gridsales.grids.models import Grid


def _merged(instance, data: dict, names: tuple[str, ...]) -> dict:
    """A PATCH's fields over the instance's current ones: the services take them all."""
    current = {name: getattr(instance, name) for name in names} if instance else {}
    return {**current, **data}


class CadencePolicyViewSet(ScopedModelViewSet):
    """Cadence policies: everyone reads them; admins and directors change them, managers
    the grid-specific ones of the grids they manage."""

    queryset = CadencePolicy.objects.all()
    serializer_class = CadencePolicySerializer
    filterset_class = CadencePolicyFilterSet
    ordering_fields = ["tier", "interval_days"]
    ordering = ["tier", "pk"]

    def get_queryset(self):
        return super().get_queryset().select_related("grid")

    def perform_write(self, serializer):
        fields = ("tier", "grid", "industry", "interval_days", "is_active")
        data = _merged(serializer.instance, serializer.validated_data, fields)
        return services.cadence_policy_save(policy=serializer.instance, **data)

    def perform_remove(self, instance):
        services.cadence_policy_delete(policy=instance)


class FollowUpRuleViewSet(ScopedModelViewSet):
    """Follow-up rules: everyone reads them; admins and directors change them."""

    queryset = FollowUpRule.objects.all()
    serializer_class = FollowUpRuleSerializer
    filterset_class = FollowUpRuleFilterSet
    ordering_fields = ["name", "trigger", "delay_days"]
    ordering = ["trigger", "delay_days", "pk"]

    def perform_write(self, serializer):
        fields = ("name", "trigger", "delay_days", "activity_type", "tiers", "is_active")
        data = _merged(serializer.instance, serializer.validated_data, fields)
        return services.followup_rule_save(rule=serializer.instance, **data)

    def perform_remove(self, instance):
        services.followup_rule_delete(rule=instance)


class SurveyTemplateViewSet(ScopedModelViewSet):
    """Survey templates with their questions: everyone reads them; admins and directors
    change them."""

    queryset = SurveyTemplate.objects.all()
    serializer_class = SurveyTemplateSerializer
    filterset_class = SurveyTemplateFilterSet
    ordering_fields = ["code", "name"]
    ordering = ["code"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("questions")

    def perform_write(self, serializer):
        data = dict(serializer.validated_data)
        questions = data.pop("questions", None)
        if serializer.instance is None and questions is None:
            raise exceptions.ValidationError(
                {"questions": [_("A survey needs at least one question.")]}
            )
        data = _merged(serializer.instance, data, ("code", "name", "intro", "is_active"))
        return services.survey_template_save(
            template=serializer.instance, questions=questions, **data
        )

    def perform_remove(self, instance):
        services.survey_template_delete(template=instance)


def _may_write(user) -> bool:
    scope = scope_for(user)
    return scope.write_all or not scope.read_all


class SurveyViewSet(ScopedModelViewSet):
    """Surveys as visible as their customers (and to whoever sent them). POST sends a
    one-time link; `record` stores a visit's answers; `revoke` withdraws a link."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Survey.objects.all()
    serializer_class = SurveySerializer
    filterset_class = SurveyFilterSet
    ordering_fields = ["sent_at", "answered_at", "csat", "nps"]
    ordering = ["-sent_at", "-pk"]

    def get_queryset(self):
        qs = super().get_queryset().select_related("template", "customer", "grid", "sent_by")
        if self.action == "retrieve":
            qs = qs.prefetch_related("answers__question")
        return qs

    def get_serializer_class(self):
        return {
            "retrieve": SurveyDetailSerializer,
            "create": SurveySendSerializer,
            "record": SurveyRecordSerializer,
        }.get(self.action, SurveySerializer)

    def _detail(self, survey, status=200):
        # The token is the key to the customer's page: only those who may withdraw it see it.
        show = Survey.objects.restrict(self.request.user, "change").filter(pk=survey.pk).exists()
        context = {"request": self.request, "show_link": show}
        return Response(SurveyDetailSerializer(survey, context=context).data, status=status)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    @extend_schema(request=SurveySendSerializer, responses={201: SurveyDetailSerializer})
    def create(self, request, *args, **kwargs):
        params = SurveySendSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        with transaction.atomic():
            survey = services.survey_send(
                template=data["template"],
                customer=data["customer"],
                contact=data.get("contact"),
                user=request.user,
            )
            ensure_allowed(request.user, survey, "add")
        return self._detail(survey, status=201)

    @extend_schema(request=SurveyRecordSerializer, responses={201: SurveyDetailSerializer})
    @action(detail=False, methods=["post"])
    def record(self, request):
        """Record the answers a customer gave during a visit (channel "visit")."""
        if not _may_write(request.user):
            raise exceptions.PermissionDenied
        params = SurveyRecordSerializer(data=request.data, context={"request": request})
        params.is_valid(raise_exception=True)
        data = params.validated_data
        with transaction.atomic():
            survey = services.survey_record(
                template=data["template"],
                customer=data["customer"],
                contact=data.get("contact"),
                activity=data.get("activity"),
                answers=data["answers"],
                user=request.user,
            )
            ensure_allowed(request.user, survey, "add")
        return self._detail(survey, status=201)

    @extend_schema(request=None, responses={200: SurveyDetailSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        """Withdraw a link that has not been answered yet."""
        survey = self.get_object()
        ensure_allowed(request.user, survey, "change")
        with transaction.atomic():
            survey = services.survey_revoke(survey=survey)
        return self._detail(survey)


STATE_PARAMETER = OpenApiParameter(
    "state",
    str,
    enum=["overdue", "due", "all"],
    description="overdue, due (within 7 days) or all (both, the default)",
)


@extend_schema(
    parameters=[
        OpenApiParameter("grid", str, description="grid code: the grid and its sub-grids"),
        OpenApiParameter("owner", str, description="the rep's username"),
        OpenApiParameter("tier", str, many=True),
        OpenApiParameter("q", str, description="customer code or name"),
        STATE_PARAMETER,
        OpenApiParameter("sort", str, description="overdue (default: -overdue), due, code …"),
    ]
)
class ContactStatusViewSet(viewsets.ReadOnlyModelViewSet):
    """The due/overdue contact list (`/contact-status/`), computed for the caller's
    customers; `/contact-status/<customer id>/` is one customer's status."""

    serializer_class = ContactStatusSerializer
    queryset = Customer.objects.none()  # the rows are computed: see list()
    filter_backends: list = []
    lookup_value_regex = r"[0-9]+"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    def list(self, request, *args, **kwargs):
        listing = contact_listing(
            user=request.user,
            params=request.query_params,
            default_state="all",
            sort=request.query_params.get("sort", ""),
        )
        if listing.filterset.is_bound and not listing.filterset.is_valid():
            raise exceptions.ValidationError(listing.filterset.errors)
        page = self.paginate_queryset(listing.shown)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None, *args, **kwargs):
        customers = Customer.objects.restrict(request.user, "view")
        get_object_or_404(customers, pk=pk)
        rows = contact_rows(customers.filter(pk=pk))
        if not rows:
            raise exceptions.NotFound(_("A lost customer is on no contact cadence."))
        return Response(self.get_serializer(rows[0]).data)


class SurveyResultsView(APIView):
    """Results of the caller's surveys answered in a period, for a grid and its sub-grids:
    responses, mean CSAT (2 decimals) and NPS (1 decimal) as strings, and the number of
    promoters, passives and detractors. `period` is 2026, 2026-Q1 or 2026-03 (default:
    the current month); or give `start` and `end` dates."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        current_user.set(request.user if request.user.is_authenticated else None)

    @extend_schema(
        parameters=[
            OpenApiParameter("grid", str, description="grid code (with its sub-grids)"),
            OpenApiParameter("period", str, description="2026, 2026-Q1 or 2026-03"),
            OpenApiParameter("start", dt.date),
            OpenApiParameter("end", dt.date),
        ],
        responses={200: SurveyResultsSerializer},
    )
    def get(self, request):
        params = request.query_params
        grid = None
        if params.get("grid"):
            grid = Grid.objects.restrict(request.user, "view").filter(code=params["grid"]).first()
            if grid is None:
                raise exceptions.NotFound(
                    _("No grid with the code “{value}” among yours.").format(value=params["grid"])
                )
        try:
            start, end = _period(params)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"period": exc.messages}) from None
        scores = survey_scores(user=request.user, grid=grid, start=start, end=end)
        return Response(scores.as_dict())


def _period(params) -> tuple[dt.date, dt.date]:
    if params.get("period"):
        return parse_period(params["period"])
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(params["start"]) if params.get("start") else None
        end = dt.date.fromisoformat(params["end"]) if params.get("end") else None
    except ValueError:
        raise DjangoValidationError(
            _("Give dates as YYYY-MM-DD, e.g. {example}.").format(example=today.isoformat())
        ) from None
    if start is None and end is None:
        return today.replace(day=1), today
    return start or dt.date(today.year, 1, 1), end or today
