"""Every pipeline page × every persona (200 / 302 / 403 / 404 exactly), the lists and the
board showing exactly the persona's deals, and the pipeline form with its stage rows."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from gridsales.conftest import PERSONAS
from gridsales.core.tests.test_api_permissions import DEAL_CHANGE, DEAL_DELETE, DEAL_VIEW
from gridsales.sales.models import Pipeline, Stage
from gridsales.sales.tests.factories import pipeline_world, standard_pipeline


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read messages in English: pin the language (the default is zh-hans)."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


WRITERS = {"admin", "director"}


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def expected(persona: str, key: str, view: dict, allowed: dict | None = None) -> int:
    if key not in view[persona]:
        return 404
    if allowed is not None and key not in allowed[persona]:
        return 403
    return 200


def pages(world) -> dict[str, dict[str, int]]:
    objects = pipeline_world(world)
    pipeline = objects["pipelines"]["standard"]
    anyone = {p: 200 for p in PERSONAS}
    writers = {p: 200 if p in WRITERS else 403 for p in PERSONAS}
    urls = {
        "/sales/pipelines/": anyone,
        "/sales/pipelines/new/": writers,
        f"/sales/pipelines/{pipeline}/edit/": writers,
        f"/sales/pipelines/{pipeline}/delete/": writers,
        f"/sales/pipelines/{pipeline}/board/": anyone,
        f"/sales/pipelines/{pipeline}/board/?owner=rep&grid=R1&q=D&closed_days=all": anyone,
        "/sales/pipelines/999999/board/": {p: 404 for p in PERSONAS},
        f"/audit/sales.pipeline/{pipeline}/": anyone,
        "/sales/opportunities/": anyone,
        "/sales/opportunities/?state=open&sort=-amount&page_size=50": anyone,
        "/sales/opportunities/export.csv": anyone,
        "/sales/opportunities/export.xlsx": anyone,
        "/sales/opportunities/export.pdf": {p: 404 for p in PERSONAS},
        # Read-only roles create nothing; the others may (their customers).
        "/sales/opportunities/new/": {
            p: 403 if p in {"analyst", "finance"} else 200 for p in PERSONAS
        },
    }
    for name, pk in objects["opportunities"].items():
        urls[f"/sales/opportunities/{pk}/"] = {p: expected(p, name, DEAL_VIEW) for p in PERSONAS}
        urls[f"/audit/sales.opportunity/{pk}/"] = {
            p: expected(p, name, DEAL_VIEW) for p in PERSONAS
        }
        urls[f"/sales/opportunities/{pk}/edit/"] = {
            p: expected(p, name, DEAL_VIEW, DEAL_CHANGE) for p in PERSONAS
        }
        urls[f"/sales/opportunities/{pk}/delete/"] = {
            p: expected(p, name, DEAL_VIEW, DEAL_DELETE) for p in PERSONAS
        }
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_pipeline_page_answers_exactly_by_persona(persona, world):
    client = client_for(world, persona)
    problems = []
    for url, by_persona in pages(world).items():
        got = client.get(url).status_code
        if got != by_persona[persona]:
            problems.append(f"{url}: {got}, expected {by_persona[persona]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", PERSONAS)
def test_moving_follows_the_change_scope(persona, world):
    objects = pipeline_world(world)
    client = client_for(world, persona)
    stage = objects["stages"]["商务谈判"]
    for name, pk in objects["opportunities"].items():
        want = expected(persona, name, DEAL_VIEW, DEAL_CHANGE)
        response = client.post(f"/sales/opportunities/{pk}/move/", {"stage": stage})
        assert response.status_code == (302 if want == 200 else want), name


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_list_the_board_and_the_export_show_exactly_the_personas_deals(persona, world):
    pipeline = pipeline_world(world)["pipelines"]["standard"]
    client = client_for(world, persona)
    listed = client.get("/sales/opportunities/", {"page_size": 200}).content.decode()
    shown = set(
        re.findall(r'<td class="wrap"><a href="/sales/opportunities/\d+/">([^<]+)</a>', listed)
    )
    assert shown == DEAL_VIEW[persona]
    board = client.get(f"/sales/pipelines/{pipeline}/board/").content.decode()
    cards = set(re.findall(r'data-name="([^"]+)"', board))
    assert cards == DEAL_VIEW[persona]
    export = client.get("/sales/opportunities/export.csv").content.decode("utf-8-sig")
    assert {line.split(",")[1] for line in export.splitlines()[1:]} == DEAL_VIEW[persona]


def test_anonymous_visitors_are_sent_to_the_login_page(world):
    pipeline = standard_pipeline()
    for url in ["/sales/board/", f"/sales/pipelines/{pipeline.pk}/board/", "/sales/opportunities/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_the_pipeline_menu_opens_the_default_pipelines_board(world):
    pipeline = standard_pipeline()
    client = client_for(world, "rep")
    response = client.get("/sales/board/")
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:board", args=[pipeline.pk])
    page = client.get(response["Location"]).content.decode()
    assert re.search(r'<a class="nav-link active" href="/sales/board/">Pipeline</a>', page)
    home = client.get("/").content.decode()
    assert '<a class="nav-link" href="/sales/board/">Pipeline</a>' in home


def stage_post(rows, **pipeline_fields) -> dict:
    data = {
        "code": "KA",
        "name": "大客户流程",
        "description": "",
        "is_active": "on",
        "stages-TOTAL_FORMS": str(len(rows)),
        "stages-INITIAL_FORMS": "0",
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
        **pipeline_fields,
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"stages-{i}-{key}"] = value
    return data


def row(position, name, probability, kind, stage_id="", delete=False) -> dict:
    data = {
        "stage_id": stage_id,
        "position": position,
        "name": name,
        "probability": probability,
        "kind": kind,
    }
    if delete:
        data["DELETE"] = "on"
    return data


def test_a_director_creates_a_pipeline_with_its_stages(world):
    standard_pipeline()
    client = client_for(world, "director")
    form = client.get("/sales/pipelines/new/").content.decode()
    assert form.count('name="stages-') > 6 * 4  # the standard six rows, ready to edit
    rows = [row(2, "报价", 50, "open"), row(1, "初访", 20, "open"), row(3, "签约", 100, "won"),
            row(4, "放弃", 0, "lost"), row("", "", "", "open")]  # fmt: skip
    response = client.post("/sales/pipelines/new/", stage_post(rows))
    assert response.status_code == 302
    pipeline = Pipeline.objects.get(code="KA")
    assert list(pipeline.stages.values_list("position", "name")) == [
        (1, "初访"),
        (2, "报价"),
        (3, "签约"),
        (4, "放弃"),
    ]


def test_the_pipeline_form_says_what_is_wrong(world):
    standard_pipeline()
    client = client_for(world, "director")
    rows = [row(1, "初访", 20, "open"), row(2, "签约", 100, "won")]
    response = client.post("/sales/pipelines/new/", stage_post(rows))
    assert response.status_code == 400
    assert (
        "Pipeline “大客户流程” needs at least one open, one won and one lost stage: it would "
        "have no “Lost” stage." in response.content.decode()
    )
    assert not Pipeline.objects.filter(code="KA").exists()
    rows = [row(1, "初访", 120, "open"), row(2, "签约", 100, "won"), row(3, "放弃", 0, "lost")]
    response = client.post("/sales/pipelines/new/", stage_post(rows))
    assert "Ensure this value is less than or equal to 100." in response.content.decode()


def test_editing_a_pipeline_renames_reorders_and_refuses_to_drop_a_used_stage(world):
    objects = pipeline_world(world)
    pipeline = Pipeline.objects.get(pk=objects["pipelines"]["standard"])
    stages = {s.name: s for s in pipeline.stages.all()}
    client = client_for(world, "admin")
    used = [
        row(1, "线索", 10, "open", stages["线索"].pk, delete=True),
        *[
            row(s.position, s.name, s.probability, s.kind, s.pk)
            for s in pipeline.stages.exclude(name="线索").order_by("position")
        ],
    ]
    data = stage_post(used, code="standard", name="标准销售流程", is_default="on")
    data["stages-INITIAL_FORMS"] = str(len(used))
    response = client.post(f"/sales/pipelines/{pipeline.pk}/edit/", data)
    assert response.status_code == 400
    assert "Stage “线索” cannot be deleted: 1 deal(s) are in it" in response.content.decode()
    rows = [
        row(s.position, "初步接触" if s.name == "线索" else s.name, s.probability, s.kind, s.pk)
        for s in pipeline.stages.order_by("position")
    ]
    rows[0]["position"], rows[1]["position"] = 2, 1  # swap the first two
    data = stage_post(rows, code="standard", name="标准销售流程", is_default="on")
    data["stages-INITIAL_FORMS"] = str(len(rows))
    response = client.post(f"/sales/pipelines/{pipeline.pk}/edit/", data)
    assert response.status_code == 302
    assert list(pipeline.stages.order_by("position").values_list("name", flat=True))[:3] == [
        "需求确认",
        "初步接触",
        "方案报价",
    ]
    assert Stage.objects.get(pk=stages["线索"].pk).name == "初步接触"


def test_only_writers_post_the_pipeline_form(world):
    pipeline = standard_pipeline()
    response = client_for(world, "regional").post(
        f"/sales/pipelines/{pipeline.pk}/edit/", stage_post([])
    )
    assert response.status_code == 403
    response = client_for(world, "rep").post("/sales/pipelines/new/", stage_post([]))
    assert response.status_code == 403


def test_deleting_a_pipeline_in_use_says_why(world):
    pipeline = pipeline_world(world)["pipelines"]["standard"]
    client = client_for(world, "admin")
    response = client.post(f"/sales/pipelines/{pipeline}/delete/", follow=True)
    assert "“标准销售流程” is the default pipeline and cannot be deleted." in (
        response.content.decode()
    )
    assert Pipeline.objects.filter(pk=pipeline).exists()
