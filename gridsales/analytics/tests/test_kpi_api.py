"""GET /api/v1/kpis/: exact numbers for every KPI on kpi_world, groupings, periods,
growth, as recorded vs restated, scope per persona, and the messages for bad input."""

import pytest
from django.utils import translation

from gridsales.analytics.tests.factories import kpi_world
from gridsales.customers.services import customer_update

ALL = (
    "revenue,orders,avg_order_value,new_customers,active_customers,win_rate,lead_conversion,"
    "avg_cycle_days,median_cycle_days,pipeline_weighted,visits,calls,visit_coverage,"
    "overdue_contacts,csat,nps"
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def facts(world):
    return kpi_world(world)


def get(api, persona="admin", **params):
    response = api(persona).get("/api/v1/kpis/", params)
    return response


def rows(api, persona="admin", **params):
    response = get(api, persona, **params)
    assert response.status_code == 200, response.content
    return response.json()["rows"]


def test_every_kpi_of_the_company_for_a_month(api, facts):
    response = get(api, period="2026-03", grid="HQ", metrics=ALL)
    assert response.json() == {
        "period": "2026-03",
        "restated": False,
        "rows": [
            {
                "grid": "HQ",
                "revenue": "426.83",
                "orders": 4,
                "avg_order_value": "106.71",
                "new_customers": 2,
                "active_customers": 3,
                "win_rate": "0.6667",
                "lead_conversion": None,
                "avg_cycle_days": "15.0",
                "median_cycle_days": "15.0",
                "pipeline_weighted": "5000.00",
                "visits": 2,
                "calls": 1,
                "visit_coverage": None,
                "overdue_contacts": 0,
                "csat": "3.67",
                "nps": "0.0",
            }
        ],
    }


def test_children_are_recomputed_from_their_sums(api, facts):
    metrics = "revenue,orders,avg_order_value,new_customers,active_customers,csat,nps"
    assert rows(api, period="2026-03", grid="HQ", group_by="child", metrics=metrics) == [
        {
            "grid": "R1",
            "revenue": "346.83",
            "orders": 3,
            "avg_order_value": "115.61",
            "new_customers": 1,
            "active_customers": 2,
            "csat": "3.67",
            "nps": "0.0",
        },
        {
            "grid": "R2",
            "revenue": "80.00",
            "orders": 1,
            "avg_order_value": "80.00",
            "new_customers": 1,
            "active_customers": 1,
            "csat": None,
            "nps": None,
        },
    ]


def test_leaves_include_those_that_sold_nothing(api, facts):
    got = rows(api, period="2026-03", grid="HQ", group_by="leaf", metrics="revenue,csat,nps")
    assert got == [
        {"grid": "R1-A1-G1", "revenue": "146.83", "csat": "4.50", "nps": "50.0"},
        {"grid": "R1-A1-G2", "revenue": "200.00", "csat": "2.00", "nps": "-100.0"},
        {"grid": "R2-A1-G1", "revenue": "80.00", "csat": None, "nps": None},
    ]


def test_reps_are_credited_with_their_orders(api, facts):
    got = rows(api, period="2026-03", grid="HQ", group_by="rep", metrics="revenue,orders,visits")
    assert got == [
        {"grid": "HQ", "rep": "regional", "revenue": "200.00", "orders": 1, "visits": 0},
        {"grid": "HQ", "rep": "rep", "revenue": "146.83", "orders": 2, "visits": 2},
        {"grid": "HQ", "rep": "rep2", "revenue": "80.00", "orders": 1, "visits": 0},
    ]


def test_months_of_a_quarter(api, facts):
    got = rows(api, period="2026-Q1", grid="R1-A1-G1", group_by="month", metrics="revenue,orders")
    assert got == [
        {"grid": "R1-A1-G1", "month": "2026-01", "revenue": "0.00", "orders": 0},
        {"grid": "R1-A1-G1", "month": "2026-02", "revenue": "40.00", "orders": 1},
        {"grid": "R1-A1-G1", "month": "2026-03", "revenue": "146.83", "orders": 2},
    ]


def test_growth_against_the_previous_period_and_last_year(api, facts):
    got = rows(api, period="2026-03", grid="HQ", metrics="revenue,revenue_growth,revenue_yoy")
    assert got == [
        {"grid": "HQ", "revenue": "426.83", "revenue_growth": "9.6708", "revenue_yoy": None}
    ]


def test_days_and_iso_weeks(api, facts):
    assert rows(api, period="2026-03-20", grid="HQ", metrics="revenue,orders") == [
        {"grid": "HQ", "revenue": "-10.00", "orders": 0}
    ]
    assert rows(api, period="2026-W11", grid="HQ", metrics="revenue,orders,active_customers") == [
        {"grid": "HQ", "revenue": "108.50", "orders": 2, "active_customers": 2}
    ]
    response = get(api, period="2026-w11", grid="HQ", metrics="visits")
    assert response.json()["period"] == "2026-W11"


def test_a_quarter_and_a_year_count_each_customer_once(api, facts):
    assert rows(api, period="2026", grid="HQ", metrics="active_customers,new_customers") == [
        {"grid": "HQ", "active_customers": 3, "new_customers": 3}
    ]


def test_restated_counts_facts_in_todays_customer_grid(api, world, facts):
    customer_update(customer=world.customers["CUS-G1"], current_grid=world.grids["R2-A1-G1"])
    recorded = rows(api, period="2026-03", grid="HQ", group_by="child", metrics="revenue")
    assert recorded == [
        {"grid": "R1", "revenue": "346.83"},
        {"grid": "R2", "revenue": "80.00"},
    ]
    restated = rows(
        api, period="2026-03", grid="HQ", group_by="child", metrics="revenue", restated="1"
    )
    assert restated == [
        {"grid": "R1", "revenue": "200.00"},
        {"grid": "R2", "revenue": "226.83"},
    ]
    week = rows(
        api, period="2026-W11", grid="HQ", group_by="child", metrics="revenue", restated="1"
    )
    assert week == [{"grid": "R1", "revenue": "0.00"}, {"grid": "R2", "revenue": "108.50"}]


@pytest.mark.parametrize(
    "persona, grid, status, revenue",
    [
        ("admin", "HQ", 200, "426.83"),
        ("director", "HQ", 200, "426.83"),
        ("analyst", "HQ", 200, "426.83"),
        ("finance", "HQ", 200, "426.83"),
        ("regional", "R1", 200, "346.83"),
        ("regional", "HQ", 404, None),
        ("regional", "R2", 404, None),
        ("gridmanager", "R1-A1-G1", 200, "146.83"),
        ("gridmanager", "R1", 404, None),
        ("rep", "R1-A1-G1", 200, "146.83"),
        ("rep", "R1-A1-G2", 404, None),
        ("rep2", "R2-A1-G1", 200, "80.00"),
        ("rep2", "R1-A1-G1", 404, None),
        ("outsider", "R1-A1-G1", 404, None),
    ],
)
def test_each_persona_sees_only_grids_in_scope(api, facts, persona, grid, status, revenue):
    response = get(api, persona, period="2026-03", grid=grid, metrics="revenue")
    assert response.status_code == status
    if revenue is not None:
        assert response.json()["rows"] == [{"grid": grid, "revenue": revenue}]
    else:
        assert response.json() == {"detail": f"No grid with the code “{grid}” among yours."}


@pytest.mark.parametrize(
    "persona, grid",
    [("admin", "HQ"), ("regional", "R1"), ("gridmanager", "R1-A1-G1"), ("rep2", "R2-A1-G1")],
)
def test_without_a_grid_the_top_of_ones_grids_is_used(api, facts, persona, grid):
    assert rows(api, persona, period="2026-03", metrics="orders")[0]["grid"] == grid


def test_someone_without_grids_must_name_one(api, facts):
    response = get(api, "outsider", period="2026-03")
    assert response.status_code == 400
    assert response.json() == {"grid": ["Give a grid code: you see several grids or none."]}


def test_anonymous_callers_are_refused(client, facts):
    assert client.get("/api/v1/kpis/").status_code in (401, 403)


@pytest.mark.parametrize(
    "params, field, message",
    [
        (
            {"period": "2026-13"},
            "period",
            "“2026-13” is not a period. Use 2026-03-05 (day), 2026-W09 (ISO week), "
            "2026-03 (month), 2026-Q1 (quarter) or 2026 (year).",
        ),
        (
            {"period": "March"},
            "period",
            "“March” is not a period. Use 2026-03-05 (day), 2026-W09 (ISO week), "
            "2026-03 (month), 2026-Q1 (quarter) or 2026 (year).",
        ),
        (
            {"group_by": "region"},
            "group_by",
            "Unknown grouping “region”. Use child, leaf, rep or month.",
        ),
        (
            {"metrics": "revenue,profit"},
            "metrics",
            "Unknown metric “profit”. Choose among: revenue, orders, avg_order_value, "
            "new_customers, active_customers, win_rate, lead_conversion, avg_cycle_days, "
            "median_cycle_days, pipeline_weighted, visits, calls, visit_coverage, "
            "overdue_contacts, csat, nps, target, attainment.",
        ),
        ({"restated": "yes"}, "restated", "restated must be 1 or 0, not “yes”."),
    ],
)
def test_bad_parameters_say_what_to_fix(api, facts, params, field, message):
    response = get(api, grid="HQ", **params)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_the_query_count_does_not_grow_with_the_grids(api, facts, django_assert_max_num_queries):
    with django_assert_max_num_queries(36):
        rows(api, period="2026-03", grid="HQ", group_by="leaf", metrics=ALL)


def test_target_and_attainment_come_from_the_latest_approved_revenue_plan(api, world, facts):
    from decimal import Decimal as D

    from gridsales.targets.models import TargetLine, TargetPlan, TargetPlanVersion

    plan = TargetPlan.objects.create(
        code="FY2026", name="2026", year=2026, total=D("12000"), status="approved"
    )
    old = TargetPlanVersion.objects.create(plan=plan, number=1, kind="split", total=D("1"))
    new = TargetPlanVersion.objects.create(plan=plan, number=2, kind="replan", total=D("1"))
    g, u = world.grids, world.users
    TargetLine.objects.create(
        version=old, grid=g["HQ"], period_kind="month", period="2026-03", amount=D("1")
    )
    for grid, user, amount in (
        ("HQ", None, "1000.00"),
        ("R1", None, "600.00"),
        ("R2", None, "400.00"),
        ("R1-A1-G1", "rep", "100.00"),
    ):
        TargetLine.objects.create(
            version=new,
            grid=g[grid],
            user=u.get(user),
            period_kind="month",
            period="2026-03",
            amount=D(amount),
        )
    metrics = "revenue,target,attainment"
    assert rows(api, period="2026-03", grid="HQ", metrics=metrics) == [
        {"grid": "HQ", "revenue": "426.83", "target": "1000.00", "attainment": "0.4268"}
    ]
    assert rows(api, period="2026-03", grid="HQ", group_by="child", metrics=metrics) == [
        {"grid": "R1", "revenue": "346.83", "target": "600.00", "attainment": "0.5781"},
        {"grid": "R2", "revenue": "80.00", "target": "400.00", "attainment": "0.2000"},
    ]
    by_rep = rows(api, period="2026-03", grid="HQ", group_by="rep", metrics=metrics)
    assert by_rep == [
        {"grid": "HQ", "rep": "regional", "revenue": "200.00", "target": None, "attainment": None},
        {
            "grid": "HQ",
            "rep": "rep",
            "revenue": "146.83",
            "target": "100.00",
            "attainment": "1.4683",
        },
        {"grid": "HQ", "rep": "rep2", "revenue": "80.00", "target": None, "attainment": None},
    ]
    assert rows(api, period="2026-04", grid="HQ", metrics=metrics) == [
        {"grid": "HQ", "revenue": "0.00", "target": None, "attainment": None}
    ]
    # By leaf, the inner grids' own targets (HQ, R1, R2) make no rows: only leaves are rows.
    by_leaf = rows(api, period="2026-03", grid="HQ", group_by="leaf", metrics="target")
    assert by_leaf == [
        {"grid": "R1-A1-G1", "target": None},
        {"grid": "R1-A1-G2", "target": None},
        {"grid": "R2-A1-G1", "target": None},
    ]
