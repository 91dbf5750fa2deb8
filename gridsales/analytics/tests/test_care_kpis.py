"""Lead conversion, visit coverage and overdue contacts on kpi_world (docs/kpis.md)."""

import pytest
from django.utils import timezone, translation

from gridsales.analytics.kpi import period_containing
from gridsales.analytics.tests.factories import kpi_world
from gridsales.care.tests.factories import CadencePolicyFactory
from gridsales.customers.models import Customer
from gridsales.customers.services import customer_update
from gridsales.customers.tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


@pytest.fixture
def facts(world):
    CadencePolicyFactory(tier="A", interval_days=30)
    made = kpi_world(world)
    CustomerFactory(code="CUS-NEW", current_grid=world.grids["R1-A1-G2"])
    return made


def rows(api, **params):
    response = api("admin").get("/api/v1/kpis/", params)
    assert response.status_code == 200, response.content
    return response.json()["rows"]


def test_lead_conversion_is_the_share_of_the_cohort_that_bought_or_won(api, facts):
    # Created today: CUS-G1 and CUS-R2 as active customers (not leads: not in the cohort),
    # CUS-G2, CUS-NOGRID (in no grid) and CUS-NEW as leads. CUS-G2 has orders by now,
    # CUS-NEW none, even after it was moved on to prospect.
    customer_update(customer=Customer.objects.get(code="CUS-NEW"), status="prospect")
    this_month = period_containing("month", timezone.localdate()).label
    got = rows(api, period=this_month, grid="HQ", group_by="child", metrics="lead_conversion")
    assert got == [
        {"grid": "R1", "lead_conversion": "0.5000"},
        {"grid": "R2", "lead_conversion": None},
    ]
    assert rows(api, period="2026-03", grid="HQ", metrics="lead_conversion") == [
        {"grid": "HQ", "lead_conversion": None}
    ]


def test_a_customer_created_as_a_lead_stays_in_its_cohort_after_its_status_changes(api, facts):
    # CUS-R2 bought; had it been created as a lead, R2 would convert 1 of 1.
    this_month = period_containing("month", timezone.localdate()).label
    Customer.objects.filter(code="CUS-R2").update(status="lead")
    r2 = Customer.objects.get(code="CUS-R2")
    r2.status_changes.update(status="lead")
    customer_update(customer=r2, status="active")
    got = rows(api, period=this_month, grid="R2", metrics="lead_conversion")
    assert got == [{"grid": "R2", "lead_conversion": "1.0000"}]
    assert list(r2.status_changes.values_list("previous", "status")) == [
        ("", "lead"),
        ("lead", "active"),
    ]


def test_visit_coverage_counts_active_customers_contacted_within_their_interval(api, facts):
    # Active in March: CUS-G1 (tier A, visited 03-31 23:30), CUS-R2 (tier A, never
    # contacted) and CUS-G2 (tier B: no policy, not counted).
    got = rows(api, period="2026-03", grid="HQ", group_by="leaf", metrics="visit_coverage")
    assert got == [
        {"grid": "R1-A1-G1", "visit_coverage": "1.0000"},
        {"grid": "R1-A1-G2", "visit_coverage": None},
        {"grid": "R2-A1-G1", "visit_coverage": "0.0000"},
    ]
    assert rows(api, period="2026-03", grid="HQ", metrics="visit_coverage") == [
        {"grid": "HQ", "visit_coverage": "0.5000"}
    ]


def test_overdue_contacts_at_the_end_of_the_period(api, facts):
    # At the end of this month CUS-G1's last contact (04-01) is older than 30 days;
    # CUS-R2 was created today.
    this_month = period_containing("month", timezone.localdate()).label
    got = rows(api, period=this_month, grid="HQ", group_by="rep", metrics="overdue_contacts")
    assert got == [
        {"grid": "HQ", "rep": "rep", "overdue_contacts": 1},
        {"grid": "HQ", "rep": "rep2", "overdue_contacts": 0},
    ]
    assert rows(api, period="2026-03", grid="HQ", metrics="overdue_contacts") == [
        {"grid": "HQ", "overdue_contacts": 0}
    ]


def test_customers_without_owner_make_a_rep_row_without_rep(api, facts):
    # The leads in HQ: CUS-G2 (no owner, bought) and CUS-NEW (no owner, did not); the
    # reps' customers in HQ were created active, and CUS-NOGRID is in no grid.
    this_month = period_containing("month", timezone.localdate()).label
    got = rows(api, period=this_month, grid="HQ", group_by="rep", metrics="lead_conversion")
    assert got == [{"grid": "HQ", "rep": None, "lead_conversion": "0.5000"}]


def test_each_request_reads_the_customers_afresh(api, facts, world):
    # The customers of a scope and their intervals are read once per request: a change
    # between two requests shows in the second. CUS-G1 moves to tier B (no policy here).
    this_month = period_containing("month", timezone.localdate()).label
    before = rows(api, period=this_month, grid="R1-A1-G1", metrics="overdue_contacts")
    assert before == [{"grid": "R1-A1-G1", "overdue_contacts": 1}]
    customer_update(customer=Customer.objects.get(code="CUS-G1"), tier="B")
    after = rows(api, period=this_month, grid="R1-A1-G1", metrics="overdue_contacts")
    assert after == [{"grid": "R1-A1-G1", "overdue_contacts": 0}]
