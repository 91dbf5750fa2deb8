"""Plans, splits, re-plans, proposals and attainment on the persona world, to the fen."""

import datetime
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from gridsales.core.models import ObjectChange
from gridsales.targets import selectors, services
from gridsales.targets.choices import PlanStatus, ProposalStatus, ReferenceSource
from gridsales.targets.models import PeriodKind, TargetLine, TargetUnitInput
from gridsales.targets.tests.factories import ActualFactory, TargetPlanFactory


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def last_year(world):
    """2026 sales: G1 3,000, G2 1,000, R2-A1-G1 4,000 (rep 2,500 of it recorded by rep2)."""
    g = world.grids
    ActualFactory(grid=g["R1-A1-G1"], amount=D("3000.00"), date=datetime.date(2026, 5, 3))
    ActualFactory(grid=g["R1-A1-G2"], amount=D("1000.00"))
    ActualFactory(grid=g["R2-A1-G1"], amount=D("1500.00"))
    ActualFactory(grid=g["R2-A1-G1"], user=world.users["rep2"], amount=D("2500.00"))
    return world


def years(version, user_id=None):
    rows = TargetLine.objects.filter(version=version, period_kind=PeriodKind.YEAR)
    return {
        (line.grid.code + (f"/{line.user.username}" if line.user_id else "")): str(line.amount)
        for line in rows.select_related("grid", "user")
    }


def test_a_split_by_last_years_sales_with_a_lock_adds_up_everywhere(last_year):
    g = last_year.grids
    plan = TargetPlanFactory(reference_source=ReferenceSource.LAST_YEAR)
    services.target_unit_input_set(plan=plan, grid=g["R1-A1-G2"], lock=D("10000.00"))
    version = services.target_plan_split(plan=plan)
    # References: R1 = 3,000 + 1,000, R2 = 4,000 → 50,000 each; G2 locked at 10,000 so G1
    # gets the rest of R1-A1; reps get their grid × 100 % (the manager gets no rep row).
    assert years(version) == {
        "HQ": "100000.00",
        "R1": "50000.00",
        "R1-A1": "50000.00",
        "R1-A1-G1": "40000.00",
        "R1-A1-G1/rep": "40000.00",
        "R1-A1-G2": "10000.00",
        "R2": "50000.00",
        "R2-A1": "50000.00",
        "R2-A1-G1": "50000.00",
        "R2-A1-G1/rep2": "50000.00",
    }
    for grid_id, user_id in {(line.grid_id, line.user_id) for line in version.lines.all()}:
        unit = version.lines.filter(grid_id=grid_id, user_id=user_id)
        sums = {
            kind: sum(unit.filter(period_kind=kind).values_list("amount", flat=True))
            for kind in PeriodKind.values
        }
        assert len(set(sums.values())) == 1, sums
    g2 = version.lines.get(grid=g["R1-A1-G2"], user=None, period_kind=PeriodKind.YEAR)
    assert g2.lineage["method"] == "lock"
    g1 = version.lines.get(grid=g["R1-A1-G1"], user=None, period_kind=PeriodKind.YEAR)
    assert (g1.lineage["parent"], g1.lineage["locked_siblings"]) == ("R1-A1", "10000.00")
    # 2027 is beyond the holiday calendar: the version says so.
    assert "2027" in version.calendar_note
    # One audit record summarises the version (rows are bulk-written).
    change = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(version), object_id=version.pk
    ).get()
    assert change.after["parameters"]["rows"] == version.lines.count()


def test_an_impossible_lock_is_refused_naming_the_unit(last_year):
    plan = TargetPlanFactory()
    services.target_unit_input_set(plan=plan, grid=last_year.grids["R2-A1-G1"], lock=D("45000.00"))
    with pytest.raises(ValidationError) as exc:
        services.target_plan_split(plan=plan)
    assert "Locks of R2-A1-G1 add up to 45000.00, but R2-A1 has 50000.00" in str(exc.value)
    assert not plan.versions.exists()


def test_rep_shares_under_100_percent_leave_the_rest_at_the_grid(last_year):
    m = last_year.memberships["rep@R1-A1-G1"]
    m.share_pct = D("60.00")
    m.save()
    version = services.target_plan_split(plan=TargetPlanFactory())
    # G1 has 3,000 of 8,000 references: HQ 100,000 → R1 50,000 → G1 37,500; rep 60 %.
    assert years(version)["R1-A1-G1"] == "37500.00"
    assert years(version)["R1-A1-G1/rep"] == "22500.00"


def test_customer_count_is_a_reference(world):
    plan = TargetPlanFactory(total=D("900.00"), reference_source=ReferenceSource.CUSTOMER_COUNT)
    got = years(services.target_plan_split(plan=plan))
    # One customer in each of G1, G2, R2-A1-G1: R1 2 : R2 1.
    assert (got["R1"], got["R2"], got["R1-A1-G1"], got["R1-A1-G2"]) == (
        "600.00",
        "300.00",
        "300.00",
        "300.00",
    )


def test_status_moves_draft_submitted_approved_locked(world):
    plan = TargetPlanFactory()
    with pytest.raises(ValidationError, match="no version"):
        services.target_plan_submit(plan=plan)
    with pytest.raises(ValidationError, match="cannot become"):
        services.target_plan_approve(plan=plan)
    services.target_plan_split(plan=plan)
    services.target_plan_submit(plan=plan)
    with pytest.raises(ValidationError, match="Only a draft"):
        services.target_plan_split(plan=plan)
    services.target_plan_approve(plan=plan)
    services.target_plan_lock(plan=plan)
    assert plan.status == PlanStatus.LOCKED
    with pytest.raises(ValidationError):
        services.target_plan_reopen(plan=plan)
    with pytest.raises(ValidationError, match="locked plan"):
        services.target_plan_replan(plan=plan, as_of=datetime.date(2027, 7, 1))


def test_a_july_replan_keeps_the_past_and_spreads_what_is_left(last_year):
    g = last_year.grids
    plan = TargetPlanFactory(reference_source=ReferenceSource.LAST_YEAR)
    services.target_unit_input_set(plan=plan, grid=g["R1-A1-G2"], lock=D("10000.00"))
    v1 = services.target_plan_split(plan=plan)
    ActualFactory(grid=g["R1-A1-G1"], amount=D("15000.00"), date=datetime.date(2027, 3, 9))
    ActualFactory(grid=g["R1-A1-G1"], amount=D("99.00"), date=datetime.date(2027, 7, 2))
    v2 = services.target_plan_replan(plan=plan, as_of=datetime.date(2027, 7, 15))
    assert v2.number == v1.number + 1
    months = dict(
        v2.lines.filter(grid=g["R1-A1-G1"], user=None, period_kind=PeriodKind.MONTH).values_list(
            "period", "amount"
        )
    )
    # v1: 40,000.00 flat = 3,333.34 × 4 + 3,333.33 × 8; January–June keep theirs
    # (20,000.02). Actual to June: 15,000 → 25,000.00 over six months: 4,166.67 × 4 +
    # 4,166.66 × 2. The July sale is after the cut-off and does not count.
    assert [str(months[f"2027-{m:02d}"]) for m in range(1, 13)] == (
        ["3333.34"] * 4 + ["3333.33"] * 2 + ["4166.67"] * 4 + ["4166.66"] * 2
    )
    assert years(v2)["R1-A1-G1"] == "45000.02"
    weeks = v2.lines.filter(grid=g["R1-A1-G1"], user=None, period_kind=PeriodKind.WEEK)
    assert sum(weeks.values_list("amount", flat=True)) == D("45000.02")
    diff = selectors.version_diff(last_year.users["director"], v1, v2)
    changed = {(d["grid"], d["user"], d["period"]) for d in diff}
    assert ("R1-A1-G1", "", "2027-07") in changed and ("R1-A1-G1", "", "2027-01") not in changed


def test_bottom_up_proposals_are_compared_and_reconciled(last_year):
    g = last_year.grids
    plan = TargetPlanFactory()
    services.target_plan_split(plan=plan)
    proposal = services.target_proposal_submit(
        plan=plan, grid=g["R1-A1-G1"], amount=D("45000.00"), user=last_year.users["gridmanager"]
    )
    (row,) = selectors.bottom_up_compare(last_year.users["director"], plan)
    assert (row["top_down"], row["bottom_up"], row["gap"]) == (
        D("37500.00"),
        D("45000.00"),
        D("7500.00"),
    )
    services.target_proposal_accept(proposal=proposal)
    assert proposal.status == ProposalStatus.ACCEPTED
    assert TargetUnitInput.objects.get(plan=plan, grid=g["R1-A1-G1"]).lock == D("45000.00")
    v2 = services.target_plan_split(plan=plan)
    assert years(v2)["R1-A1-G1"] == "45000.00"
    assert years(v2)["R1-A1-G2"] == "5000.00"


def test_attainment_reports_actual_percent_gap_and_run_rate(last_year):
    g = last_year.grids
    plan = TargetPlanFactory(reference_source=ReferenceSource.LAST_YEAR, seasonality=[1] * 12)
    version = services.target_plan_split(plan=plan)
    ActualFactory(grid=g["R1-A1-G1"], amount=D("1000.00"), date=datetime.date(2027, 1, 10))
    rows = selectors.attainment(
        last_year.users["director"], version, "2027-01", datetime.date(2027, 1, 10)
    )
    g1 = next(r for r in rows if r["unit"] == "R1-A1-G1" and not r["user"])
    # G1's year 37,500.00 flat → January 3,125.00; 1,000 by the 10th of 31 days → 3,100.00.
    assert (g1["target"], g1["actual"], g1["pct"], g1["gap"], g1["forecast"]) == (
        D("3125.00"),
        D("1000.00"),
        D("32.0"),
        D("2125.00"),
        D("3100.00"),
    )
    r1 = next(r for r in rows if r["unit"] == "R1")
    assert r1["actual"] == D("1000.00")  # the region rolls up its grids


def test_reps_see_only_their_own_rows_and_their_grids(last_year):
    version = services.target_plan_split(plan=TargetPlanFactory())
    _keys, rows = selectors.matrix(last_year.users["rep"], version)
    assert {(r.grid_code, r.username) for r in rows} == {("R1-A1-G1", ""), ("R1-A1-G1", "rep")}
    _keys, rows = selectors.matrix(last_year.users["gridmanager"], version)
    assert {(r.grid_code, r.username) for r in rows} == {("R1-A1-G1", ""), ("R1-A1-G1", "rep")}
    _keys, rows = selectors.matrix(last_year.users["regional"], version)
    assert {r.grid_code for r in rows} == {"R1", "R1-A1", "R1-A1-G1", "R1-A1-G2"}
    _keys, rows = selectors.matrix(last_year.users["outsider"], version)
    assert rows == []
