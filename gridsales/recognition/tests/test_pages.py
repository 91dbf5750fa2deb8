"""Every recognition page × every persona (200 / 400 / 403 / 404), the posts, the home
page's leaders and awards, the rep page's awards, the exports."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from gridsales.analytics.kpi import parse_period
from gridsales.conftest import PERSONAS
from gridsales.recognition.models import Award, AwardType
from gridsales.recognition.tests.factories import MONTH, recognition_world

WRITE_ALL = {"admin", "director"}
GIVERS = {"admin", "director", "regional", "gridmanager"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def client_for(world, persona):
    client = Client()
    client.force_login(world.users[persona])
    return client


def test_every_page_answers_each_persona_as_its_scope_says(world):
    made = recognition_world(world)
    champ = made["types"]["MONTH-CHAMP"]
    pages = {
        "/recognition/": {p: 200 for p in PERSONAS},
        "/recognition/?metric=attainment&period=2026-Q1&by=grid": {p: 200 for p in PERSONAS},
        "/recognition/?period=March": {p: 400 for p in PERSONAS},
        "/recognition/?metric=luck": {p: 400 for p in PERSONAS},
        "/recognition/?grid=R2": {
            p: 200 if p in {"admin", "director", "analyst", "finance"} else 400 for p in PERSONAS
        },
        "/recognition/awards/": {p: 200 for p in PERSONAS},
        "/recognition/awards/?format=csv": {p: 200 for p in PERSONAS},
        "/recognition/awards/new/": {p: 200 if p in GIVERS else 403 for p in PERSONAS},
        "/recognition/types/": {p: 200 for p in PERSONAS},
        "/recognition/types/new/": {p: 200 if p in WRITE_ALL else 403 for p in PERSONAS},
        f"/recognition/types/{champ}/edit/": {p: 200 if p in WRITE_ALL else 403 for p in PERSONAS},
        "/recognition/types/999999/edit/": {p: 404 for p in PERSONAS},
    }
    problems = []
    for url, expected in pages.items():
        for persona in PERSONAS:
            got = client_for(world, persona).get(url).status_code
            if got != expected[persona]:
                problems.append(f"{url} {persona}: {got}, expected {expected[persona]}")
        anonymous = Client().get(url)
        if anonymous.status_code != 302 or "/login/" not in anonymous["Location"]:
            problems.append(f"{url} anonymous: {anonymous.status_code}")
    assert not problems, "\n".join(problems)


def test_posts_answer_each_persona_as_its_scope_says(world):
    made = recognition_world(world)
    rep_award = made["awards"]["rep"]
    revoke = {
        **{p: 302 for p in GIVERS},
        "analyst": 403,
        "finance": 403,
        "rep": 403,
        "rep2": 404,
        "outsider": 404,
    }
    for persona in PERSONAS:
        client = client_for(world, persona)
        got = client.post("/recognition/awards/run/", {"period": "2026-01"}).status_code
        assert got == (302 if persona in WRITE_ALL else 403), persona
        got = client.post(f"/recognition/awards/{rep_award}/revoke/").status_code
        assert got == revoke[persona], persona
        if got == 302:  # revoked: put it back for the next persona
            assert not Award.objects.filter(pk=rep_award).exists()
            Award.objects.create(
                pk=rep_award,
                award_type_id=made["types"]["BEST-NEWCOMER"],
                rep=world.users["rep"],
                grid=world.grids["R1-A1-G1"],
                period="2026-02",
            )
        got = client.post("/recognition/types/new/", {"code": "x"}).status_code
        assert got == (400 if persona in WRITE_ALL else 403), persona


def test_the_leaderboard_page_shows_ranks_and_exports(world):
    recognition_world(world)
    admin = client_for(world, "admin")
    page = admin.get(f"/recognition/?metric=revenue&period={MONTH}").content.decode()
    assert page.count("🥇") == 2 and "🥉" in page  # rep and rep2 tied first, rep3 third
    assert "120,000.00" in page
    assert 'data-testid="board-chart"' in page and "echarts.min.js" in page
    csv = admin.get(f"/recognition/?metric=revenue&period={MONTH}&format=csv")
    u = world.users
    assert csv.content.decode("utf-8-sig").splitlines() == [
        "Rank,Rep,Name,Revenue",
        f"1,rep,{u['rep']},120000.00",
        f"1,rep2,{u['rep2']},120000.00",
        f"3,rep3,{u['rep3']},90000.00",
        f"4,rep4,{u['rep4']},30000.00",
    ]
    xlsx = admin.get(f"/recognition/?metric=revenue&period={MONTH}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client_for(world, "rep").get("/recognition/?period=March").content.decode()
    assert "“March” is not a month, quarter or year. Use 2026-03, 2026-Q1 or 2026." in bad
    outsider = client_for(world, "outsider").get("/recognition/").content.decode()
    assert "You are not assigned to any grid yet" in outsider


def test_a_manager_gives_awards_only_to_the_reps_of_the_grids_it_manages(world):
    made = recognition_world(world)
    newcomer = made["types"]["BEST-NEWCOMER"]
    manager = client_for(world, "gridmanager")
    ok = {"award_type": newcomer, "rep": world.users["rep3"].pk, "period": MONTH, "citation": "好"}
    assert manager.post("/recognition/awards/new/", ok).status_code == 302
    award = Award.objects.get(rep=world.users["rep3"])
    assert (award.grid.code, award.given_by, award.source) == (
        "R1-A1-G1",
        world.users["gridmanager"],
        "manual",
    )
    twice = manager.post("/recognition/awards/new/", ok)
    assert twice.status_code == 400
    assert f"{world.users['rep3']} already has “最佳新人” for 2026-03." in twice.content.decode()
    # rep4 (R1-A1-G2) is not in the grid manager's scope: not even a choice.
    other = {**ok, "rep": world.users["rep4"].pk}
    response = manager.post("/recognition/awards/new/", other)
    assert "Select a valid choice." in response.content.decode()
    # The regional manager sees rep2? No: R2 is not theirs.
    regional = client_for(world, "regional")
    response = regional.post("/recognition/awards/new/", {**ok, "rep": world.users["rep2"].pk})
    assert response.status_code == 400
    assert not Award.objects.filter(rep=world.users["rep2"], period=MONTH).exists()


def test_directors_run_the_rules_from_the_button(world):
    recognition_world(world)
    director = client_for(world, "director")
    response = director.post("/recognition/awards/run/", {"period": MONTH}, follow=True)
    assert "Rules run for 2026-03: 6 new awards." in response.content.decode()
    response = director.post("/recognition/awards/run/", {"period": MONTH}, follow=True)
    assert "Rules run for 2026-03: 0 new awards." in response.content.decode()
    assert Award.objects.filter(source="rule").count() == 6


def test_the_award_history_is_scoped(world):
    recognition_world(world)

    def shown(persona):
        csv = client_for(world, persona).get("/recognition/awards/?format=csv")
        return [line.split(",")[2] for line in csv.content.decode("utf-8-sig").splitlines()[1:]]

    assert sorted(shown("admin")) == ["rep", "rep2"]
    assert shown("gridmanager") == ["rep"]
    assert shown("rep") == ["rep"]
    assert shown("rep2") == ["rep2"]
    assert shown("outsider") == []


def test_directors_create_an_award_type_and_a_bad_kpi_is_named(world):
    director = client_for(world, "director")
    data = {
        "code": "BEST-VISITS",
        "name": "拜访之星",
        "icon": "⭐",
        "colour": "info",
        "rule": "top_n",
        "metric": "visits",
        "period_kind": "month",
        "top_n": "1",
        "threshold": "1",
        "active": "on",
    }
    assert director.post("/recognition/types/new/", data).status_code == 302
    assert AwardType.objects.get(code="BEST-VISITS").metric == "visits"
    bad = director.post("/recognition/types/new/", {**data, "code": "B2", "metric": "luck"})
    assert (
        "Select a valid choice. luck is not one of the available choices." in bad.content.decode()
    )


def test_the_home_page_shows_this_months_leaders_and_recent_awards(world, monkeypatch):
    recognition_world(world)
    monkeypatch.setattr(
        "gridsales.recognition.templatetags.recognition.this_month", lambda: parse_period(MONTH)
    )
    page = client_for(world, "rep").get("/").content.decode()
    assert 'data-testid="home-recognition"' in page
    top = page.split('data-testid="home-top-revenue"')[1].split("</ol>")[0]
    u = world.users
    assert f"🥇 {u['rep']}</span><span>120,000.00" in top
    assert f"🥈 {u['rep3']}</span><span>90,000.00" in top
    assert str(u["rep2"]) not in top  # another grid: not in rep's scope
    attain = page.split('data-testid="home-top-attainment"')[1].split("</ol>")[0]
    assert attain.count("🥇") == 2 and "120.0 %" in attain
    awards = page.split('data-testid="home-awards"')[1].split("</ul>")[0]
    assert "最佳新人" in awards and str(world.users["rep2"]) not in awards


def test_the_rep_page_lists_the_awards(world):
    recognition_world(world)
    page = client_for(world, "director").get(f"/reps/{world.users['rep'].pk}/").content.decode()
    awards = page.split('data-testid="rep-awards"')[1]
    assert "🌱 最佳新人" in awards and "2026-02" in awards and "rep 新人表现突出" in awards
