"""Months fixed by hand in the matrix: the service (a new version, to the fen), the htmx
cell edit and the API action, with their permissions (editors of a draft plan only)."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from gridsales.conftest import PERSONAS
from gridsales.targets import selectors, services
from gridsales.targets.choices import VersionKind
from gridsales.targets.models import PeriodKind, TargetLine
from gridsales.targets.tests.factories import TargetPlanFactory

MONTHS = [f"2027-{m:02d}" for m in range(1, 13)]


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def plan(world):
    # Seasonality 1..12 (sum 78) so the re-spread is visibly by weight.
    plan = TargetPlanFactory(
        code="FY2027", name="2027 年度目标", level_methods=["equal"], seasonality=list(range(1, 13))
    )
    services.target_plan_split(plan=plan)
    return plan


def cells(version, grid, user=None, kind=PeriodKind.MONTH) -> dict[str, D]:
    rows = TargetLine.objects.filter(version=version, grid=grid, user=user, period_kind=kind)
    return {line.period: line.amount for line in rows}


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_a_fixed_month_keeps_the_year_and_re_spreads_the_others_by_seasonality(world, plan):
    g2 = world.grids["R1-A1-G2"]
    v1 = plan.latest_version()
    year = cells(v1, g2, kind=PeriodKind.YEAR)["2027"]
    director = world.users["director"]
    v2 = services.target_plan_fix_month(
        plan=plan, grid=g2, month="2027-01", amount=D("1000.00"), user=director
    )
    assert (v2.number, v2.kind, v2.total) == (2, VersionKind.MANUAL, v1.total)
    months = cells(v2, g2)
    assert months["2027-01"] == D("1000.00")
    assert sum(months.values()) == year == cells(v2, g2, kind=PeriodKind.YEAR)["2027"]
    # The other months by weights 2..12 (sum 77), to the fen (largest remainder).
    rest = int((year - D("1000.00")) * 100)
    for w, key in zip(range(2, 13), MONTHS[1:], strict=True):
        assert abs(months[key] * 100 - D(rest * w) / 77) < 1
    assert sum(cells(v2, g2, kind=PeriodKind.WEEK).values()) == year
    assert sum(cells(v2, g2, kind=PeriodKind.QUARTER).values()) == year
    # Every other unit is copied unchanged.
    g1 = world.grids["R1-A1-G1"]
    for kind in (PeriodKind.YEAR, PeriodKind.MONTH, PeriodKind.WEEK):
        assert cells(v2, g1, kind=kind) == cells(v1, g1, kind=kind)
    assert TargetLine.objects.filter(version=v2).count() == v1.lines.count()


def test_the_lineage_says_fixed_by_hand_and_a_second_fix_keeps_the_first(world, plan):
    g2 = world.grids["R1-A1-G2"]
    director = world.users["director"]
    services.target_plan_fix_month(
        plan=plan, grid=g2, month="2027-01", amount=D("1000.00"), user=director
    )
    v3 = services.target_plan_fix_month(
        plan=plan, grid=g2, month="2027-12", amount=D("0.00"), user=director
    )
    months = cells(v3, g2)
    assert (months["2027-01"], months["2027-12"]) == (D("1000.00"), D("0.00"))
    line = TargetLine.objects.get(version=v3, grid=g2, user=None, period="2027-01")
    assert line.lineage == {"method": "fixed", "amount": "1000.00", "by": "director", "version": 2}
    info = selectors.cell_lineage(director, line)
    assert info["cell_lineage"]["method"] == "fixed"
    assert info["unit_lineage"]["fixed_months"] == {"2027-01": "1000.00", "2027-12": "0.00"}
    assert info["unit_lineage"]["method"] == "equal"  # the split's lineage is kept


def test_fixed_months_above_the_year_are_refused_naming_unit_and_month(world, plan):
    g2 = world.grids["R1-A1-G2"]
    year = cells(plan.latest_version(), g2, kind=PeriodKind.YEAR)["2027"]
    with pytest.raises(ValidationError) as exc:
        services.target_plan_fix_month(plan=plan, grid=g2, month="2027-03", amount=year + 1)
    assert exc.value.messages == [
        f"Unit R1-A1-G2: the months fixed by hand (2027-03) add up to {year + 1}, more than"
        f" the year's {year}; the other months would have to be negative."
    ]
    assert plan.versions.count() == 1


def test_only_leaf_units_and_draft_plans_take_fixed_months(world, plan):
    with pytest.raises(ValidationError) as exc:
        services.target_plan_fix_month(
            plan=plan, grid=world.grids["R1-A1-G1"], month="2027-01", amount=D("1.00")
        )
    assert "only on a rep or a grid without sub-grids or reps: R1-A1-G1 has them" in str(exc.value)
    with pytest.raises(ValidationError):
        services.target_plan_fix_month(
            plan=plan, grid=world.grids["R1"], month="2027-01", amount=D("1.00")
        )
    # A rep's row is a leaf.
    v2 = services.target_plan_fix_month(
        plan=plan,
        grid=world.grids["R1-A1-G1"],
        rep=world.users["rep"],
        month="2027-02",
        amount=D("5.00"),
    )
    assert cells(v2, world.grids["R1-A1-G1"], world.users["rep"])["2027-02"] == D("5.00")
    with pytest.raises(ValidationError) as exc:
        services.target_plan_fix_month(
            plan=plan, grid=world.grids["R1-A1-G2"], month="2026-12", amount=D("1.00")
        )
    assert "month 2026-12 is not in the plan year (2027-01 to 2027-12)" in str(exc.value)
    services.target_plan_submit(plan=plan)
    with pytest.raises(ValidationError):
        services.target_plan_fix_month(
            plan=plan, grid=world.grids["R1-A1-G2"], month="2027-01", amount=D("1.00")
        )
    assert plan.versions.count() == 2


# ------------------------------------------------------------------------ pages


def form_url(plan, world, grid="R1-A1-G2", month="2027-01"):
    return f"/targets/{plan.pk}/months/?grid={world.grids[grid].pk}&month={month}"


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_month_form_is_for_editors_of_the_plan(persona, world, plan):
    client = client_for(world, persona)
    expected = {"admin": 200, "director": 200, "outsider": 404}.get(persona, 403)
    assert client.get(form_url(plan, world)).status_code == expected
    response = client.post(
        f"/targets/{plan.pk}/months/",
        {"grid": world.grids["R1-A1-G2"].pk, "month": "2027-01", "amount": "10.00"},
    )
    assert response.status_code == (302 if expected == 200 else expected)
    assert plan.versions.count() == (2 if expected == 200 else 1)


def test_a_plan_past_draft_answers_403(world, plan):
    services.target_plan_submit(plan=plan)
    client = client_for(world, "director")
    assert client.get(form_url(plan, world)).status_code == 403
    response = client.post(
        f"/targets/{plan.pk}/months/",
        {"grid": world.grids["R1-A1-G2"].pk, "month": "2027-01", "amount": "10.00"},
    )
    assert response.status_code == 403
    assert plan.versions.count() == 1


def test_the_matrix_offers_the_cell_edit_on_leaf_rows_to_editors_only(world, plan):
    director = client_for(world, "director").get(f"/targets/{plan.pk}/matrix/")
    body = director.content.decode()
    g2, g1 = world.grids["R1-A1-G2"].pk, world.grids["R1-A1-G1"].pk
    assert f"?grid={g2}&amp;rep=&amp;month=2027-01" in body
    assert f"?grid={g1}&amp;rep=&amp;month=2027-01" not in body  # it has a rep
    assert f"?grid={g1}&amp;rep={world.users['rep'].pk}&amp;month=2027-01" in body
    assert body.count('data-testid="fix-month"') == 12 * 3  # G2, rep, rep2
    for persona in ("analyst", "regional", "rep"):
        page = client_for(world, persona).get(f"/targets/{plan.pk}/matrix/")
        assert 'data-testid="fix-month"' not in page.content.decode()
    weeks = client_for(world, "director").get(f"/targets/{plan.pk}/matrix/?kind=week")
    assert 'data-testid="fix-month"' not in weeks.content.decode()


def test_the_htmx_cell_edit_makes_a_version_and_the_matrix_marks_the_month(world, plan):
    client = client_for(world, "director")
    form = client.get(form_url(plan, world), HTTP_HX_REQUEST="true")
    assert 'data-testid="month-form"' in form.content.decode()
    response = client.post(
        f"/targets/{plan.pk}/months/",
        {"grid": world.grids["R1-A1-G2"].pk, "month": "2027-01", "amount": "10.00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"/targets/{plan.pk}/matrix/"
    page = client.get(f"/targets/{plan.pk}/matrix/").content.decode()
    assert page.count('title="Fixed by hand"') == 1
    line = TargetLine.objects.get(
        version__number=2, grid=world.grids["R1-A1-G2"], user=None, period="2027-01"
    )
    lineage = client.get(f"/targets/lines/{line.pk}/").content.decode()
    assert "Fixed by hand: 10.00 (by director, version 2)" in lineage


def test_an_impossible_amount_shows_the_message_in_the_form(world, plan):
    client = client_for(world, "director")
    response = client.post(
        f"/targets/{plan.pk}/months/",
        {"grid": world.grids["R1-A1-G2"].pk, "month": "2027-05", "amount": "99999999.00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Unit R1-A1-G2: the months fixed by hand (2027-05) add up to 99999999.00" in body
    assert plan.versions.count() == 1


# ------------------------------------------------------------------------ API


def test_the_api_fixes_a_rep_month_and_answers_the_new_version(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/months/",
        {"grid": "R1-A1-G1", "rep": "rep", "month": "2027-03", "amount": "7.00"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["number"], response.json()["kind"]) == (2, "manual")
    v2 = plan.latest_version()
    assert cells(v2, world.grids["R1-A1-G1"], world.users["rep"])["2027-03"] == D("7.00")


def test_the_api_refuses_a_parent_grid_with_a_message(world, plan, api):
    response = api("director").post(
        f"/api/v1/target-plans/{plan.pk}/months/",
        {"grid": "R1-A1", "month": "2027-03", "amount": "7.00"},
        format="json",
    )
    assert response.status_code == 400
    assert "R1-A1 has them" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_action_is_for_editors(persona, world, plan, api):
    response = api(persona).post(
        f"/api/v1/target-plans/{plan.pk}/months/",
        {"grid": "R1-A1-G2", "month": "2027-03", "amount": "7.00"},
        format="json",
    )
    assert response.status_code == {"admin": 200, "director": 200, "outsider": 404}.get(
        persona, 403
    )
