"""Commission runs from the database: facts and targets in, statements out; the run's life,
adjustments, disputes and who sees which statement."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from gridsales.incentives import services
from gridsales.incentives.choices import DisputeStatus, RunStatus
from gridsales.incentives.models import CommissionRun, Statement, StatementLine
from gridsales.incentives.tests.factories import PERIOD, incentive_world


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def made(world):
    return incentive_world(world)


def statement(world, username) -> Statement:
    return Statement.objects.get(run__period=PERIOD, rep=world.users[username])


def run_of(made) -> CommissionRun:
    return CommissionRun.objects.get(pk=made["runs"][PERIOD])


def test_the_run_pays_the_worked_example_from_the_order_lines(world, made):
    s = statement(world, "rep")
    assert s.base == Decimal("125000.00")
    assert s.target == Decimal("100000.00")
    assert s.attainment == Decimal("1.2500")
    assert s.tier_commission == Decimal("3136.00")
    assert s.bonus == Decimal("5000.00")
    assert s.clawback == Decimal("-200.00")  # February 50,000 × 1% = 500 × 0.4
    assert s.total == Decimal("7936.00")
    assert s.grid == world.grids["R1-A1-G1"]
    run = run_of(made)
    assert run.status == RunStatus.CALCULATED
    assert run.total == Decimal("7936.00")
    assert run.revenue == Decimal("134000.00")
    assert (run.rep_count, run.line_count) == (2, 6)


def test_every_statement_line_explains_itself(world, made):
    lines = list(statement(world, "rep").lines.order_by("position"))
    assert [(ln.kind, ln.order_no, ln.amount) for ln in lines] == [
        ("order_line", "SO-1", Decimal("1344.00")),
        ("order_line", "SO-1", Decimal("1008.00")),
        ("order_line", "SO-2", Decimal("784.00")),
        ("bonus", "", Decimal("5000.00")),
        ("clawback", "SO-F1", Decimal("-200.00")),
    ]
    assert lines[1].explanation == (
        "Order SO-1 line 2 (2026-03-05, NEW-PRODUCT): 30000.00 × blended rate 2.24% × "
        "multiplier 1.5 = 1008.00."
    )
    assert lines[2].explanation.startswith(
        "Order SO-2 line 1 (2026-03-10, STD): 45000.00 less 10000.00 returned in the same month"
    )
    assert lines[0].order_line.order.number == "SO-1"
    assert lines[4].explanation.endswith("× its 2026-02 commission 500.00 = -200.00.")


def test_a_rep_without_target_earns_nothing_and_is_flagged(world, made):
    s = statement(world, "rep2")
    assert (s.base, s.target, s.total) == (Decimal("9000.00"), None, Decimal("0.00"))
    expected = (
        "rep2 has no target for 2026-03: under the attainment basis no commission and no "
        "bonus are paid. Add the target and recalculate."
    )
    assert [services.warning_text(w) for w in run_of(made).warnings] == [expected]
    assert s.lines.get().explanation == (
        "Order SO-R2 line 1 (2026-03-08, STD): 9000.00 counts towards the base, but without "
        "a target it earns no commission."
    )


def test_a_rep_without_plan_is_reported(world, made):
    from gridsales.incentives.models import PlanAssignment

    PlanAssignment.objects.all().delete()
    run = services.commission_run_calculate(run=run_of(made))
    assert Statement.objects.filter(run=run).count() == 0
    assert services.warning_text(run.warnings[0]) == (
        "rep has sales in 2026-03 but no commission plan: assign a plan and recalculate."
    )


def test_a_rep_assignment_wins_over_the_role(world, made):
    plan = services.incentive_plan_create(
        code="FLAT",
        name="flat",
        definition={"tiers": [{"from": "0", "rate": "0.10"}], "tier_basis": "amount"},
        effective_from="2026-01",
    )
    services.plan_assignment_create(plan=plan, user=world.users["rep2"], valid_from="2026-03")
    services.commission_run_calculate(run=run_of(made))
    assert statement(world, "rep2").total == Decimal("900.00")
    assert statement(world, "rep").total == Decimal("7936.00")


def test_the_version_in_force_is_used(world, made):
    from gridsales.incentives.models import IncentivePlan

    plan = IncentivePlan.objects.get(code="ISSUE-PLAN")
    services.incentive_plan_version_create(
        plan=plan, definition={**_plan(), "tier_mode": "retroactive"}, effective_from="2026-04"
    )
    services.commission_run_calculate(run=run_of(made))
    assert statement(world, "rep").tier_commission == Decimal("3136.00")  # still marginal


def _plan():
    from gridsales.incentives.tests.test_calculator import ISSUE_PLAN

    return dict(ISSUE_PLAN)


def test_bad_rules_are_refused_with_the_place(world, made):
    from gridsales.incentives.models import IncentivePlan

    plan = IncentivePlan.objects.get(code="ISSUE-PLAN")
    with pytest.raises(ValidationError) as exc:
        services.incentive_plan_version_create(
            plan=plan, definition={**_plan(), "cap": "1.001"}, effective_from="2026-05"
        )
    assert exc.value.message_dict == {
        "definition": ["the rules: cap is 1.001, which has more than 2 decimals."]
    }


def test_the_run_goes_from_calculated_to_approved_to_paid(world, made):
    run = run_of(made)
    finance = world.users["finance"]
    services.commission_run_approve(run=run, user=finance)
    with pytest.raises(ValidationError) as exc:
        services.commission_run_calculate(run=run)
    assert exc.value.messages == ["Only a draft or calculated run can be recalculated."]
    services.commission_run_pay(run=run, user=finance)
    run.refresh_from_db()
    assert (run.status, run.paid_by) == (RunStatus.PAID, finance)
    with pytest.raises(ValidationError) as exc:
        services.commission_run_approve(run=run, user=finance)
    assert exc.value.messages == ["The run is Paid; only a Calculated run can become Approved."]
    with pytest.raises(ValidationError):
        services.adjustment_create(
            run=run, rep=world.users["rep"], amount=Decimal("1"), reason="x", user=finance
        )


def test_an_adjustment_adds_a_line_and_survives_recalculation(world, made):
    run = run_of(made)
    services.adjustment_create(
        run=run,
        rep=world.users["rep"],
        amount=Decimal("-36.50"),
        reason="Sample stock",
        user=world.users["finance"],
    )
    s = statement(world, "rep")
    assert (s.adjustments, s.total) == (Decimal("-36.50"), Decimal("7899.50"))
    assert s.lines.order_by("position").last().explanation == (
        "Adjustment by finance: Sample stock (-36.50)."
    )
    run = services.commission_run_calculate(run=run)
    assert statement(world, "rep").total == Decimal("7899.50")
    assert run.total == Decimal("7899.50")


def test_a_dispute_is_accepted_with_an_adjustment(world, made):
    line = statement(world, "rep").lines.get(position=3)
    dispute = services.dispute_open(line=line, user=world.users["rep"], message="Not returned")
    assert dispute.line_text.startswith("Order SO-2 line 1")
    with pytest.raises(ValidationError) as exc:
        services.dispute_open(line=line, user=world.users["rep"], message="again")
    assert exc.value.messages == ["This line is already disputed."]
    with pytest.raises(ValidationError) as exc:
        services.commission_run_calculate(run=run_of(made))
    assert exc.value.messages == [
        "Reps have disputed lines of this run: resolve the disputes instead."
    ]
    services.dispute_accept(
        dispute=dispute,
        amount=Decimal("224.00"),
        resolution="The return was cancelled",
        user=world.users["finance"],
    )
    dispute.refresh_from_db()
    assert dispute.status == DisputeStatus.ACCEPTED
    assert dispute.adjustment.amount == Decimal("224.00")
    assert statement(world, "rep").total == Decimal("8160.00")
    with pytest.raises(ValidationError) as exc:
        services.dispute_reject(dispute=dispute, resolution="no", user=world.users["finance"])
    assert exc.value.messages == ["The dispute is already resolved."]


def test_a_dispute_is_rejected_with_a_reason_and_keeps_its_history(world, made):
    from gridsales.core.models import ObjectChange

    line = statement(world, "rep").lines.get(position=1)
    dispute = services.dispute_open(line=line, user=world.users["rep"], message="Rate?")
    with pytest.raises(ValidationError):
        services.dispute_reject(dispute=dispute, resolution=" ", user=world.users["finance"])
    services.dispute_reject(
        dispute=dispute, resolution="2.24% is right", user=world.users["finance"]
    )
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolution) == (DisputeStatus.REJECTED, "2.24% is right")
    changes = ObjectChange.objects.filter(object_id=dispute.pk, content_type__model="dispute")
    assert [c.action for c in changes.order_by("pk")] == ["create", "update"]


def test_only_the_rep_disputes_their_statement(world, made):
    line = statement(world, "rep").lines.first()
    with pytest.raises(PermissionDenied):
        services.dispute_open(line=line, user=world.users["rep2"], message="mine")


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("admin", ["rep", "rep2"]),
        ("finance", ["rep", "rep2"]),
        ("analyst", ["rep", "rep2"]),
        ("regional", ["rep"]),
        ("gridmanager", ["rep"]),
        ("rep", ["rep"]),
        ("rep2", ["rep2"]),
        ("outsider", []),
    ],
)
def test_reps_see_their_own_statements_and_managers_their_grids(world, made, persona, seen):
    user = world.users[persona]
    visible = Statement.objects.restrict(user, "view").order_by("rep__username")
    assert [s.rep.username for s in visible] == seen
    lines = StatementLine.objects.restrict(user, "view")
    assert {ln.statement.rep.username for ln in lines} == set(seen)
