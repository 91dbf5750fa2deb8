"""Customer care: contact cadences, follow-up rules and satisfaction surveys."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import ActivityType
from gridsales.care.choices import FollowUpTrigger, QuestionKind, SurveyChannel, SurveyStatus
from gridsales.core.models import AuditedModel
from gridsales.core.querysets import RestrictedQuerySet
from gridsales.customers.choices import Tier
from gridsales.customers.models import CustomerQuerySet


class PolicyQuerySet(RestrictedQuerySet):
    """Everyone signed in reads the rules; administrators and directors change them, and
    managers change the grid-specific ones of the grids they manage."""

    def scope_q(self, scope, action):
        if action == "view":
            return None
        if not hasattr(self.model, "grid"):
            return Q(pk__in=[])
        return scope.paths_q("grid__path", scope.write_paths)


class CadencePolicy(AuditedModel):
    """How often customers of a tier must be contacted, optionally only in a grid (and its
    sub-grids) or an industry. The most specific active policy wins: grid and industry,
    then grid (nearest ancestor first), then industry, then the tier alone."""

    tier = models.CharField(_("Tier"), max_length=1, choices=Tier.choices)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cadence_policies",
    )
    industry = models.CharField(_("Industry"), max_length=60, blank=True)
    interval_days = models.PositiveSmallIntegerField(
        _("Contact every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    is_active = models.BooleanField(_("Active"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Cadence policy")
        verbose_name_plural = _("Cadence policies")
        ordering = ["tier", "grid", "industry"]
        constraints = [
            models.UniqueConstraint(
                fields=["tier", "grid", "industry"],
                name="one_cadence_per_tier_grid_industry",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {self.interval_days}"

    def get_absolute_url(self) -> str:
        return reverse("care:policy-edit", args=[self.pk])


class FollowUpRule(AuditedModel):
    """Schedule a follow-up (回访) automatically: `delay_days` after an order or a done
    visit, for customers of the listed tiers (all when empty)."""

    name = models.CharField(_("Name"), max_length=100)
    trigger = models.CharField(_("Trigger"), max_length=6, choices=FollowUpTrigger.choices)
    delay_days = models.PositiveSmallIntegerField(
        _("After (days)"), validators=[MaxValueValidator(366)]
    )
    activity_type = models.CharField(
        _("Follow up by"), max_length=8, choices=ActivityType.choices, default=ActivityType.CALL
    )
    tiers = models.JSONField(_("Tiers"), default=list, blank=True)
    is_active = models.BooleanField(_("Active"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Follow-up rule")
        verbose_name_plural = _("Follow-up rules")
        ordering = ["trigger", "delay_days", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care:rule-edit", args=[self.pk])


class SurveyTemplate(AuditedModel):
    """A questionnaire: ordered CSAT, NPS and free-text questions."""

    code = models.CharField(_("Code"), max_length=40, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    intro = models.TextField(_("Introduction"), blank=True)
    is_active = models.BooleanField(_("Active"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Survey template")
        verbose_name_plural = _("Survey templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("care:template-detail", args=[self.pk])


class SurveyQuestion(AuditedModel):
    """One question of a template."""

    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("Survey template"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("Position"))
    kind = models.CharField(_("Question type"), max_length=4, choices=QuestionKind.choices)
    text = models.CharField(_("Question"), max_length=300)
    required = models.BooleanField(_("Required"), default=True)

    objects = PolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Survey question")
        verbose_name_plural = _("Survey questions")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "position"], name="one_question_per_position"
            )
        ]

    def __str__(self) -> str:
        return self.text


class SurveyQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        # As visible as the customer, and to whoever sent it; the sender and the managers
        # of the customer's grid withdraw it.
        customer_view = CustomerQuerySet.scope_q(self, scope, "view", prefix="customer__")
        own = Q(sent_by_id=scope.user_id)
        if action == "view":
            return customer_view | own
        managed = scope.paths_q("customer__current_grid__path", scope.write_paths)
        if scope.read_all:
            return managed
        return managed | (own & customer_view)


class Survey(AuditedModel):
    """One questionnaire put to one customer: sent as a one-time link (a token that expires
    and cannot be reused) or recorded by the rep during a visit.

    `csat` and `nps` copy the answers to the template's first CSAT and NPS questions so
    results per grid and period need no join; `grid` is the customer's grid when sent.
    The token is kept (not a hash) so the sender can show the link again until it is
    answered; it is random (32 bytes), single-use and left out of the audit log.
    """

    audit_exclude = ("token",)

    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("Survey template"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("Customer"),
        on_delete=models.CASCADE,
        related_name="surveys",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("Contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    activity = models.ForeignKey(
        "activities.Activity",
        verbose_name=_("Visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="surveys",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("Grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    channel = models.CharField(_("Channel"), max_length=5, choices=SurveyChannel.choices)
    status = models.CharField(
        _("Status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.SENT
    )
    token = models.CharField(_("Token"), max_length=64, unique=True, null=True, blank=True)
    expires_at = models.DateTimeField(_("Link expires"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Sent by"),
        on_delete=models.PROTECT,
        related_name="surveys_sent",
    )
    sent_at = models.DateTimeField(_("Sent"))
    answered_at = models.DateTimeField(_("Answered"), null=True, blank=True, db_index=True)
    csat = models.PositiveSmallIntegerField(_("CSAT (1–5)"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS score (0–10)"), null=True, blank=True)
    comment = models.TextField(_("Comments"), blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Satisfaction survey")
        verbose_name_plural = _("Satisfaction surveys")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["customer", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.template} · {self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("care:survey-detail", args=[self.pk])


class SurveyAnswerQuerySet(RestrictedQuerySet):
    def scope_q(self, scope, action):
        if action == "view":
            customer_view = CustomerQuerySet.scope_q(
                self, scope, "view", prefix="survey__customer__"
            )
            return customer_view | Q(survey__sent_by_id=scope.user_id)
        return Q(pk__in=[])


class SurveyAnswer(models.Model):
    """The answer to one question of a survey: a score (CSAT, NPS) or text."""

    survey = models.ForeignKey(
        Survey,
        verbose_name=_("Satisfaction survey"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        SurveyQuestion, verbose_name=_("Question"), on_delete=models.PROTECT, related_name="answers"
    )
    score = models.PositiveSmallIntegerField(_("Score"), null=True, blank=True)
    text = models.TextField(_("Answer"), blank=True)

    objects = SurveyAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("Survey answer")
        verbose_name_plural = _("Survey answers")
        ordering = ["survey", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.question_id}"
