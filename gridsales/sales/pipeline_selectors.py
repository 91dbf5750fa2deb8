"""Scoped reads about deals: the Kanban board, a deal's stage history with the days spent
in each stage, and the conversion and cycle figures that analytics builds on.

All of them read only what `user` may see (`restrict(user, "view")`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from gridsales.core.money import to_fen
from gridsales.sales.choices import StageKind
from gridsales.sales.models import Opportunity, OpportunityStageChange, Pipeline, Stage

BOARD_CARDS = 50  # cards per column; the column links to the full list
SECONDS_PER_DAY = Decimal(86400)
TENTH = Decimal("0.1")


def visible_opportunities(user):
    return Opportunity.objects.restrict(user, "view")


def weighted(amount: Decimal, probability: int) -> Decimal:
    """amount × probability %, to the fen (half up)."""
    return to_fen(Decimal(amount) * probability / 100)


def _days(seconds) -> Decimal:
    return (Decimal(seconds) / SECONDS_PER_DAY).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    amount: Decimal = Decimal("0.00")
    weighted: Decimal = Decimal("0.00")
    cards: list = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.cards)


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    closed_since: dt.date | None

    @property
    def open_count(self) -> int:
        return sum(c.count for c in self.columns if c.stage.kind == StageKind.OPEN)

    @property
    def open_amount(self) -> Decimal:
        return sum((c.amount for c in self.columns if c.stage.kind == StageKind.OPEN), Decimal(0))

    @property
    def open_weighted(self) -> Decimal:
        return sum((c.weighted for c in self.columns if c.stage.kind == StageKind.OPEN), Decimal(0))


def board(
    user, pipeline: Pipeline, deals=None, *, closed_days: int | None = 90, today=None
) -> Board:
    """One column per stage: count, Σ amount, Σ weighted amount (Σ amount × the stage's
    probability, rounded once per column) and at most BOARD_CARDS cards, earliest expected
    close first (deals without one last), then the largest amount.

    `deals` is the user's visible deals already filtered (default: all of them). Won and
    lost columns hold the deals closed in the last `closed_days` days (None: all of them),
    so the board shows today's work rather than every deal ever closed. Three queries.
    """
    today = today or timezone.localdate()
    deals = (visible_opportunities(user) if deals is None else deals).filter(pipeline=pipeline)
    closed_since = None
    if closed_days is not None:
        closed_since = today - dt.timedelta(days=closed_days)
        deals = deals.filter(Q(state=StageKind.OPEN) | Q(closed_on__gte=closed_since))
    columns = {s.pk: BoardColumn(stage=s) for s in pipeline.stages.order_by("position")}
    totals = deals.order_by().values("stage_id").annotate(n=Count("pk"), total=Sum("amount"))
    for row in totals:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count = row["n"]
            column.amount = to_fen(row["total"] or 0)
            column.weighted = weighted(column.amount, column.stage.probability)
    ranked = (
        deals.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("expected_close").asc(nulls_last=True), F("amount").desc(), F("pk")],
            )
        )
        .filter(rank__lte=BOARD_CARDS)
        .select_related("customer", "owner")
        .order_by("stage_id", "rank")
    )
    for deal in ranked:
        columns[deal.stage_id].cards.append(deal)
    return Board(pipeline=pipeline, columns=list(columns.values()), closed_since=closed_since)


@dataclass
class HistoryRow:
    change: OpportunityStageChange
    days: Decimal | None  # time spent in `change.to_stage`; None for a closed deal's last


def stage_history(opportunity: Opportunity, *, now=None) -> tuple[list[HistoryRow], list]:
    """The deal's moves (first to last) with the days spent in the stage each one entered,
    and the total days per stage (a stage entered twice adds up), in pipeline order. The
    stage a deal is in counts until `now` while the deal is open."""
    now = now or timezone.now()
    changes = list(
        opportunity.stage_changes.select_related("from_stage", "to_stage", "user").order_by(
            "changed_at", "pk"
        )
    )
    rows: list[HistoryRow] = []
    per_stage: dict[int, Decimal] = defaultdict(Decimal)
    stages: dict[int, Stage] = {}
    for i, change in enumerate(changes):
        if i + 1 < len(changes):
            end = changes[i + 1].changed_at
        elif opportunity.state == StageKind.OPEN:
            end = now
        else:
            end = None
        days = None if end is None else _days((end - change.changed_at).total_seconds())
        rows.append(HistoryRow(change=change, days=days))
        if days is not None:
            per_stage[change.to_stage_id] += days
            stages[change.to_stage_id] = change.to_stage
    totals = sorted(
        ((stages[pk], days) for pk, days in per_stage.items()), key=lambda t: t[0].position
    )
    return rows, totals


@dataclass
class StageConversion:
    """Deals that entered `stage` in the period; of those, how many left it for another
    stage (forward, back or closed), how many are won now, and the mean days they stayed
    in it (over the deals that left; None when none has)."""

    stage: Stage
    entered: int = 0
    moved_on: int = 0
    won: int = 0
    mean_days: Decimal | None = None

    @property
    def moved_on_rate(self) -> Decimal | None:
        return _rate(self.moved_on, self.entered)

    @property
    def win_rate(self) -> Decimal | None:
        return _rate(self.won, self.entered)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(TENTH, rounding=ROUND_HALF_UP)


def _changes(user):
    changes = OpportunityStageChange.objects.all()
    return changes if user is None else changes.restrict(user, "view")


def _day_bounds(since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return start, end


def stage_conversion(
    pipeline: Pipeline, *, since: dt.date, until: dt.date, user
) -> list[StageConversion]:
    """Per stage of `pipeline`, in order, from OpportunityStageChange: the deals that
    entered it between `since` and `until` (local days, both included; a deal entering
    twice counts once, from its first entry in the period) and what became of them up to
    now: left the stage (`moved_on`), won (their latest move went to a won stage), and the
    mean days from that entry to the move out of the stage, to a tenth of a day (half up).

    `user` limits it to the deals the user sees (None: every deal, for the command line).
    """
    start, end = _day_bounds(since, until)
    stages = list(pipeline.stages.order_by("position"))
    kinds = {s.pk: s.kind for s in stages}
    result = {s.pk: StageConversion(stage=s) for s in stages}
    visible = _changes(user).filter(opportunity__pipeline=pipeline)
    cohort = visible.filter(changed_at__gte=start, changed_at__lt=end).values("opportunity_id")
    rows = (
        visible.filter(opportunity_id__in=cohort)
        .order_by("opportunity_id", "changed_at", "pk")
        .values_list("opportunity_id", "to_stage_id", "changed_at")
    )
    stays: dict[int, list[Decimal]] = defaultdict(list)

    def close(moves: list) -> None:
        if not moves:
            return
        won = kinds.get(moves[-1][0]) == StageKind.WON
        counted: set[int] = set()
        for i, (stage_id, at) in enumerate(moves):
            if stage_id in counted or not (start <= at < end) or stage_id not in result:
                continue
            counted.add(stage_id)
            entry = result[stage_id]
            entry.entered += 1
            entry.won += won
            if i + 1 < len(moves):
                entry.moved_on += 1
                stays[stage_id].append(_days((moves[i + 1][1] - at).total_seconds()))

    current, moves = None, []
    for opportunity_id, to_stage_id, changed_at in rows.iterator(chunk_size=5000):
        if opportunity_id != current:
            close(moves)
            current, moves = opportunity_id, []
        moves.append((to_stage_id, changed_at))
    close(moves)
    for stage_id, days in stays.items():
        mean = sum(days, Decimal(0)) / len(days)
        result[stage_id].mean_days = mean.quantize(TENTH, rounding=ROUND_HALF_UP)
    return [result[s.pk] for s in stages]


@dataclass
class SalesCycle:
    won: int
    mean_days: Decimal | None  # created → closed, in whole days averaged to a tenth


def sales_cycle(pipeline: Pipeline, *, since: dt.date, until: dt.date, user) -> SalesCycle:
    """Deals of `pipeline` won between `since` and `until` (their `closed_on`) and the mean
    number of days from their creation (local date) to that close."""
    deals = Opportunity.objects.all() if user is None else visible_opportunities(user)
    won = deals.filter(
        pipeline=pipeline, state=StageKind.WON, closed_on__gte=since, closed_on__lte=until
    ).values_list("created_at", "closed_on")
    spans = [(closed - timezone.localtime(created).date()).days for created, closed in won]
    if not spans:
        return SalesCycle(won=0, mean_days=None)
    mean = (Decimal(sum(spans)) / len(spans)).quantize(TENTH, rounding=ROUND_HALF_UP)
    return SalesCycle(won=len(spans), mean_days=mean)
