"""Leaderboards in each persona's scope with the tie rule, the award rules (top N with
ties, first to 100 % in a quarter), their idempotency, the command and manual awards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from gridsales.analytics.kpi import parse_period
from gridsales.recognition import services
from gridsales.recognition.leaderboards import leaderboard
from gridsales.recognition.models import Award, AwardType
from gridsales.recognition.tests.factories import MONTH, recognition_world


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    translation.activate("en")


def board(world, persona, metric, by="rep", period=MONTH):
    result = leaderboard(world.users[persona], metric=metric, period=parse_period(period), by=by)
    return [(r["key"], r["rank"], r["value"]) for r in result.rows]


def test_the_revenue_board_ranks_ties_together_and_each_persona_sees_its_scope(world):
    recognition_world(world)
    everyone = [
        ("rep", 1, "120000.00"),
        ("rep2", 1, "120000.00"),
        ("rep3", 3, "90000.00"),
        ("rep4", 4, "30000.00"),
    ]
    assert board(world, "admin", "revenue") == everyone
    assert board(world, "finance", "revenue") == everyone
    r1 = [("rep", 1, "120000.00"), ("rep3", 2, "90000.00"), ("rep4", 3, "30000.00")]
    assert board(world, "regional", "revenue") == r1
    g1 = [("rep", 1, "120000.00"), ("rep3", 2, "90000.00")]
    assert board(world, "gridmanager", "revenue") == g1
    assert board(world, "rep", "revenue") == g1
    assert board(world, "rep2", "revenue") == [("rep2", 1, "120000.00")]
    assert board(world, "outsider", "revenue") == []


def test_the_attainment_board_lists_reps_without_a_target_last(world):
    recognition_world(world)
    assert board(world, "admin", "attainment") == [
        ("rep", 1, "1.2000"),
        ("rep3", 1, "1.2000"),
        ("rep4", 3, "0.3000"),
        ("rep2", None, None),
    ]
    assert board(world, "admin", "attainment", period="2026-Q1")[:2] == [
        ("rep", 1, "1.2000"),
        ("rep3", 1, "1.2000"),
    ]


def test_the_grid_board_ranks_every_leaf_grid_in_scope(world):
    recognition_world(world)
    assert board(world, "admin", "revenue", by="grid") == [
        ("R1-A1-G1", 1, "210000.00"),
        ("R2-A1-G1", 2, "120000.00"),
        ("R1-A1-G2", 3, "30000.00"),
    ]
    assert board(world, "regional", "revenue", by="grid") == [
        ("R1-A1-G1", 1, "210000.00"),
        ("R1-A1-G2", 2, "30000.00"),
    ]


def awarded():
    return sorted(
        (a.award_type.code, a.period, a.rep.username, a.rank, a.source)
        for a in Award.objects.select_related("award_type", "rep")
        if a.source == "rule"
    )


def test_the_rules_give_each_award_once_and_a_second_run_gives_nothing(world):
    recognition_world(world)
    report = services.awards_by_rules(period=MONTH, user=world.users["director"])
    assert report == [
        {"type": "FIRST-100", "period": "2026-Q1", "given": ["rep3"]},
        {"type": "MONTH-CHAMP", "period": "2026-03", "given": ["rep", "rep2"]},
        {"type": "TOP3-ATTAIN", "period": "2026-03", "given": ["rep", "rep3", "rep4"]},
    ]
    first = awarded()
    assert first == [
        ("FIRST-100", "2026-Q1", "rep3", 1, "rule"),
        ("MONTH-CHAMP", "2026-03", "rep", 1, "rule"),
        ("MONTH-CHAMP", "2026-03", "rep2", 1, "rule"),
        ("TOP3-ATTAIN", "2026-03", "rep", 1, "rule"),
        ("TOP3-ATTAIN", "2026-03", "rep3", 1, "rule"),
        ("TOP3-ATTAIN", "2026-03", "rep4", 3, "rule"),
    ]
    citation = Award.objects.get(award_type__code="FIRST-100").citation
    assert citation == "First to 100 % of the target in 2026-Q1, on 2026-03-10."
    champion = Award.objects.get(award_type__code="TOP3-ATTAIN", rep__username="rep4")
    assert champion.citation == "No. 3 by Attainment in 2026-03: 30.0 %."
    assert champion.grid == world.grids["R1-A1-G2"]
    again = services.awards_by_rules(period=MONTH)
    assert [r["given"] for r in again] == [[], [], []]
    assert awarded() == first


def test_a_rule_skips_the_reps_who_already_have_the_award(world):
    made = recognition_world(world)
    champ = AwardType.objects.get(pk=made["types"]["MONTH-CHAMP"])
    services.award_give(award_type=champ, rep=world.users["rep"], period=MONTH)
    report = services.awards_by_rules(period=MONTH)
    assert {"type": "MONTH-CHAMP", "period": "2026-03", "given": ["rep2"]} in report
    assert Award.objects.filter(award_type=champ, period=MONTH).count() == 2


def test_a_month_that_does_not_close_the_quarter_runs_only_the_monthly_rules(world):
    recognition_world(world)
    report = services.awards_by_rules(period="2026-02")
    assert report == [
        {"type": "MONTH-CHAMP", "period": "2026-02", "given": []},
        {"type": "TOP3-ATTAIN", "period": "2026-02", "given": []},
    ]


def test_rules_wait_until_the_period_is_over(world):
    recognition_world(world)
    with pytest.raises(ValidationError) as caught:
        services.awards_by_rules(period=MONTH, today=dt.date(2026, 3, 31))
    assert caught.value.messages == [
        "2026-03 is not over yet: awards are given for periods that have ended."
    ]
    with pytest.raises(ValidationError) as caught:
        services.awards_by_rules(period="March")
    assert caught.value.messages == [
        "“March” is not a month, quarter or year. Use 2026-03, 2026-Q1 or 2026."
    ]


def test_the_command_runs_the_rules_and_is_idempotent(world, capsys):
    recognition_world(world)
    call_command("recognition", "award", "--period", MONTH)
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "FIRST-100 2026-Q1: rep3",
        "MONTH-CHAMP 2026-03: rep, rep2",
        "TOP3-ATTAIN 2026-03: rep, rep3, rep4",
        "6 new award(s).",
    ]
    call_command("recognition", "award", "--period", MONTH)
    assert capsys.readouterr().out.splitlines()[-1] == "0 new award(s)."
    with pytest.raises(CommandError, match="not a month, quarter or year"):
        call_command("recognition", "award", "--period", "2026-13")


def test_the_same_award_is_never_given_twice_by_hand(world):
    made = recognition_world(world)
    newcomer = AwardType.objects.get(pk=made["types"]["BEST-NEWCOMER"])
    with pytest.raises(ValidationError) as caught:
        services.award_give(award_type=newcomer, rep=world.users["rep"], period="2026-02")
    assert caught.value.messages == [f"{world.users['rep']} already has “最佳新人” for 2026-02."]
