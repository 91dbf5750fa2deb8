"""Deal pages: the list (filters, sort, exports), the forms, the page with its stage
history, days per stage and activities, and deleting."""

import datetime as dt
import io
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from gridsales.activities.models import Activity
from gridsales.core.models import ObjectChange
from gridsales.sales import opportunities
from gridsales.sales.models import Opportunity
from gridsales.sales.tests.factories import (
    OpportunityFactory,
    pipeline_world,
    stage_at,
    standard_pipeline,
)


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def listed(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(
        r'<td class="wrap"><a href="/sales/opportunities/\d+/">([^<]+)</a>',
        response.content.decode(),
    )


@pytest.fixture
def deals(world):
    objects = pipeline_world(world)["opportunities"]
    amounts = {"D-G1": "300.00", "D-G2": "100.00", "D-R2": "200.00", "D-NOGRID": "400.00"}
    for name, amount in amounts.items():
        Opportunity.objects.filter(pk=objects[name]).update(amount=D(amount))
    Opportunity.objects.filter(pk=objects["D-G2"]).update(expected_close=dt.date(2026, 6, 30))
    return objects


def test_the_list_filters_and_sorts(world, deals):
    client = client_for(world, "admin")
    url = "/sales/opportunities/"
    assert listed(client.get(url, {"sort": "-amount"})) == ["D-NOGRID", "D-G1", "D-R2", "D-G2"]
    assert listed(client.get(url, {"sort": "amount"})) == ["D-G2", "D-R2", "D-G1", "D-NOGRID"]
    assert listed(client.get(url, {"sort": "stage"})) == ["D-G1", "D-G2", "D-R2", "D-NOGRID"]
    assert listed(client.get(url, {"grid": "R1", "sort": "amount"})) == ["D-G2", "D-G1"]
    assert listed(client.get(url, {"owner": "rep2"})) == ["D-R2"]
    assert listed(client.get(url, {"stage": stage_at(4).pk})) == ["D-NOGRID"]
    assert listed(
        client.get(
            url, {"expected_close_after": "2026-06-01", "expected_close_before": "2026-07-01"}
        )
    ) == ["D-G2"]
    assert listed(client.get(url, {"state": "won"})) == []
    assert listed(client.get(url, {"q": "NOGRID"})) == ["D-NOGRID"]
    paged = client.get(url, {"sort": "amount", "page_size": 25, "page": 1})
    assert "4 results" in paged.content.decode()


def test_the_list_shows_weighted_amounts_and_partial_htmx_tables(world, deals):
    client = client_for(world, "admin")
    html = client.get("/sales/opportunities/", {"q": "D-NOGRID"}).content.decode()
    assert "¥400.00" in html and "¥300.00" in html  # amount; 75 % weighted
    partial = client.get("/sales/opportunities/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="opportunity-table"' in partial and "<nav" not in partial


def test_the_csv_export_has_codes_and_exact_amounts(world, deals):
    response = client_for(world, "regional").get("/sales/opportunities/export.csv", {"sort": "x"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffid,name,customer_code,customer_name,pipeline,stage,state,")
    rows = {line.split(",")[1]: line.split(",") for line in text.splitlines()[1:]}
    assert set(rows) == {"D-G1", "D-G2"}
    g2 = rows["D-G2"]
    assert g2[2:12] == [
        "CUS-G2",
        "客户 CUS-G2",
        "standard",
        "需求确认",
        "open",
        "100.00",
        "25",
        "25.00",
        "2026-06-30",
        "regional",
    ]


def test_the_xlsx_export_follows_the_filters(world, deals):
    response = client_for(world, "admin").get("/sales/opportunities/export.xlsx", {"owner": "rep"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "name", "customer_code")
    assert sorted(r[1] for r in rows[1:]) == ["D-G1", "D-NOGRID"]
    assert {r[1]: r[9] for r in rows[1:]}["D-NOGRID"] == 300  # 400.00 × 75 %


def test_the_new_deal_form_offers_the_customers_the_user_may_change(world):
    standard_pipeline()
    html = client_for(world, "rep").get("/sales/opportunities/new/").content.decode()
    customer_select = html[
        html.index('name="customer"') : html.index("</select>", html.index('name="customer"'))
    ]
    assert re.findall(r">(CUS-[A-Z0-9-]+)", customer_select) == ["CUS-G1", "CUS-NOGRID"]
    owner = f'<option value="{world.users["rep"].pk}" selected>{world.users["rep"]}</option>'
    assert owner in html
    assert f'<option value="{stage_at(1).pk}" selected>标准销售流程 · 线索</option>' in html
    assert "赢单" not in html  # a new deal starts in an open stage


def test_a_rep_creates_a_deal_in_a_chosen_stage(world):
    standard_pipeline()
    client = client_for(world, "rep")
    response = client.post(
        "/sales/opportunities/new/",
        {
            "name": "门店冷柜",
            "customer": world.customers["CUS-G1"].pk,
            "owner": world.users["rep"].pk,
            "stage": stage_at(2).pk,
            "amount": "8800.50",
            "expected_close": "2026-12-01",
            "source": "referral",
        },
    )
    deal = Opportunity.objects.get(name="门店冷柜")
    assert response.status_code == 302 and response["Location"] == deal.get_absolute_url()
    assert (deal.stage.name, deal.amount, deal.grid.code) == ("需求确认", D("8800.50"), "R1-A1-G1")
    assert deal.stage_changes.get().user == world.users["rep"]
    audit = ObjectChange.objects.get(content_type__model="opportunity", object_id=deal.pk)
    assert (audit.action, audit.user_name) == ("create", "rep")


def test_a_rep_cannot_create_a_deal_for_another_grids_customer(world):
    standard_pipeline()
    response = client_for(world, "rep").post(
        "/sales/opportunities/new/",
        {
            "name": "越界",
            "customer": world.customers["CUS-R2"].pk,
            "owner": world.users["rep"].pk,
            "stage": stage_at(1).pk,
            "amount": "1",
        },
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Opportunity.objects.filter(name="越界").exists()


def test_a_rep_cannot_hand_a_new_deal_to_someone_else(world):
    standard_pipeline()
    response = client_for(world, "rep").post(
        "/sales/opportunities/new/",
        {
            "name": "转给经理",
            "customer": world.customers["CUS-G1"].pk,
            "owner": world.users["gridmanager"].pk,
            "stage": stage_at(1).pk,
            "amount": "1",
        },
    )
    assert response.status_code == 400
    assert "outside what you are allowed to manage" in response.content.decode()
    assert not Opportunity.objects.filter(name="转给经理").exists()


def test_editing_a_deal_does_not_touch_its_stage_and_asks_a_lost_deal_for_its_reason(world):
    deals = pipeline_world(world)["opportunities"]
    client = client_for(world, "rep")
    url = f"/sales/opportunities/{deals['D-G1']}/edit/"
    html = client.get(url).content.decode()
    assert 'name="stage"' not in html and 'name="loss_reason"' not in html
    data = {
        "name": "D-G1 改名",
        "customer": world.customers["CUS-G1"].pk,
        "owner": world.users["rep"].pk,
        "amount": "123.45",
    }
    assert client.post(url, data).status_code == 302
    deal = Opportunity.objects.get(pk=deals["D-G1"])
    assert (deal.name, deal.amount, deal.stage) == ("D-G1 改名", D("123.45"), stage_at(1))
    opportunities.opportunity_move(
        opportunity=deal, stage=stage_at(6), user=None, loss_reason="价格"
    )
    assert 'name="loss_reason"' in client.get(url).content.decode()
    response = client.post(url, {**data, "loss_reason": ""})
    assert response.status_code == 400
    assert "Give a loss reason" in response.content.decode()


def test_the_deal_page_shows_the_history_days_per_stage_and_activities(world):
    deal = OpportunityFactory(
        customer=world.customers["CUS-G1"],
        name="历史",
        created_at=timezone.now() - dt.timedelta(days=3),
    )
    opportunities.opportunity_move(
        opportunity=deal,
        stage=stage_at(2),
        user=world.users["gridmanager"],
        moved_at=timezone.now() - dt.timedelta(days=1),
    )
    Activity.objects.create(
        type="visit", subject="上门演示", customer=deal.customer, owner=world.users["rep"],
        opportunity=deal,
    )  # fmt: skip
    html = client_for(world, "rep").get(deal.get_absolute_url()).content.decode()
    history = html[html.index('data-testid="stage-history"') :]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", history[: history.index("</table>")], re.S)
    assert [c.strip() for c in cells[:2]] == ['<span class="text-muted">(created)</span>', "线索"]
    assert cells[4].strip() == "2.0"  # two days in 线索
    assert [c.strip() for c in cells[5:7]] == ["线索", "需求确认"]
    assert cells[8].strip() == str(world.users["gridmanager"])
    assert cells[9].strip() == "1.0"  # still there, counted until now
    assert re.search(r"<span>线索</span><span>2.0 days</span>", html)
    assert "上门演示" in html
    assert 'data-testid="move-form"' in html


def test_read_only_roles_see_a_deal_without_the_move_form(world):
    deals = pipeline_world(world)["opportunities"]
    html = client_for(world, "analyst").get(f"/sales/opportunities/{deals['D-G1']}/")
    assert 'data-testid="move-form"' not in html.content.decode()


def test_deleting_a_deal_goes_back_to_its_board(world):
    objects = pipeline_world(world)
    pk = objects["opportunities"]["D-G1"]
    response = client_for(world, "gridmanager").post(f"/sales/opportunities/{pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == f"/sales/pipelines/{objects['pipelines']['standard']}/board/"
    assert not Opportunity.objects.filter(pk=pk).exists()


def test_the_command_line_exports_every_deal_with_the_list_columns(world, tmp_path):
    import csv

    from django.core.management import call_command

    from gridsales.sales.pipeline_io import EXPORT_COLUMNS
    from gridsales.sales.tests.factories import pipeline_world

    pipeline_world(world)
    out = tmp_path / "deals.csv"
    call_command("export", "opportunities", "--format", "csv", "--output", str(out))
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == [header for header, _value in EXPORT_COLUMNS]
    assert sorted(r[1] for r in rows[1:]) == ["D-G1", "D-G2", "D-NOGRID", "D-R2"]
    by_name = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert (by_name["D-R2"]["customer_code"], by_name["D-R2"]["owner"]) == ("CUS-R2", "rep2")
    assert by_name["D-R2"]["grid_code"] == "R2-A1-G1"
