"""Customer 360: what the customer page shows about one customer, read in the user's scope:
key figures, the tabs' latest rows, quick actions (the timeline is customer360_timeline).

Every read goes through `Model.objects.restrict(user, "view")`, so a person sees on the
page exactly what each model's scope lets them see anywhere else. See docs/customer360.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import ActivityStatus, ActivityType
from gridsales.activities.models import Activity
from gridsales.care.cadence import ContactStatus, contact_status
from gridsales.care.choices import SurveyStatus
from gridsales.care.models import Survey
from gridsales.core.money import to_fen
from gridsales.core.scope import scope_for
from gridsales.customers.models import Customer
from gridsales.sales.choices import OrderLineStatus, StageKind
from gridsales.sales.models import Opportunity, Order, OrderLine

LIST_SIZE = 20  # rows per tab (orders, opportunities, activities, surveys)
SCORE_LOOKBACK = 20  # answered surveys searched for the latest CSAT and NPS
ZERO = Decimal("0.00")


def link(name: str, *args, **query) -> str:
    """The URL of route `name`, with `query` as its query string."""
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query)}" if query else url


def customer_for(user, pk: int) -> Customer:
    """The customer if `user` may see it, else 404."""
    queryset = Customer.objects.restrict(user, "view").select_related("owner", "current_grid")
    return get_object_or_404(queryset, pk=pk)


def may_work_on(user) -> bool:
    """May `user` record activities, deals and surveys for a customer they see? Everyone
    but the read-only roles (analyst, finance): the models' scopes then allow what the user
    creates (their own, for a customer in view)."""
    scope = scope_for(user)
    return scope.write_all or not scope.read_all


# -- key figures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NextContact:
    """When the customer should next be contacted: the cadence's due date, or the earliest
    planned activity when that comes first."""

    on: dt.date | None
    planned: Activity | None  # set when it decides `on`
    status: ContactStatus | None  # None for a lost customer


@dataclass(frozen=True)
class KeyFigures:
    revenue: Decimal  # non-cancelled line amounts − returns, to the fen
    returned: Decimal
    orders: int  # orders with at least one non-cancelled line
    last_order: Order | None
    last_order_url: str
    last_contact: Activity | None
    last_contact_url: str
    next_contact: NextContact
    pipeline_count: int
    pipeline_amount: Decimal
    pipeline_weighted: Decimal  # Σ amount × stage probability, to the fen
    csat: int | None
    csat_on: dt.datetime | None
    nps: int | None
    nps_on: dt.datetime | None


def key_figures(customer: Customer, user) -> KeyFigures:
    """The figures at the top of the page, each read in the user's scope."""
    lines = (
        OrderLine.objects.restrict(user, "view")
        .filter(customer=customer)
        .exclude(status=OrderLineStatus.CANCELLED)
        .aggregate(
            amount=Sum("amount"),
            returned=Sum("returned_amount"),
            orders=Count("order", distinct=True),
        )
    )
    amount, returned = lines["amount"] or ZERO, lines["returned"] or ZERO
    last_order = (
        Order.objects.restrict(user, "view")
        .filter(customer=customer)
        .exclude(status=OrderLineStatus.CANCELLED)
        .order_by("-order_date", "-number")
        .first()
    )
    activities = Activity.objects.restrict(user, "view").filter(customer=customer)
    last_contact = (
        activities.filter(status=ActivityStatus.DONE, done_at__isnull=False)
        .order_by("-done_at", "-pk")
        .first()
    )
    planned = (
        activities.filter(status=ActivityStatus.PLANNED, planned_at__isnull=False)
        .order_by("planned_at", "pk")
        .first()
    )
    deals = (
        Opportunity.objects.restrict(user, "view")
        .filter(customer=customer, state=StageKind.OPEN)
        .values_list("amount", "stage__probability")
    )
    deals = list(deals)
    weighted = sum((a * p for a, p in deals), Decimal(0)) / 100
    scores = (
        Survey.objects.restrict(user, "view")
        .filter(customer=customer, status=SurveyStatus.ANSWERED, answered_at__isnull=False)
        .order_by("-answered_at", "-pk")
        .values_list("csat", "nps", "answered_at")[:SCORE_LOOKBACK]
    )
    scores = list(scores)
    csat = next(((c, at) for c, _n, at in scores if c is not None), (None, None))
    nps = next(((n, at) for _c, n, at in scores if n is not None), (None, None))
    return KeyFigures(
        revenue=to_fen(amount - returned),
        returned=to_fen(returned),
        orders=lines["orders"],
        last_order=last_order,
        last_order_url=link("sales:order-detail", last_order.pk) if last_order else "",
        last_contact=last_contact,
        last_contact_url=link("activities:detail", last_contact.pk) if last_contact else "",
        next_contact=_next_contact(customer, planned),
        pipeline_count=len(deals),
        pipeline_amount=to_fen(sum((a for a, _p in deals), Decimal(0))),
        pipeline_weighted=to_fen(weighted),
        csat=csat[0],
        csat_on=csat[1],
        nps=nps[0],
        nps_on=nps[1],
    )


def _next_contact(customer: Customer, planned: Activity | None) -> NextContact:
    # The cadence is a fact about the customer (all its done contacts count), and the user
    # sees every activity of a customer in view, so reading it unscoped leaks nothing.
    status = contact_status(customer)
    due = status.due_on if status else None
    planned_on = timezone.localtime(planned.planned_at).date() if planned else None
    if planned_on is not None and (due is None or planned_on <= due):
        return NextContact(planned_on, planned, status)
    return NextContact(due, None, status)


# -- tabs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    obj: object
    url: str


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    rows: list[Row]
    see_all: str  # the other app's list filtered by this customer


def _rows(objects, route: str) -> list[Row]:
    return [Row(obj, link(route, obj.pk)) for obj in objects]


def tabs(customer: Customer, user) -> list[Tab]:
    """The latest rows of each kind, with a link to the full list of that kind."""
    orders = (
        Order.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("rep", "grid")
        .order_by("-order_date", "-number")[:LIST_SIZE]
    )
    deals = (
        Opportunity.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("stage", "owner")
        .order_by("-created_at", "-pk")[:LIST_SIZE]
    )
    activities = (
        activities_in_time(user, customer).select_related("owner", "contact").order_by("-at", "-pk")
    )[:LIST_SIZE]
    surveys = (
        Survey.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("template", "sent_by")
        .order_by("-sent_at", "-pk")[:LIST_SIZE]
    )
    code = customer.code  # the other apps' lists filter by ?customer=<code>
    return [
        Tab(
            "orders",
            _("Orders"),
            _rows(orders, "sales:order-detail"),
            link("sales:order-list", customer=code),
        ),
        Tab(
            "opportunities",
            _("Opportunities"),
            _rows(deals, "sales:opportunity-detail"),
            link("sales:opportunity-list", customer=code),
        ),
        Tab(
            "activities",
            _("Activities"),
            _rows(activities, "activities:detail"),
            link("activities:list", customer=code),
        ),
        Tab(
            "surveys",
            _("Surveys"),
            _rows(surveys, "care:survey-detail"),
            link("care:survey-list", customer=code),
        ),
    ]


def activities_in_time(user, customer: Customer) -> QuerySet:
    # An activity belongs in time where it was done, else where it was planned.
    return (
        Activity.objects.restrict(user, "view")
        .filter(customer=customer)
        .annotate(at=Coalesce("done_at", "planned_at", "created_at"))
    )


# -- quick actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    url: str


def quick_actions(customer: Customer, user, *, can_change: bool) -> list[Action]:
    """The buttons at the top: only those the user may use. The other apps' forms take the customer as ?customer=<code> (activities, deals) or
    ?customer=<id> (surveys), as their own lists and forms do."""
    code = customer.code
    candidates = []
    if may_work_on(user):
        visit = _next_own_visit(customer, user)
        if visit is not None:
            # Check-in lives on the planned visit's page (one tap there, with the position).
            candidates.append(
                Action("checkin", _("Check in here"), link("activities:detail", visit.pk))
            )
        candidates += [
            Action(
                "visit",
                _("Plan a visit"),
                link("activities:create", customer=code, type=ActivityType.VISIT),
            ),
            Action("activity", _("New activity"), link("activities:create", customer=code)),
            Action(
                "opportunity",
                _("New opportunity"),
                link("sales:opportunity-create", customer=code),
            ),
            Action(
                "survey", _("Send a survey link"), link("care:survey-send", customer=customer.pk)
            ),
        ]
    if can_change:
        candidates.append(Action("edit", _("Edit customer"), link("customers:edit", customer.pk)))
    return candidates


def _next_own_visit(customer: Customer, user) -> Activity | None:
    """The user's earliest planned visit to the customer (today's first, if any)."""
    return (
        Activity.objects.restrict(user, "view")
        .filter(
            customer=customer,
            owner=user,
            type=ActivityType.VISIT,
            status=ActivityStatus.PLANNED,
        )
        .order_by("planned_at", "pk")
        .only("pk")
        .first()
    )
