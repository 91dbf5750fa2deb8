"""The Kanban board page: columns and figures, cards, filters, and the move endpoint its
script posts to (JSON answers) or its phone selects submit without script (redirects)."""

import datetime as dt
import re
from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import timezone

from gridsales.sales import opportunities
from gridsales.sales.models import Opportunity
from gridsales.sales.pipeline_selectors import BOARD_CARDS
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


def column(html: str, position: int) -> str:
    """The HTML of one column (up to the next column's start)."""
    start = html.index(f'data-testid="column-{position}"')
    following = re.search(r'data-testid="column-\d', html[start + 10 :])
    return html[start : start + 10 + following.start()] if following else html[start:]


def card_names(html: str) -> list[str]:
    return re.findall(r'data-name="([^"]+)"', html)


def test_each_column_shows_its_count_amount_and_weighted_amount(world):
    pipeline = standard_pipeline()
    g1 = world.customers["CUS-G1"]
    OpportunityFactory(customer=g1, name="甲", amount=D("1234.56"))
    OpportunityFactory(customer=g1, name="乙", amount=D("100.01"))
    OpportunityFactory(customer=g1, name="丙", amount=D("999.99"), stage=stage_at(2))
    html = client_for(world, "rep").get(f"/sales/pipelines/{pipeline.pk}/board/").content.decode()
    first = column(html, 1)
    assert '<span class="badge text-bg-light" data-testid="column-count">2</span>' in first
    assert "¥1,334.57 · weighted ¥133.46" in first
    assert card_names(first) == ["甲", "乙"]
    assert "¥999.99 · weighted ¥250.00" in column(html, 2)
    assert "No deals here." in column(html, 3)
    assert "Open deals: 3 · ¥2,334.56 · weighted ¥383.46" in html


def test_an_overdue_close_date_is_highlighted(world):
    pipeline = standard_pipeline()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    OpportunityFactory(customer=world.customers["CUS-G1"], name="逾期", expected_close=yesterday)
    OpportunityFactory(
        customer=world.customers["CUS-G1"],
        name="未逾期",
        expected_close=timezone.localdate(),
    )
    html = client_for(world, "rep").get(f"/sales/pipelines/{pipeline.pk}/board/").content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert f"Expected close {yesterday:%Y-%m-%d} (overdue)" in html


def test_a_full_column_links_to_the_whole_list(world):
    pipeline = standard_pipeline()
    for i in range(BOARD_CARDS + 1):
        OpportunityFactory(customer=world.customers["CUS-G1"], name=f"D{i:02d}")
    html = client_for(world, "rep").get(f"/sales/pipelines/{pipeline.pk}/board/", {"owner": "rep"})
    first = column(html.content.decode(), 1)
    assert len(card_names(first)) == BOARD_CARDS
    link = re.search(r'href="([^"]+)" data-testid="show-all">Show all 51 in the list', first)
    url = link.group(1).replace("&amp;", "&")
    assert url == f"/sales/opportunities/?pipeline=standard&stage={stage_at(1).pk}&owner=rep"
    listed = client_for(world, "rep").get(url, {"page_size": 100})
    assert "51 results" in listed.content.decode()


def test_the_board_filters_by_owner_grid_and_search(world):
    objects = pipeline_world(world)
    pipeline = objects["pipelines"]["standard"]
    client = client_for(world, "admin")
    url = f"/sales/pipelines/{pipeline}/board/"
    assert set(card_names(client.get(url, {"owner": "rep"}).content.decode())) == {
        "D-G1",
        "D-NOGRID",
    }
    assert set(card_names(client.get(url, {"grid": "R1"}).content.decode())) == {"D-G1", "D-G2"}
    assert card_names(client.get(url, {"q": "CUS-R2"}).content.decode()) == ["D-R2"]
    page = client.get(url).content.decode()
    assert '<option value="R1-A1-G1">' in page  # the grid filter offers the visible grids


def test_closed_deals_leave_the_board_after_the_chosen_days(world):
    pipeline = standard_pipeline()
    deal = OpportunityFactory(customer=world.customers["CUS-G1"], name="旧单")
    opportunities.opportunity_move(
        opportunity=deal,
        stage=stage_at(5),
        user=None,
        moved_at=timezone.now() - dt.timedelta(days=40),
    )
    client = client_for(world, "rep")
    url = f"/sales/pipelines/{pipeline.pk}/board/"
    assert card_names(client.get(url).content.decode()) == ["旧单"]  # 90 days by default
    assert card_names(client.get(url, {"closed_days": "30"}).content.decode()) == []
    assert card_names(client.get(url, {"closed_days": "all"}).content.decode()) == ["旧单"]


def test_htmx_gets_only_the_columns(world):
    pipeline = standard_pipeline()
    response = client_for(world, "rep").get(
        f"/sales/pipelines/{pipeline.pk}/board/", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'data-testid="board"' in html and "<nav" not in html


def test_cards_the_user_cannot_change_are_not_draggable(world):
    objects = pipeline_world(world)
    html = (
        client_for(world, "analyst")
        .get(f"/sales/pipelines/{objects['pipelines']['standard']}/board/")
        .content.decode()
    )
    assert len(card_names(html)) == 4
    assert 'draggable="true"' not in html and 'data-testid="stage-select"' not in html
    rep = client_for(world, "rep").get(
        f"/sales/pipelines/{objects['pipelines']['standard']}/board/"
    )
    assert rep.content.decode().count('data-testid="stage-select"') == 2


def post_move(client, pk, **data):
    return client.post(f"/sales/opportunities/{pk}/move/", data, HTTP_ACCEPT="application/json")


def test_the_board_script_moves_a_deal_and_gets_json(world):
    deals = pipeline_world(world)["opportunities"]
    response = post_move(client_for(world, "rep"), deals["D-G1"], stage=stage_at(2).pk)
    assert response.status_code == 200
    assert response.json() == {
        "id": deals["D-G1"],
        "stage": stage_at(2).pk,
        "state": "open",
        "message": "“D-G1” moved to “需求确认”.",
    }
    change = Opportunity.objects.get(pk=deals["D-G1"]).stage_changes.order_by("pk").last()
    assert (change.from_stage.name, change.to_stage.name, change.user_name) == (
        "线索",
        "需求确认",
        "rep",
    )


def test_the_board_script_gets_the_reason_a_move_failed(world):
    deals = pipeline_world(world)["opportunities"]
    client = client_for(world, "rep")
    lost = post_move(client, deals["D-G1"], stage=stage_at(6).pk, loss_reason="")
    assert (lost.status_code, lost.json()) == (
        400,
        {
            "error": "Give a loss reason: “输单” marks the deal as lost, and the reason is what "
            "the team learns from."
        },
    )
    missing = post_move(client, deals["D-G1"])
    assert (missing.status_code, missing.json()) == (400, {"error": "This field is required."})
    assert post_move(client, deals["D-R2"], stage=stage_at(2).pk).json() == {
        "error": "This deal does not exist."
    }
    refused = post_move(client_for(world, "analyst"), deals["D-G1"], stage=stage_at(2).pk)
    assert (refused.status_code, refused.json()) == (403, {"error": "You may not move this deal."})
    done = post_move(client, deals["D-G1"], stage=stage_at(6).pk, loss_reason="客户预算取消")
    assert done.json()["state"] == "lost"


def test_the_move_needs_the_csrf_token(world):
    deals = pipeline_world(world)["opportunities"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["rep"])
    response = post_move(client, deals["D-G1"], stage=stage_at(2).pk)
    assert response.status_code == 403
    assert Opportunity.objects.get(pk=deals["D-G1"]).stage == stage_at(1)


def test_without_script_the_select_posts_and_comes_back_with_a_message(world):
    deals = pipeline_world(world)["opportunities"]
    pipeline = standard_pipeline()
    board = f"/sales/pipelines/{pipeline.pk}/board/?owner=rep"
    client = client_for(world, "rep")
    response = client.post(
        f"/sales/opportunities/{deals['D-G1']}/move/",
        {"stage": stage_at(3).pk, "next": board},
        follow=True,
    )
    assert response.redirect_chain == [(board, 302)]
    assert "“D-G1” moved to “方案报价”." in response.content.decode()
    response = client.post(
        f"/sales/opportunities/{deals['D-G1']}/move/",
        {"stage": stage_at(6).pk, "next": "https://evil.example/"},
        follow=True,
    )
    assert response.redirect_chain == [(f"/sales/opportunities/{deals['D-G1']}/", 302)]
    assert "Give a loss reason" in response.content.decode()
