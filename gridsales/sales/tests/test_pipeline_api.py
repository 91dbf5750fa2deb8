"""The pipeline API: moves and their errors, create defaults, filters, stage history,
pipeline and stage writes, and a fixed number of queries per list."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from gridsales.core.tests.test_api_list_queries import MAX_LIST_QUERIES
from gridsales.sales import opportunities, pipelines
from gridsales.sales.models import Opportunity, Pipeline
from gridsales.sales.tests.factories import (
    OpportunityFactory,
    crowd_pipeline,
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


@pytest.fixture
def deals(world):
    return pipeline_world(world)["opportunities"]


def move(client, pk, **payload):
    return client.post(f"/api/v1/opportunities/{pk}/move/", payload, format="json")


def test_a_move_answers_the_deal_and_writes_the_history(world, api, deals):
    response = move(api("rep"), deals["D-G1"], stage=stage_at(5).pk)
    assert response.status_code == 200
    body = response.json()
    assert (body["stage"], body["stage_name"], body["state"], body["closed_on"]) == (
        stage_at(5).pk,
        "赢单",
        "won",
        timezone.localdate().isoformat(),
    )
    assert body["weighted_amount"] == "10000.00"
    changes = api("rep").get("/api/v1/opportunity-stage-changes/", {"opportunity": deals["D-G1"]})
    rows = [
        (r["from_stage_name"], r["to_stage_name"], r["user_name"])
        for r in changes.json()["results"]
    ]
    assert rows == [(None, "线索", "system"), ("线索", "赢单", "rep")]


def test_a_lost_stage_without_a_reason_is_a_clear_400(world, api, deals):
    response = move(api("rep"), deals["D-G1"], stage=stage_at(6).pk)
    assert response.status_code == 400
    assert response.json() == {
        "loss_reason": [
            "Give a loss reason: “输单” marks the deal as lost, and the reason is what the team "
            "learns from."
        ]
    }
    response = move(api("rep"), deals["D-G1"], stage=stage_at(6).pk, loss_reason="竞品降价")
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["loss_reason"]) == ("lost", "竞品降价")


def test_a_stage_of_another_pipeline_is_a_clear_400(world, api, deals):
    other = pipelines.pipeline_create(code="KA", name="大客户流程")
    response = move(api("rep"), deals["D-G1"], stage=other.stages.get(position=3).pk)
    assert response.status_code == 400
    assert response.json() == {
        "stage": [
            "Stage “方案报价” belongs to pipeline “大客户流程”, not to the deal's pipeline "
            "“标准销售流程”: choose one of its stages."
        ]
    }
    assert Opportunity.objects.get(pk=deals["D-G1"]).stage == stage_at(1)


def test_an_unknown_stage_is_a_400(world, api, deals):
    response = move(api("rep"), deals["D-G1"], stage=999999)
    assert response.status_code == 400
    assert response.json() == {"stage": ['Invalid pk "999999" - object does not exist.']}


def test_the_stage_is_not_changed_by_an_edit(world, api, deals):
    response = api("rep").patch(
        f"/api/v1/opportunities/{deals['D-G1']}/", {"stage": stage_at(3).pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "stage": [
            "A deal changes stage only by a move: POST "
            f"/api/v1/opportunities/{deals['D-G1']}/move/ with the stage."
        ]
    }


def test_a_new_deal_belongs_to_the_caller_in_the_first_stage(world, api):
    standard_pipeline()
    response = api("rep").post(
        "/api/v1/opportunities/",
        {"name": "新商机", "customer": "CUS-G1", "amount": "1234.50"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner"], body["pipeline"], body["stage_name"], body["grid"]) == (
        "rep",
        "standard",
        "线索",
        "R1-A1-G1",
    )
    assert body["weighted_amount"] == "123.45"  # 123.450
    response = api("rep").post(
        "/api/v1/opportunities/",
        {"name": "谈判中", "customer": "CUS-G1", "stage": stage_at(4).pk},
        format="json",
    )
    assert response.json()["stage_name"] == "商务谈判"


def test_a_rep_cannot_give_a_new_deal_to_someone_else(world, api):
    standard_pipeline()
    response = api("rep").post(
        "/api/v1/opportunities/",
        {"name": "新商机", "customer": "CUS-G1", "owner": "gridmanager"},
        format="json",
    )
    assert response.status_code == 403
    assert not Opportunity.objects.filter(name="新商机").exists()


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def test_deals_filter_like_the_list_page(world, api, deals):
    client = api("admin")
    Opportunity.objects.filter(pk=deals["D-G2"]).update(expected_close=dt.date(2026, 6, 30))
    Opportunity.objects.filter(pk=deals["D-R2"]).update(expected_close=dt.date(2026, 7, 1))
    opportunities.opportunity_move(
        opportunity=Opportunity.objects.get(pk=deals["D-NOGRID"]), stage=stage_at(5), user=None
    )
    url = "/api/v1/opportunities/"
    assert names(client.get(url, {"state": "won"})) == {"D-NOGRID"}
    assert names(client.get(url, {"state": ["open", "won"]})) == {
        "D-G1",
        "D-G2",
        "D-R2",
        "D-NOGRID",
    }
    assert names(client.get(url, {"grid": "R1"})) == {"D-G1", "D-G2"}
    assert names(client.get(url, {"owner": "rep"})) == {"D-G1", "D-NOGRID"}
    assert names(client.get(url, {"customer": "CUS-R2"})) == {"D-R2"}
    assert names(client.get(url, {"stage": stage_at(2).pk})) == {"D-G2"}
    assert names(client.get(url, {"pipeline": "standard"})) == {
        "D-G1",
        "D-G2",
        "D-R2",
        "D-NOGRID",
    }
    assert names(client.get(url, {"pipeline": "nope"})) == set()
    assert names(
        client.get(
            url, {"expected_close_after": "2026-06-01", "expected_close_before": "2026-06-30"}
        )
    ) == {"D-G2"}
    assert names(client.get(url, {"closed_after": timezone.localdate().isoformat()})) == {
        "D-NOGRID"
    }
    assert names(client.get(url, {"q": "客户 CUS-R2"})) == {"D-R2"}


def test_stage_changes_filter_by_deal_and_dates(world, api, deals):
    deal = Opportunity.objects.get(pk=deals["D-G1"])
    march = timezone.make_aware(dt.datetime(2026, 3, 10, 9))
    opportunities.opportunity_move(opportunity=deal, stage=stage_at(2), user=None, moved_at=march)
    client = api("admin")
    url = "/api/v1/opportunity-stage-changes/"
    march_rows = client.get(url, {"changed_after": "2026-03-10", "changed_before": "2026-03-10"})
    assert [(r["opportunity_name"], r["to_stage_name"]) for r in march_rows.json()["results"]] == [
        ("D-G1", "需求确认")
    ]
    assert client.get(url, {"opportunity": deals["D-G2"]}).json()["count"] == 1
    assert client.get(url, {"pipeline": "standard"}).json()["count"] == 5
    assert api("rep2").get(url, {"opportunity": deals["D-G1"]}).json()["count"] == 0


def test_pipelines_list_their_stages_in_order(world, api):
    standard_pipeline()
    body = api("outsider").get("/api/v1/pipelines/").json()
    standard = next(p for p in body["results"] if p["code"] == "standard")
    assert [
        (s["position"], s["name"], s["probability"], s["kind"]) for s in standard["stages"]
    ] == [
        (1, "线索", 10, "open"),
        (2, "需求确认", 25, "open"),
        (3, "方案报价", 50, "open"),
        (4, "商务谈判", 75, "open"),
        (5, "赢单", 100, "won"),
        (6, "输单", 0, "lost"),
    ]


def test_a_director_builds_a_pipeline_through_the_api(world, api):
    standard_pipeline()
    client = api("director")
    created = client.post(
        "/api/v1/pipelines/", {"code": "KA", "name": "大客户流程"}, format="json"
    ).json()
    assert len(created["stages"]) == 6
    stage = client.post(
        "/api/v1/stages/",
        {"pipeline": "KA", "name": "回款", "probability": 100, "kind": "won"},
        format="json",
    )
    assert (stage.status_code, stage.json()["position"]) == (201, 7)
    ids = [s["id"] for s in created["stages"]] + [stage.json()["id"]]
    order = [ids[6], *ids[:6]]
    reordered = client.post(f"/api/v1/pipelines/{created['id']}/reorder/", {"stages": order})
    assert reordered.status_code == 200
    assert [s["name"] for s in reordered.json()["stages"]][:2] == ["回款", "线索"]
    bad = client.patch(f"/api/v1/stages/{ids[0]}/", {"probability": 150}, format="json")
    assert bad.json() == {"probability": ["Ensure this value is less than or equal to 100."]}
    assert client.delete(f"/api/v1/stages/{ids[0]}/").status_code == 204
    assert client.delete(f"/api/v1/pipelines/{created['id']}/").status_code == 204
    assert not Pipeline.objects.filter(code="KA").exists()


def test_a_stage_in_use_answers_why_it_is_not_deleted(world, api, deals):
    response = api("admin").delete(f"/api/v1/stages/{stage_at(1).pk}/")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "Stage “线索” cannot be deleted: 1 deal(s) are in it or have passed through it. "
            "Rename it instead, or move those deals first."
        ]
    }


def test_a_stage_does_not_change_pipeline(world, api):
    other = pipelines.pipeline_create(code="KA", name="大客户流程")
    response = api("admin").patch(
        f"/api/v1/stages/{stage_at(1).pk}/", {"pipeline": other.code}, format="json"
    )
    assert response.json() == {"pipeline": ["A stage cannot move to another pipeline."]}


@pytest.mark.parametrize("persona", ["admin", "regional", "rep"])
@pytest.mark.parametrize(
    "prefix", ["pipelines", "stages", "opportunities", "opportunity-stage-changes"]
)
def test_list_endpoints_use_a_fixed_number_of_queries(
    prefix, persona, world, api, django_assert_max_num_queries
):
    crowd_pipeline(world)
    OpportunityFactory(
        customer=world.customers["CUS-G2"], owner=world.users["regional"], amount=D("5.00")
    )
    client = api(persona)
    with django_assert_max_num_queries(MAX_LIST_QUERIES):
        response = client.get(f"/api/v1/{prefix}/", {"page_size": 1000})
    assert response.status_code == 200
    if persona != "rep":
        assert response.json()["count"] > 10


def test_stages_filter_by_pipeline_code_and_kind(world, api):
    standard_pipeline()
    pipelines.pipeline_create(code="KA", name="大客户流程")
    client = api("rep")
    assert client.get("/api/v1/stages/", {"pipeline": "KA"}).json()["count"] == 6
    won = client.get("/api/v1/stages/", {"kind": "won"}).json()["results"]
    assert sorted(s["pipeline"] for s in won) == ["KA", "standard"]
