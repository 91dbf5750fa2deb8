import factory

from gridsales.care.choices import FollowUpTrigger, QuestionKind
from gridsales.care.models import CadencePolicy, FollowUpRule, SurveyQuestion, SurveyTemplate


class CadencePolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CadencePolicy

    tier = "A"
    interval_days = 14


class FollowUpRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpRule

    name = factory.Sequence(lambda n: f"回访规则 {n}")
    trigger = FollowUpTrigger.ORDER
    delay_days = 7


class SurveyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyTemplate

    code = factory.Sequence(lambda n: f"CSAT-{n}")
    name = factory.Sequence(lambda n: f"满意度调查 {n}")


def template_with_questions(code: str = "CSAT-NPS", *, text_required: bool = False):
    """A template asking 1. CSAT (1–5), 2. NPS (0–10), 3. a comment (optional by default)."""
    template = SurveyTemplateFactory(code=code, name="客户满意度回访")
    for position, kind, text, required in (
        (1, QuestionKind.CSAT, "您对我们的服务满意吗？", True),
        (2, QuestionKind.NPS, "您向朋友推荐我们的可能性有多大？", True),
        (3, QuestionKind.TEXT, "您还有什么建议？", text_required),
    ):
        SurveyQuestion.objects.create(
            template=template, position=position, kind=kind, text=text, required=required
        )
    return template


MATRIX_TEMPLATE = "CSAT-MATRIX"


def care_policy_world(world) -> dict[str, dict[str, int]]:
    """Cadence policies and follow-up rules for the API permission matrix, made once per
    world: every tier A–C every 7 days (so every persona customer is due within the week),
    B in R1 and A in R1-A1-G1 (managers change those), and two follow-up rules."""
    cached = getattr(world, "_care_policies", None)
    if cached is not None:
        return cached
    g = world.grids
    policies = {tier: CadencePolicyFactory(tier=tier, interval_days=7).pk for tier in "ABC"}
    policies["B@R1"] = CadencePolicyFactory(tier="B", grid=g["R1"], interval_days=7).pk
    policies["A@R1-A1-G1"] = CadencePolicyFactory(tier="A", grid=g["R1-A1-G1"], interval_days=7).pk
    rules = {
        "订单回访": FollowUpRuleFactory(name="订单回访").pk,
        "拜访回访": FollowUpRuleFactory(
            name="拜访回访", trigger=FollowUpTrigger.VISIT, delay_days=3, tiers=["A"]
        ).pk,
    }
    world._care_policies = {"policies": policies, "rules": rules}
    return world._care_policies


def care_template_world(world) -> dict[str, int]:
    """One survey template (never sent, so it can be deleted), made once per world."""
    cached = getattr(world, "_care_templates", None)
    if cached is None:
        cached = world._care_templates = {
            MATRIX_TEMPLATE: template_with_questions(MATRIX_TEMPLATE).pk
        }
    return cached


def care_survey_world(world) -> dict[str, int]:
    """One survey waiting for its answer per persona customer (key: the customer's code):
    CUS-G1 and CUS-NOGRID sent by rep, CUS-G2 by the director, CUS-R2 by rep2."""
    cached = getattr(world, "_care_surveys", None)
    if cached is not None:
        return cached
    from gridsales.care.services import survey_send

    template = SurveyTemplate.objects.get(pk=care_template_world(world)[MATRIX_TEMPLATE])
    senders = {"CUS-G1": "rep", "CUS-G2": "director", "CUS-R2": "rep2", "CUS-NOGRID": "rep"}
    world._care_surveys = {
        code: survey_send(
            template=template, customer=world.customers[code], user=world.users[user]
        ).pk
        for code, user in senders.items()
    }
    return world._care_surveys


def crowd_care(world) -> None:
    """Enough care rows inside R1 for the list endpoints' N+1 check (test_api_lists): a
    policy per tier and per grid of R1-A1 (every customer due tomorrow), 11 follow-up
    rules, 11 templates with questions, and 11 surveys of R1 customers."""
    from gridsales.care.services import survey_send
    from gridsales.customers.models import Customer
    from gridsales.grids.models import Grid

    for tier in "ABCD":
        CadencePolicyFactory(tier=tier, interval_days=1)
    for grid in Grid.objects.filter(path__startswith=world.grids["R1-A1"].path):
        CadencePolicyFactory(tier="A", grid=grid, interval_days=1)
    for _ in range(11):
        FollowUpRuleFactory()
    templates = [template_with_questions(f"CROWD-{i}") for i in range(11)]
    customers = Customer.objects.filter(current_grid__path__startswith=world.grids["R1"].path)
    for template, customer in zip(templates, list(customers) * 11, strict=False):
        survey_send(template=template, customer=customer, user=world.users["rep"])
