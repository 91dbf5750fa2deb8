"""The due/overdue list: order, state toggle, filters, summaries by grid and rep, exports,
the API, the grid page's overdue badge, and query counts that do not grow with rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.utils import timezone

from gridsales.accounts.models import User
from gridsales.activities.models import Activity
from gridsales.care.contact_lists import contact_listing
from gridsales.care.selectors import summary_by_grid, summary_by_rep
from gridsales.care.tests.factories import CadencePolicyFactory
from gridsales.customers.models import Customer
from gridsales.customers.tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def days_ago(n: int) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=n)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(11)))


def contacted(customer, n: int) -> None:
    Activity.objects.create(
        type="call",
        status="done",
        subject="电话",
        customer=customer,
        owner_id=customer.owner_id or User.objects.get(username="rep").pk,
        done_at=days_ago(n),
    )


@pytest.fixture
def cadence(world):
    """A every 14 days, B every 30, C every 60. Today: CUS-G2 is 10 days overdue, CUS-G1 6,
    CUS-NOGRID 1; CUS-R2 is due in 4 days."""
    for tier, days in (("A", 14), ("B", 30), ("C", 60)):
        CadencePolicyFactory(tier=tier, interval_days=days)
    c = world.customers
    for code, age in (("CUS-G1", 100), ("CUS-G2", 40), ("CUS-R2", 100), ("CUS-NOGRID", 61)):
        Customer.objects.filter(pk=c[code].pk).update(created_at=days_ago(age))
    contacted(c["CUS-G1"], 20)
    contacted(c["CUS-R2"], 10)
    return world


def client_for(world, persona) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def listed(world, persona="admin", **params) -> list[tuple[str, str, int]]:
    listing = contact_listing(user=world.users[persona], params=params)
    return [(r.code, r.state, r.overdue_days) for r in listing.shown]


def test_the_list_shows_the_most_overdue_first_and_due_ones_on_request(cadence):
    assert listed(cadence) == [
        ("CUS-G2", "overdue", 10),
        ("CUS-G1", "overdue", 6),
        ("CUS-NOGRID", "overdue", 1),
    ]
    assert listed(cadence, state="all")[-1] == ("CUS-R2", "due", 0)
    assert listed(cadence, state="due") == [("CUS-R2", "due", 0)]


def test_the_list_filters_by_grid_subtree_rep_and_tier(cadence):
    assert [c for c, _s, _d in listed(cadence, grid="R1")] == ["CUS-G2", "CUS-G1"]
    assert [c for c, _s, _d in listed(cadence, owner="rep2", state="all")] == ["CUS-R2"]
    assert [c for c, _s, _d in listed(cadence, tier=["B", "C"])] == ["CUS-G2", "CUS-NOGRID"]
    # A rep sees its grid's customers and the ones it owns; never another grid's.
    assert [c for c, _s, _d in listed(cadence, "rep", state="all")] == ["CUS-G1", "CUS-NOGRID"]
    assert listed(cadence, "rep", grid="R2") == []


def test_lost_customers_and_tiers_without_a_policy_are_not_listed(cadence):
    Customer.objects.filter(code="CUS-G2").update(status="lost")
    Customer.objects.filter(code="CUS-G1").update(tier="D")
    assert [c for c, _s, _d in listed(cadence)] == ["CUS-NOGRID"]


def tallies(rows) -> list[tuple[str, int, int, int]]:
    return [(t.code or t.label, t.on_cadence, t.overdue, t.due) for t in rows]


def test_the_summaries_count_by_child_grid_and_by_rep(cadence):
    admin = cadence.users["admin"]
    listing = contact_listing(user=admin, params={})
    assert tallies(summary_by_grid(listing.rows, user=admin, parent=cadence.grids["HQ"])) == [
        ("R1", 2, 2, 0),
        ("R2", 1, 0, 1),
        ("Without grid", 1, 1, 0),
    ]
    assert tallies(summary_by_grid(listing.rows, user=admin, parent=cadence.grids["R1-A1"])) == [
        ("R1-A1-G1", 1, 1, 0),
        ("R1-A1-G2", 1, 1, 0),
        ("Without grid", 1, 1, 0),
    ]
    assert tallies(summary_by_rep(listing.rows)) == [
        ("rep", 2, 2, 0),
        ("rep2", 1, 0, 1),
        ("No owner", 1, 1, 0),
    ]


def test_the_page_shows_the_summaries_of_the_chosen_grid(cadence):
    html = (
        client_for(cadence, "regional").get("/care/contacts/", {"grid": "R1-A1"}).content.decode()
    )
    by_grid = html.split('data-testid="by-grid"')[1].split("</table>")[0]
    assert "R1-A1-G1" in by_grid and "R1-A1-G2" in by_grid and "R2" not in by_grid
    table = html.split('data-testid="contact-table"')[1].split("</table>")[0]
    assert table.index("CUS-G2") < table.index("CUS-G1")
    assert "CUS-NOGRID" not in table


def test_the_page_and_the_api_use_a_fixed_number_of_queries(cadence, django_assert_max_num_queries):
    grid = cadence.grids["R1-A1-G2"]
    Customer.objects.bulk_create(
        Customer(code=f"BULK-{i:03d}", name=f"批量{i}", tier="A", current_grid=grid)
        for i in range(60)
    )
    Customer.objects.filter(code__startswith="BULK").update(created_at=days_ago(30))
    for persona in ("admin", "regional"):
        client = client_for(cadence, persona)
        # session, user, (memberships), grid filter, the grid, policies, customers, the
        # summary's parent children and grids — never one per row.
        with django_assert_max_num_queries(10):
            response = client.get("/care/contacts/", {"grid": "R1", "page_size": 100})
        assert response.status_code == 200
        with django_assert_max_num_queries(8):
            body = client.get("/api/v1/contact-status/", {"page_size": 100}).json()
        assert body["count"] >= 62


def test_the_csv_export_has_the_filtered_rows_in_list_order(cadence):
    response = client_for(cadence, "director").get(
        "/export/contact-status.csv", {"grid": "R1", "state": "all"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    due_g2 = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    assert rows[0] == [
        "customer",
        "name",
        "tier",
        "owner",
        "grid",
        "interval_days",
        "last_contact",
        "due_on",
        "state",
        "overdue_days",
    ]
    assert rows[1] == [
        "CUS-G2",
        "客户 CUS-G2",
        "B",
        "",
        "R1-A1-G2",
        "30",
        "",
        due_g2,
        "overdue",
        "10",
    ]
    assert [r[0] for r in rows[1:]] == ["CUS-G2", "CUS-G1"]
    xlsx = client_for(cadence, "director").get("/export/contact-status.xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_api_lists_overdue_and_due_with_every_field(cadence, api):
    body = api("rep").get("/api/v1/contact-status/").json()
    last = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    assert body["count"] == 2
    assert body["results"][0] == {
        "customer": cadence.customers["CUS-G1"].pk,
        "code": "CUS-G1",
        "name": "客户 CUS-G1",
        "tier": "A",
        "owner": "rep",
        "grid": "R1-A1-G1",
        "interval_days": 14,
        "last_contact": last,
        "due_on": (timezone.localdate() - dt.timedelta(days=6)).isoformat(),
        "state": "overdue",
        "overdue_days": 6,
    }
    admin = api("admin")
    codes = [
        r["code"] for r in admin.get("/api/v1/contact-status/", {"state": "due"}).json()["results"]
    ]
    assert codes == ["CUS-R2"]
    codes = [
        r["code"]
        for r in admin.get("/api/v1/contact-status/", {"grid": "R2", "owner": "rep2"}).json()[
            "results"
        ]
    ]
    assert codes == ["CUS-R2"]
    assert admin.get("/api/v1/contact-status/", {"state": "late"}).status_code == 400
    one = admin.get(f"/api/v1/contact-status/{cadence.customers['CUS-G2'].pk}/").json()
    assert (one["state"], one["overdue_days"]) == ("overdue", 10)


def test_the_grid_page_shows_its_overdue_count_linking_to_the_list(
    cadence, django_assert_max_num_queries
):
    client = client_for(cadence, "admin")
    r1 = cadence.grids["R1"]
    html = client.get(f"/grids/{r1.pk}/").content.decode()
    assert 'href="/care/contacts/?grid=R1"' in html and "Overdue contacts: 2" in html
    with django_assert_max_num_queries(30) as baseline:
        client.get(f"/grids/{r1.pk}/")
    for i in range(40):
        CustomerFactory(code=f"MORE-{i}", tier="A", current_grid=cadence.grids["R1-A1-G1"])
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = client.get(f"/grids/{r1.pk}/").content.decode()
    assert "Overdue contacts: 2" in html  # the new customers are not due yet


def test_the_badge_include_tells_the_state(cadence):
    from django.template.loader import render_to_string

    from gridsales.care.cadence import contact_status

    html = render_to_string(
        "care/_contact_status_badge.html", {"status": contact_status(cadence.customers["CUS-G2"])}
    )
    assert 'data-state="overdue"' in html and "days overdue: 10" in html
    html = render_to_string(
        "care/_contact_status_badge.html", {"status": contact_status(cadence.customers["CUS-R2"])}
    )
    due = (timezone.localdate() + dt.timedelta(days=4)).isoformat()
    assert 'data-state="due"' in html and f"Contact due {due}" in html
    assert render_to_string("care/_contact_status_badge.html", {"status": None}).strip() == ""


def test_the_databases_overdue_count_agrees_with_the_statuses(world, django_assert_num_queries):
    """overdue_count (one COUNT) and contact_statuses (computed in Python) apply the same
    precedence and the same day boundaries, on random customers, contacts and policies."""
    import random

    from gridsales.care.cadence import State, contact_statuses, overdue_count

    rnd = random.Random(7)
    g = world.grids
    for tier, grid, industry, days in (
        ("A", None, "", 14),
        ("A", g["R1"], "", 9),
        ("A", g["R1-A1-G1"], "", 5),
        ("A", g["R1"], "银行", 3),
        ("B", None, "银行", 20),
        ("B", g["R2"], "", 40),
        ("C", None, "", 60),
    ):
        CadencePolicyFactory(tier=tier, grid=grid, industry=industry, interval_days=days)
    places = [g["R1-A1-G1"], g["R1-A1-G2"], g["R2-A1-G1"], g["R1"], None]
    for i in range(120):
        customer = CustomerFactory(
            code=f"RND-{i}",
            tier=rnd.choice("ABCD"),
            industry=rnd.choice(["", "银行", "零售"]),
            current_grid=rnd.choice(places),
            status=rnd.choice(["active", "active", "lead", "lost"]),
        )
        Customer.objects.filter(pk=customer.pk).update(created_at=days_ago(rnd.randint(0, 90)))
        for _ in range(rnd.randint(0, 2)):
            contacted(customer, rnd.randint(0, 70))
    on = timezone.localdate()
    for day in (on, on + dt.timedelta(days=3), on - dt.timedelta(days=10)):
        for qs in (Customer.objects.all(), Customer.objects.filter(current_grid=g["R1-A1-G1"])):
            expected = sum(1 for s in contact_statuses(qs, on=day) if s.state == State.OVERDUE)
            assert overdue_count(qs, on=day) == expected
    assert expected > 0
    with django_assert_num_queries(2):
        overdue_count(Customer.objects.all())
