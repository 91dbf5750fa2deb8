"""What-if: apply two plans (or a plan and an edited copy) to a past month's actuals and
compare them side by side: total cost, cost as % of revenue, per rep and per grid, who
gains and who loses. Reads only; nothing is written."""

from __future__ import annotations

import json
from collections import defaultdict
from fractions import Fraction

from django.contrib.auth import get_user_model

from gridsales.grids.models import Grid
from gridsales.incentives.amounts import fen_str, fraction_str
from gridsales.incentives.calculator import Calculator
from gridsales.incentives.contract import parse_plan
from gridsales.incentives.feed import (
    draw_inputs,
    grid_members,
    period_facts,
    rep_plans,
    rep_targets,
)


def what_if(*, period: str, plans: list[dict]) -> dict:
    """Every rep with sales or a target in `period`, paid under each plan in `plans` (the
    calculator's JSON); money as strings with 2 decimals, shares with 4."""
    parsed = [parse_plan(json.dumps(p), file=f"plans[{i}]") for i, p in enumerate(plans)]
    facts = period_facts(period)
    targets = rep_targets(facts.months)
    reps = facts.reps | {rep for rep, month in targets if month == period}
    members = grid_members(period)
    hires, balances = draw_inputs(period)
    results = [
        Calculator(
            plan,
            (),
            targets,
            grouped=facts.grouped,
            memberships=members,
            hires=hires,
            draw_balances=balances,
        ).calculate(period)
        for plan in parsed
    ]
    reps |= {rep for res in results for rep in res.reps}  # pool shares and draws too
    grids = {rep: rp.grid_id for rep, rp in rep_plans(period, reps).items()}
    names = dict(get_user_model().objects.filter(pk__in=reps).values_list("pk", "username"))
    grid_codes = dict(Grid.objects.filter(pk__in=set(grids.values())).values_list("pk", "code"))
    revenue = sum((r.base_fen for r in results[0].reps.values()), 0) if results else 0
    per_rep = []
    per_grid: dict[str, list[int]] = defaultdict(lambda: [0] * len(results))
    for rep in sorted(reps, key=lambda r: names.get(r, "")):
        totals = [res.reps[rep].total_fen if rep in res.reps else 0 for res in results]
        grid = grid_codes.get(grids.get(rep), "")
        for i, t in enumerate(totals):
            per_grid[grid][i] += t
        per_rep.append(
            {
                "rep": names.get(rep, str(rep)),
                "grid": grid or None,
                "totals": [fen_str(t) for t in totals],
                "change": fen_str(totals[-1] - totals[0]) if totals else "0.00",
                "_change": totals[-1] - totals[0] if totals else 0,
            }
        )
    costs = [sum((r.total_fen for r in res.reps.values()), 0) for res in results]
    gainers = sorted((r for r in per_rep if r["_change"] > 0), key=lambda r: -r["_change"])
    losers = sorted((r for r in per_rep if r["_change"] < 0), key=lambda r: r["_change"])
    for row in per_rep:
        row.pop("_change")
    return {
        "period": period,
        "revenue": fen_str(revenue),
        "plans": [
            {
                "name": plan.name,
                "cost": fen_str(cost),
                "cost_share": fraction_str(Fraction(cost, revenue), 4) if revenue else None,
            }
            for plan, cost in zip(parsed, costs, strict=True)
        ],
        "reps": per_rep,
        "grids": [
            {"grid": code or None, "totals": [fen_str(t) for t in totals]}
            for code, totals in sorted(per_grid.items())
        ],
        "gainers": [r["rep"] for r in gainers],
        "losers": [r["rep"] for r in losers],
    }
