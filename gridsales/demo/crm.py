"""The demo company's CRM history, built after the grids, the team and the customers.

Two years up to today: products and orders (the fact table), pipelines and deals with
their stage moves, activities around the contact cadence, care policies and satisfaction
surveys. Rows are bulk-inserted, like an import (no per-row audit), but each one keeps
the invariants its model states: line amounts to the fen, order totals and statuses, the
grid and rep *at the event's date* (gridsales.demo.history), consistent stage histories.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from gridsales.demo.activities import build_activities
from gridsales.demo.care import build_policies, build_surveys
from gridsales.demo.catalogue import build_catalogue
from gridsales.demo.deals import build_deals
from gridsales.demo.history import Calendar, build_history
from gridsales.demo.plan import (
    ACTIVITIES_PER_CUSTOMER,
    DEALS_PER_CUSTOMER,
    DEFAULT_ORDER_LINES_PER_CUSTOMER,
    SURVEYS_PER_CUSTOMER,
    Leaf,
    Progress,
)
from gridsales.demo.sales import build_orders, fen


@dataclass(frozen=True)
class CrmSummary:
    """What build_crm made."""

    products: int
    orders: int
    order_lines: int
    revenue: Decimal
    moved_customers: int
    opportunities: int
    stage_changes: int
    activities: int
    surveys: int
    survey_answers: int


def build_crm(
    *,
    leaves: list[Leaf],
    seed: int,
    progress: Progress,
    order_lines_per_customer: float = DEFAULT_ORDER_LINES_PER_CUSTOMER,
) -> CrmSummary:
    """Build the CRM history for the customers already in the database."""
    calendar = Calendar(today=timezone.localdate(), now=timezone.now())
    history = build_history(leaves=leaves, calendar=calendar, seed=seed)
    catalogue = build_catalogue()
    orders = build_orders(
        history=history,
        catalogue=catalogue,
        lines_per_customer=order_lines_per_customer,
        seed=seed,
        progress=progress,
    )
    deals = build_deals(
        history=history, per_customer=DEALS_PER_CUSTOMER, seed=seed, progress=progress
    )
    build_policies()
    activities, visits = build_activities(
        history=history,
        orders=orders,
        deals=deals,
        per_customer=ACTIVITIES_PER_CUSTOMER,
        seed=seed,
        progress=progress,
    )
    surveys, answers = build_surveys(
        history=history,
        visits=visits,
        per_customer=SURVEYS_PER_CUSTOMER,
        seed=seed,
        progress=progress,
    )
    return CrmSummary(
        products=len(catalogue.ids),
        orders=len(orders.ids),
        order_lines=orders.lines,
        revenue=fen(orders.revenue_fen),
        moved_customers=int((history.moved_on >= 0).sum()),
        opportunities=len(deals.ids),
        stage_changes=deals.stage_changes,
        activities=activities,
        surveys=surveys,
        survey_answers=answers,
    )
