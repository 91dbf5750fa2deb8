"""The board's columns and the figures read from the stage history, with exact numbers."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from gridsales.sales import opportunities
from gridsales.sales.pipeline_selectors import (
    BOARD_CARDS,
    board,
    sales_cycle,
    stage_conversion,
    stage_history,
    weighted,
)
from gridsales.sales.tests.factories import OpportunityFactory, stage_at, standard_pipeline


def at(day: str, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def deal_with(world, customer: str, moves: list[tuple[int, str, int]], **kwargs):
    """A deal created at moves[0] (stage position, day, hour), then moved as listed."""
    position, day, hour = moves[0]
    deal = OpportunityFactory(
        customer=world.customers[customer],
        stage=stage_at(position),
        created_at=at(day, hour),
        **kwargs,
    )
    for position, day, hour in moves[1:]:
        opportunities.opportunity_move(
            opportunity=deal,
            stage=stage_at(position),
            user=None,
            moved_at=at(day, hour),
            loss_reason="价格" if position == 6 else "",
        )
    return deal


def test_weighted_amounts_are_rounded_half_up_to_the_fen():
    assert weighted(D("1334.57"), 10) == D("133.46")  # 133.457
    assert weighted(D("0.05"), 50) == D("0.03")  # 0.025
    assert weighted(D("999.99"), 25) == D("250.00")  # 249.9975


def test_board_columns_count_and_sum_each_stage(world):
    pipeline = standard_pipeline()
    g1 = world.customers["CUS-G1"]
    OpportunityFactory(customer=g1, amount=D("1234.56"))
    OpportunityFactory(customer=g1, amount=D("100.01"))
    OpportunityFactory(customer=g1, amount=D("999.99"), stage=stage_at(2))
    won = OpportunityFactory(customer=g1, amount=D("500.00"))
    opportunities.opportunity_move(opportunity=won, stage=stage_at(5), user=None)
    old = OpportunityFactory(customer=g1, amount=D("70.00"))
    long_ago = timezone.now() - dt.timedelta(days=100)
    opportunities.opportunity_move(
        opportunity=old, stage=stage_at(6), user=None, loss_reason="预算", moved_at=long_ago
    )
    the_board = board(world.users["admin"], pipeline)
    figures = [(c.stage.name, c.count, c.amount, c.weighted) for c in the_board.columns]
    assert figures == [
        ("线索", 2, D("1334.57"), D("133.46")),
        ("需求确认", 1, D("999.99"), D("250.00")),
        ("方案报价", 0, D("0.00"), D("0.00")),
        ("商务谈判", 0, D("0.00"), D("0.00")),
        ("赢单", 1, D("500.00"), D("500.00")),
        ("输单", 0, D("0.00"), D("0.00")),  # closed 100 days ago: not on a 90-day board
    ]
    assert (the_board.open_count, the_board.open_amount, the_board.open_weighted) == (
        3,
        D("2334.56"),
        D("383.46"),
    )
    everything = board(world.users["admin"], pipeline, closed_days=None)
    assert everything.columns[5].count == 1
    assert everything.closed_since is None


def test_cards_come_by_expected_close_then_amount_at_most_fifty(world):
    pipeline = standard_pipeline()
    g1 = world.customers["CUS-G1"]
    late = OpportunityFactory(customer=g1, name="晚", expected_close=dt.date(2026, 9, 1))
    undated = OpportunityFactory(customer=g1, name="无日期", amount=D("99999.00"))
    small = OpportunityFactory(
        customer=g1, name="小", amount=D("10.00"), expected_close=dt.date(2026, 6, 1)
    )
    big = OpportunityFactory(
        customer=g1, name="大", amount=D("20.00"), expected_close=dt.date(2026, 6, 1)
    )
    column = board(world.users["admin"], pipeline).columns[0]
    assert [c.name for c in column.cards] == [big.name, small.name, late.name, undated.name]
    assert not column.more
    for _ in range(BOARD_CARDS - 2):
        OpportunityFactory(customer=g1, expected_close=dt.date(2026, 7, 1))
    column = board(world.users["admin"], pipeline).columns[0]
    assert (column.count, len(column.cards), column.more) == (52, 50, True)
    assert undated not in column.cards and late not in column.cards


def test_the_board_shows_only_the_users_deals_in_three_queries(world, django_assert_num_queries):
    pipeline = standard_pipeline()
    OpportunityFactory(customer=world.customers["CUS-G1"], amount=D("1.00"))
    OpportunityFactory(customer=world.customers["CUS-R2"], amount=D("2.00"))
    rep2 = world.users["rep2"]
    board(rep2, pipeline)  # the scope is computed once per user object
    with django_assert_num_queries(3):
        the_board = board(rep2, pipeline)
    cards = [card.customer.code for c in the_board.columns for card in c.cards]
    assert cards == ["CUS-R2"]
    assert the_board.columns[0].amount == D("2.00")


def test_history_gives_the_days_spent_in_each_stage(world):
    deal = deal_with(
        world,
        "CUS-G1",
        [(1, "2026-03-02", 9), (2, "2026-03-04", 21), (1, "2026-03-05", 9), (3, "2026-03-06", 9)],
    )
    rows, totals = stage_history(deal, now=at("2026-03-08", 21))
    assert [(r.change.to_stage.name, r.days) for r in rows] == [
        ("线索", D("2.5")),
        ("需求确认", D("0.5")),
        ("线索", D("1.0")),
        ("方案报价", D("2.5")),  # still there: counted until now
    ]
    assert [(s.name, days) for s, days in totals] == [
        ("线索", D("3.5")),
        ("需求确认", D("0.5")),
        ("方案报价", D("2.5")),
    ]


def test_history_does_not_count_time_after_the_close(world):
    deal = deal_with(world, "CUS-G1", [(1, "2026-03-02", 9), (5, "2026-03-03", 9)])
    rows, totals = stage_history(deal, now=at("2026-05-01"))
    assert [r.days for r in rows] == [D("1.0"), None]
    assert [(s.name, days) for s, days in totals] == [("线索", D("1.0"))]


@pytest.fixture
def march(world):
    """Deals of CUS-G1 (rep's) moved in and around March 2026, and one of CUS-R2."""
    return {
        # 2.5 days in 线索, 5.5 in 需求确认, won.
        "A": deal_with(
            world, "CUS-G1", [(1, "2026-03-02", 9), (2, "2026-03-04", 21), (5, "2026-03-10", 9)]
        ),
        # 1 day in 线索, 2 in 需求确认, lost.
        "B": deal_with(
            world, "CUS-G1", [(1, "2026-03-05", 9), (2, "2026-03-06", 9), (6, "2026-03-08", 9)]
        ),
        # Still in 线索.
        "C": deal_with(world, "CUS-G1", [(1, "2026-03-20", 9)]),
        # Entered 线索 and 需求确认 in February, 方案报价 in March, won in April after 21 days.
        "D": deal_with(
            world,
            "CUS-G1",
            [
                (1, "2026-02-01", 9),
                (2, "2026-02-11", 9),
                (3, "2026-03-15", 9),
                (5, "2026-04-05", 9),
            ],
        ),
        # Created in April: not in March's cohort.
        "E": deal_with(world, "CUS-G1", [(1, "2026-04-02", 9)]),
        # Enters 线索 twice in March: counted once, from the first entry (1 day there).
        "G": deal_with(
            world, "CUS-G1", [(1, "2026-03-25", 9), (2, "2026-03-26", 9), (1, "2026-03-27", 9)]
        ),
        # Another grid's deal: only those who see CUS-R2 count it (2 days in 线索).
        "F": deal_with(world, "CUS-R2", [(1, "2026-03-03", 9), (2, "2026-03-05", 9)]),
    }


def figures(rows) -> list[tuple]:
    return [(r.stage.name, r.entered, r.moved_on, r.won, r.mean_days) for r in rows]


def test_stage_conversion_counts_the_periods_entries_and_what_became_of_them(world, march):
    rows = stage_conversion(
        standard_pipeline(),
        since=dt.date(2026, 3, 1),
        until=dt.date(2026, 3, 31),
        user=world.users["rep"],
    )
    assert figures(rows) == [
        ("线索", 4, 3, 1, D("1.5")),  # A, B, C, G; (2.5 + 1 + 1) / 3
        ("需求确认", 3, 3, 1, D("2.8")),  # A, B, G; (5.5 + 2 + 1) / 3 = 2.83
        ("方案报价", 1, 1, 1, D("21.0")),  # D
        ("商务谈判", 0, 0, 0, None),
        ("赢单", 1, 0, 1, None),  # A (D was won in April)
        ("输单", 1, 0, 0, None),  # B
    ]
    assert (rows[0].moved_on_rate, rows[0].win_rate) == (D("75.0"), D("25.0"))
    assert rows[3].moved_on_rate is None


def test_stage_conversion_reads_only_what_the_user_sees(world, march):
    since, until = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    pipeline = standard_pipeline()
    everyone = figures(stage_conversion(pipeline, since=since, until=until, user=None))
    admin = figures(stage_conversion(pipeline, since=since, until=until, user=world.users["admin"]))
    assert everyone == admin
    assert admin[:2] == [
        ("线索", 5, 4, 1, D("1.6")),  # + F: (2.5 + 1 + 1 + 2) / 4 = 1.625
        ("需求确认", 4, 3, 1, D("2.8")),  # + F, still there
    ]
    rep2 = stage_conversion(pipeline, since=since, until=until, user=world.users["rep2"])
    assert figures(rep2)[:2] == [("线索", 1, 1, 0, D("2.0")), ("需求确认", 1, 0, 0, None)]
    outsider = stage_conversion(pipeline, since=since, until=until, user=world.users["outsider"])
    assert all(r.entered == 0 for r in outsider)


def test_sales_cycle_is_the_mean_days_from_creation_to_the_win(world, march):
    pipeline = standard_pipeline()
    rep = world.users["rep"]
    march_only = sales_cycle(
        pipeline, since=dt.date(2026, 3, 1), until=dt.date(2026, 3, 31), user=rep
    )
    assert (march_only.won, march_only.mean_days) == (1, D("8.0"))  # A: 2 → 10 March
    spring = sales_cycle(pipeline, since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30), user=rep)
    assert (spring.won, spring.mean_days) == (2, D("35.5"))  # A 8 days, D 63 days
    none = sales_cycle(
        pipeline, since=dt.date(2026, 3, 1), until=dt.date(2026, 4, 30), user=world.users["rep2"]
    )
    assert (none.won, none.mean_days) == (0, None)
