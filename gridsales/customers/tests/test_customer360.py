"""The customer 360 page: key figures to the fen, the merged timeline and its cursor, tabs,
quick actions, needs, and the permission matrix over every persona."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from gridsales.activities.choices import ActivityStatus, CheckInFlag
from gridsales.care.models import CadencePolicy
from gridsales.conftest import PERSONAS
from gridsales.core.io.runner import run_import
from gridsales.customers import customer360, customer360_timeline
from gridsales.customers.models import Customer
from gridsales.customers.tests.history360 import (
    CONFIRMED,
    at,
    make_activity,
    make_deal,
    make_history,
    make_order,
    make_stages,
    make_survey,
)
from gridsales.sales.models import Order


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the page in English: pin the language (the default is zh-hans)."""
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


READ_ALL = ("admin", "director", "analyst", "finance")
ALL_CUSTOMERS = {"CUS-G1", "CUS-G2", "CUS-R2", "CUS-NOGRID"}
VISIBLE = {
    **{p: ALL_CUSTOMERS for p in READ_ALL},
    "regional": {"CUS-G1", "CUS-G2"},
    "gridmanager": {"CUS-G1"},
    "rep": {"CUS-G1", "CUS-NOGRID"},
    "rep2": {"CUS-R2"},
    "outsider": set(),
}


def client_for(world, persona: str) -> Client:
    client = Client()
    client.force_login(world.users[persona])
    return client


def page_url(customer, **query) -> str:
    return customer360.link("customers:detail", customer.pk, **query)


def shown(html: str) -> list[tuple[str, int]]:
    """The timeline items of a page, in the order shown."""
    return [(k, int(pk)) for k, pk in re.findall(r'data-kind="(\w+)" data-pk="(\d+)"', html)]


@pytest.fixture
def stages(db):
    return make_stages()


@pytest.fixture
def history(world, stages):
    """{customer code: {(kind, pk)}} of every event of every customer; CUS-G1 has a month
    of everything (history360.make_history)."""
    return make_history(world, stages)


# -- permissions ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_page_answers_200_in_the_scope_and_404_outside_it(world, history, persona):
    client = client_for(world, persona)
    for code, customer in world.customers.items():
        expected = 200 if code in VISIBLE[persona] else 404
        assert client.get(page_url(customer)).status_code == expected, code
        more = client.get(page_url(customer, kind="order"), HTTP_HX_REQUEST="true")
        assert more.status_code == expected, code


def test_anonymous_visitors_are_sent_to_the_login_page(world):
    response = Client().get(page_url(world.customers["CUS-G1"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_timeline_shows_every_event_of_the_customer_and_none_of_another(
    world, history, persona
):
    client = client_for(world, persona)
    for code in VISIBLE[persona]:
        html = client.get(page_url(world.customers[code])).content.decode()
        assert set(shown(html)) == history[code], code


def test_a_rep_sees_an_order_of_their_customer_recorded_elsewhere_for_another_rep(world, history):
    html = client_for(world, "rep").get(page_url(world.customers["CUS-G1"])).content.decode()
    order = Order.objects.get(number="SO-3")
    assert ("order", order.pk) in shown(html)
    assert f"Credited to {world.users['rep2']}" in html


# -- key figures ------------------------------------------------------------------------------


def test_lifetime_revenue_counts_live_lines_less_returns_to_the_fen(world, history):
    figures = customer360.key_figures(world.customers["CUS-G1"], world.users["rep"])
    # 1000.10 + 300.33 − 100.11 + 0.01; the cancelled lines (200.05, 999) count for nothing.
    assert figures.revenue == D("1200.33")
    assert figures.returned == D("100.11")
    assert figures.orders == 3  # SO-4 is wholly cancelled
    assert figures.last_order.number == "SO-3"


def test_open_pipeline_sums_open_deals_and_weighs_them_by_stage_probability(world, history):
    figures = customer360.key_figures(world.customers["CUS-G1"], world.users["gridmanager"])
    # 1000.00 × 30 % + 333.33 × 10 % = 333.333 → 333.33; won and lost deals are closed.
    assert (figures.pipeline_count, figures.pipeline_amount, figures.pipeline_weighted) == (
        2,
        D("1333.33"),
        D("333.33"),
    )


def test_the_latest_scores_come_from_the_latest_survey_that_has_them(world, history):
    figures = customer360.key_figures(world.customers["CUS-G1"], world.users["rep"])
    day = dt.date(2026, 3, 2)
    assert (figures.csat, figures.csat_on) == (5, at(day + dt.timedelta(days=32)))
    assert (figures.nps, figures.nps_on) == (6, at(day, 18))


def test_last_contact_is_the_latest_done_activity(world, history):
    figures = customer360.key_figures(world.customers["CUS-G1"], world.users["rep"])
    assert figures.last_contact.subject == "电话回访"


def test_a_customer_without_history_has_empty_figures(world):
    figures = customer360.key_figures(world.customers["CUS-G2"], world.users["admin"])
    assert (figures.revenue, figures.orders, figures.last_order, figures.last_contact) == (
        D("0.00"),
        0,
        None,
        None,
    )
    assert (figures.pipeline_amount, figures.csat, figures.nps) == (D("0.00"), None, None)


@pytest.fixture
def cadence(world):
    CadencePolicy.objects.create(tier="A", interval_days=14)
    return world


def test_next_contact_is_the_cadence_due_date_with_overdue_days(cadence):
    world = cadence
    customer, today = world.customers["CUS-G1"], timezone.localdate()
    make_activity(
        customer, "拜访", owner=world.users["rep"], when=at(today - dt.timedelta(days=20))
    )
    figures = customer360.key_figures(customer, world.users["rep"])
    nxt = figures.next_contact
    assert (nxt.on, nxt.planned, nxt.status.state, nxt.status.overdue_days) == (
        today - dt.timedelta(days=6),
        None,
        "overdue",
        6,
    )
    html = client_for(world, "rep").get(page_url(customer)).content.decode()
    badge = html.split('data-testid="kpi-next-contact"')[1].split("</div></div></div>")[0]
    assert 'data-state="overdue"' in badge and ": 6" in badge


def test_a_planned_activity_before_the_due_date_is_the_next_contact(cadence):
    world = cadence
    customer, today = world.customers["CUS-G1"], timezone.localdate()
    make_activity(customer, "拜访", owner=world.users["rep"], when=at(today - dt.timedelta(days=3)))
    planned = make_activity(
        customer,
        "季度回访",
        owner=world.users["rep"],
        status=ActivityStatus.PLANNED,
        when=at(today + dt.timedelta(days=2)),
    )
    nxt = customer360.key_figures(customer, world.users["rep"]).next_contact
    assert (nxt.on, nxt.planned, nxt.status.due_on) == (
        today + dt.timedelta(days=2),
        planned,
        today + dt.timedelta(days=11),
    )
    later = make_activity(
        customer,
        "年底拜访",
        owner=world.users["rep"],
        status=ActivityStatus.PLANNED,
        when=at(today + dt.timedelta(days=40)),
    )
    planned.delete()
    nxt = customer360.key_figures(customer, world.users["rep"]).next_contact
    assert (nxt.on, nxt.planned) == (today + dt.timedelta(days=11), None)
    assert later.pk  # planned after the due date: the cadence decides


def test_the_page_shows_the_key_figures(world, history):
    html = client_for(world, "rep").get(page_url(world.customers["CUS-G1"])).content.decode()
    revenue = html.split('data-testid="kpi-revenue"')[1].split("</div></div></div>")[0]
    assert "¥1,200.33" in revenue and "3 orders" in revenue and "¥100.11 returned" in revenue
    assert "SO-3" in html.split('data-testid="kpi-last-order"')[1][:400]
    pipeline = html.split('data-testid="kpi-pipeline"')[1][:500]
    assert "¥1,333.33" in pipeline and "2 open deals · weighted ¥333.33" in pipeline
    assert "CSAT 5/5 · NPS 6/10" in html


# -- timeline ---------------------------------------------------------------------------------


def test_the_timeline_is_newest_first_with_every_kind_drawn(world, history):
    html = client_for(world, "rep").get(page_url(world.customers["CUS-G1"])).content.decode()
    items = shown(html)
    page = customer360_timeline.timeline(world.customers["CUS-G1"], world.users["rep"])
    keys = [item.key for item in page.items]
    assert keys == sorted(keys, reverse=True)
    assert items == [(item.kind, item.pk) for item in page.items]
    assert "Checked in 812 m from the customer" in html
    assert str(CheckInFlag.FAR.label) in html
    assert "Outcome: 客户有扩容意向" in html
    assert "方案报价 → 赢单" in html and ">Deal won<" in html and ">Deal lost<" in html
    assert "Answered: 回访问卷 · CSAT 5/5" in html and "服务很好" in html
    assert "¥100.11 returned" in html


@pytest.mark.parametrize(
    "chip,kinds",
    [
        ("order", {"order"}),
        ("activity", {"activity"}),
        ("opportunity", {"opportunity", "stage"}),
        ("survey", {"survey_sent", "survey_answered"}),
        ("assignment", {"assignment"}),
    ],
)
def test_a_chip_shows_one_kind_only(world, history, chip, kinds):
    client = client_for(world, "rep")
    response = client.get(page_url(world.customers["CUS-G1"], kind=chip), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html  # htmx gets the timeline alone
    expected = {(k, pk) for k, pk in history["CUS-G1"] if k in kinds}
    assert set(shown(html)) == expected and expected


def test_an_unknown_chip_or_a_broken_cursor_shows_the_first_page_of_everything(world, history):
    customer, user = world.customers["CUS-G1"], world.users["rep"]
    first = customer360_timeline.timeline(customer, user)
    odd = customer360_timeline.timeline(customer, user, chip="nonsense", before="12.x.3")
    assert (odd.chip, [i.key for i in odd.items]) == ("", [i.key for i in first.items])


def test_load_more_walks_the_whole_history_once_even_through_ties(world, history):
    customer, user = world.customers["CUS-G1"], world.users["admin"]
    same = at(dt.date(2026, 1, 5), 9)
    for n in range(7):  # seven events at one instant, and orders on that day
        make_activity(customer, f"同时 {n}", owner=user, when=same)
        make_order(customer, f"SO-T{n}", same.date(), [(D("1"), CONFIRMED, D(0))], rep=user)
    walked, cursor, pages = [], None, 0
    while True:
        page = customer360_timeline.timeline(customer, user, before=cursor, size=4)
        walked += [(i.kind, i.pk) for i in page.items]
        pages += 1
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    expected = len(history["CUS-G1"]) + 14
    assert len(walked) == expected and len(set(walked)) == expected
    assert pages == -(-expected // 4)


def test_load_more_over_htmx_appends_the_next_page(world, history):
    client = client_for(world, "rep")
    customer = world.customers["CUS-G1"]
    first = customer360_timeline.timeline(customer, world.users["rep"], size=5)
    response = client.get(page_url(customer, before=first.next_cursor), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="timeline"' not in html  # only the next items, not the chips again
    rest = customer360_timeline.timeline(customer, world.users["rep"], before=first.next_cursor)
    assert shown(html) == [(i.kind, i.pk) for i in rest.items]


def test_the_page_costs_the_same_queries_however_long_the_history(world, stages):
    customer, rep = world.customers["CUS-G1"], world.users["rep"]
    client = client_for(world, "rep")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url(customer)).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    day = dt.date(2026, 2, 1)
    for n in range(30):
        make_order(customer, f"SO-Q{n}", day, [(D("10"), CONFIRMED, D(0))], rep=rep)
        make_activity(customer, f"拜访 {n}", owner=rep, when=at(day))
        make_deal(
            customer,
            f"商机 {n}",
            stages["初步接触"],
            D("1"),
            at(day),
            owner=rep,
            moves=[(stages["方案报价"], at(day, 11))],
        )
        make_survey(customer, sent_by=rep, sent=at(day), answered=at(day, 12), csat=4)
    assert count() == before
    assert before <= 29  # session, user, scope, savepoints and the reads above


# -- tabs, quick actions, links ---------------------------------------------------------------


def test_the_tabs_hold_the_latest_rows_of_the_customer_only(world, history):
    tabs = {t.key: t for t in customer360.tabs(world.customers["CUS-G1"], world.users["rep"])}
    assert [r.obj.number for r in tabs["orders"].rows] == ["SO-4", "SO-3", "SO-2", "SO-1"]
    assert {r.obj.customer.code for t in tabs.values() for r in t.rows} == {"CUS-G1"}
    assert len(tabs["surveys"].rows) == 3 and len(tabs["activities"].rows) == 2
    assert tabs["orders"].see_all == reverse("sales:order-list") + "?customer=CUS-G1"
    assert tabs["opportunities"].see_all == reverse("sales:opportunity-list") + "?customer=CUS-G1"
    assert tabs["activities"].see_all == reverse("activities:list") + "?customer=CUS-G1"
    assert tabs["surveys"].see_all == reverse("care:survey-list") + "?customer=CUS-G1"
    client = client_for(world, "rep")
    for tab in tabs.values():
        assert client.get(tab.see_all).status_code == 200, tab.see_all


def test_read_only_roles_get_no_quick_actions_and_editors_can_edit(world):
    customer = world.customers["CUS-G1"]
    for persona in ("analyst", "finance"):
        html = client_for(world, persona).get(page_url(customer)).content.decode()
        actions = html.split('data-testid="quick-actions"')[1].split("</div>")[0]
        assert 'data-action="' not in actions, persona
    html = client_for(world, "rep").get(page_url(customer)).content.decode()
    assert f'href="/customers/{customer.pk}/edit/" data-action="edit"' in html


def test_every_item_links_to_its_own_page(world, history):
    customer, user = world.customers["CUS-G1"], world.users["rep"]
    page = customer360_timeline.timeline(customer, user)
    routes = {
        "order": "sales:order-detail",
        "activity": "activities:detail",
        "opportunity": "sales:opportunity-detail",
        "survey_sent": "care:survey-detail",
        "survey_answered": "care:survey-detail",
    }
    for item in page.items:
        if item.kind == "stage":
            assert item.url == reverse("sales:opportunity-detail", args=[item.obj.opportunity_id])
        elif item.kind == "assignment":
            assert item.url == ""  # a grid change has no page of its own
        else:
            assert item.url == reverse(routes[item.kind], args=[item.pk]), item.kind


# -- needs (需求) -------------------------------------------------------------------------------


def test_needs_are_edited_in_the_form_and_shown_on_the_page(world):
    customer = world.customers["CUS-G1"]
    client = client_for(world, "rep")
    form = client.get(reverse("customers:edit", args=[customer.pk])).content.decode()
    assert 'name="needs"' in form
    data = {
        "code": customer.code,
        "name": customer.name,
        "type": customer.type,
        "tier": customer.tier,
        "status": customer.status,
        "owner": world.users["rep"].pk,
        "current_grid": world.grids["R1-A1-G1"].pk,
        "grid_pinned": "on",
        "needs": "冷链仓储扩容\n希望季度对账",
    }
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.needs == "冷链仓储扩容\n希望季度对账"
    html = client.get(page_url(customer)).content.decode()
    assert "冷链仓储扩容<br>希望季度对账" in html


def test_needs_are_exported_after_the_grid_and_imported_by_name_or_label(world, tmp_path):
    Customer.objects.filter(code="CUS-G1").update(needs="需要上门安装")
    out = tmp_path / "c.csv"
    call_command("export", "customers", "--format", "csv", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0][11:13] == ["grid_code", "needs"]
    assert {r[0]: r[12] for r in rows[1:]}["CUS-G1"] == "需要上门安装"
    # The Chinese label (需求) is read too, once the zh-Hans catalogue translates "Needs".
    for header, value in (("needs", "要发票"), ("Needs", "要培训")):
        data = f"code,name,lat,lng,{header}\nCUS-G2,客户 CUS-G2,,,{value}\n".encode()
        report = run_import("customers", user=None, data=data, file_name="n.csv")
        assert report.errors == [] and report.updated == 1, header
        assert Customer.objects.get(code="CUS-G2").needs == value


def test_a_rep_with_a_planned_visit_gets_check_in_and_the_other_quick_actions(world):
    customer, rep = world.customers["CUS-G1"], world.users["rep"]
    visit = make_activity(
        customer, "约访", owner=rep, status=ActivityStatus.PLANNED, when=at(timezone.localdate())
    )
    make_activity(  # someone else's visit is not the rep's to check in to
        customer,
        "经理陪访",
        owner=world.users["gridmanager"],
        status=ActivityStatus.PLANNED,
        when=at(timezone.localdate(), 8),
    )
    actions = {a.key: a.url for a in customer360.quick_actions(customer, rep, can_change=True)}
    assert actions == {
        "checkin": reverse("activities:detail", args=[visit.pk]),
        "visit": reverse("activities:create") + "?customer=CUS-G1&type=visit",
        "activity": reverse("activities:create") + "?customer=CUS-G1",
        "opportunity": reverse("sales:opportunity-create") + "?customer=CUS-G1",
        "survey": reverse("care:survey-send") + f"?customer={customer.pk}",
        "edit": reverse("customers:edit", args=[customer.pk]),
    }
    gm = customer360.quick_actions(customer, world.users["gridmanager"], can_change=True)
    assert [a.key for a in gm][0] == "checkin"
    assert "checkin" not in {
        a.key for a in customer360.quick_actions(customer, world.users["regional"], can_change=True)
    }
