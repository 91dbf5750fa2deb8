"""The funnel of a dashboard (docs/dashboards.md): the deals open at the end of the period
per stage, and the deals won and lost in it, in the dashboard's scope."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from gridsales.analytics import kpi
from gridsales.analytics.dashboards import DashboardScope
from gridsales.analytics.selectors import keyer_for
from gridsales.analytics.sources import _end_moment
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Stage


def funnel(user, scope: DashboardScope) -> dict:
    """Deals open at the end of the period per stage (in the stage they stood in then, as
    the weighted pipeline KPI counts them), and the deals won and lost in the period; in
    the scope's grid subtree (as recorded, or restated) and for the scope's rep."""
    request = scope.request(("pipeline_weighted",))
    keyer = keyer_for(user, request)
    grid = "customer__current_grid_id" if scope.restated else "grid_id"
    deals = Opportunity.objects.filter(keyer.where(grid))
    if scope.rep is not None:
        deals = deals.filter(owner_id=scope.rep.pk)
    period = scope.period
    end = _end_moment(period)
    open_then = list(
        deals.filter(created_at__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=period.end))
        .values_list("pk", "stage_id", "amount")
        .order_by()
    )
    stage_of = {pk: stage for pk, stage, _amount in open_then}
    moved_later = set(
        OpportunityStageChange.objects.filter(
            opportunity_id__in=list(stage_of), changed_at__gte=end
        ).values_list("opportunity_id", flat=True)
    )
    if moved_later:
        then: dict = dict.fromkeys(moved_later)
        changes = (
            OpportunityStageChange.objects.filter(
                opportunity_id__in=moved_later, changed_at__lt=end
            )
            .order_by("opportunity_id", "changed_at", "pk")
            .values_list("opportunity_id", "to_stage_id")
        )
        for pk, stage in changes:
            then[pk] = stage
        stage_of.update(then)
    closed = dict(
        deals.filter(
            state__in=[StageKind.WON, StageKind.LOST],
            closed_on__range=(period.start, period.end),
        )
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    sums: dict = defaultdict(lambda: {"deals": 0, "amount": Decimal(0)})
    for pk, _stage, amount in open_then:
        stage = stage_of.get(pk)
        if stage is None:
            continue
        sums[stage]["deals"] += 1
        sums[stage]["amount"] += amount
    stages = Stage.objects.filter(pk__in=list(sums)).select_related("pipeline")
    rows = []
    for stage in sorted(stages, key=lambda s: (s.pipeline.code, s.position)):
        if stage.kind != StageKind.OPEN:
            continue  # closed by the end of the period and reopened later: not open then
        s = sums[stage.pk]
        weighted = s["amount"] * stage.probability / 100
        rows.append(
            {
                "stage": stage.name,
                "pipeline": stage.pipeline.name,
                "probability": stage.probability,
                "deals": s["deals"],
                "amount": kpi.money(s["amount"]),
                "weighted": kpi.money(weighted),
            }
        )
    won, lost = closed.get(StageKind.WON, 0), closed.get(StageKind.LOST, 0)
    return {
        "rows": rows,
        "won": won,
        "lost": lost,
        "win_rate": kpi.ratio(won, won + lost),
        "weighted": kpi.money(sum((Decimal(r["weighted"]) for r in rows), Decimal(0))),
    }
