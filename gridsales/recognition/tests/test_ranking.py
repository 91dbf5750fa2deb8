"""The tie rule: standard competition ranking (1, 1, 3), names break the display order
within a tie, rows without a value last and unranked; top N keeps ties at the boundary."""

from decimal import Decimal

from gridsales.recognition.ranking import rank_rows, top


def ranks(rows, metric="revenue"):
    return [(r["rep"], r["rank"]) for r in rank_rows(rows, metric, name=lambda r: r["rep"])]


def test_equal_values_share_a_rank_and_the_next_rank_counts_everyone_before():
    rows = [
        {"rep": "d", "revenue": "50.00"},
        {"rep": "b", "revenue": "100.00"},
        {"rep": "a", "revenue": "100.00"},
        {"rep": "c", "revenue": "70.00"},
        {"rep": "e", "revenue": "70.00"},
    ]
    assert ranks(rows) == [("a", 1), ("b", 1), ("c", 3), ("e", 3), ("d", 5)]


def test_rows_without_a_value_come_last_unranked():
    rows = [
        {"rep": "x", "attainment": None},
        {"rep": "y", "attainment": "0.5000"},
        {"rep": "w", "attainment": None},
    ]
    assert ranks(rows, "attainment") == [("y", 1), ("w", None), ("x", None)]


def test_less_is_better_for_cycle_days_and_overdue_contacts():
    rows = [{"rep": "a", "overdue_contacts": 4}, {"rep": "b", "overdue_contacts": 1}]
    assert ranks(rows, "overdue_contacts") == [("b", 1), ("a", 2)]


def test_top_n_keeps_the_ties_at_the_boundary_and_drops_zero():
    rows = rank_rows(
        [
            {"rep": "a", "revenue": "9"},
            {"rep": "b", "revenue": "8"},
            {"rep": "c", "revenue": "7"},
            {"rep": "d", "revenue": "7"},
            {"rep": "e", "revenue": "6"},
            {"rep": "f", "revenue": "0"},
        ],
        "revenue",
        name=lambda r: r["rep"],
    )
    assert [r["rep"] for r in top(rows, 3, "revenue")] == ["a", "b", "c", "d"]
    assert [r["rep"] for r in top(rows, 6, "revenue")] == ["a", "b", "c", "d", "e"]
    assert rows[2]["number"] == Decimal("7")
