"""The dashboard tables as rows for CSV/XLSX (analytics.views.DashboardExportView): the
values exactly as the KPI API gives them (money to the fen, ratios to 4 decimals), as
numbers, so a spreadsheet can recompute them."""

from __future__ import annotations

from decimal import Decimal

from gridsales.analytics import dashboards as d
from gridsales.analytics.funnel import funnel

TABLES = ("cards", "series", "funnel", "ranking")


def _n(raw):
    if raw is None or isinstance(raw, int):
        return raw
    return Decimal(str(raw))


def export_table(user, scope: d.DashboardScope, options, table: str) -> tuple[list, list]:
    """(headers, rows) of one dashboard table for `scope` and the page's `options`."""
    if table == "cards":
        rows = [
            [c["metric"], _n(c["raw"]), _n(c["trends"][0]["raw"]), _n(c["trends"][1]["raw"])]
            for c in d.cards(user, scope)
        ]
        return ["metric", "value", "growth", "yoy"], rows
    if table == "series":
        data = d.series(user, scope, options.months)
        rows = [[r["month"], _n(r["revenue"]), _n(r["target"])] for r in data["rows"]]
        return ["month", "revenue", "target"], rows
    if table == "funnel":
        data = funnel(user, scope)
        rows = [
            [
                r["pipeline"],
                r["stage"],
                r["probability"],
                r["deals"],
                _n(r["amount"]),
                _n(r["weighted"]),
            ]
            for r in data["rows"]
        ]
        rows.append(["", "won", 100, data["won"], None, None])
        rows.append(["", "lost", 0, data["lost"], None, None])
        return ["pipeline", "stage", "probability", "deals", "amount", "weighted"], rows
    ranking = d.ranking(
        user,
        scope,
        group=options.group,
        sort=options.sort,
        descending=options.descending,
        top=options.top,
    )
    key = "rep" if options.group == "rep" else "grid"
    headers = ["rank", key, "name", *d.RANK_METRICS]
    rows = [[r["rank"], r["key"], r["name"], *(_n(r[m]) for m in d.RANK_METRICS)] for r in ranking]
    return headers, rows
