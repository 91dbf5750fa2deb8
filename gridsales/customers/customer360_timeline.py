"""The customer 360 page's timeline: every event of one customer, newest first.

One small query per kind of event (at most a page + 1 rows each, older than a cursor),
merged in Python: a page costs the same number of queries whatever the history's length.
The cursor is the last item's (time, kind rank, id), so events of the same instant are
neither skipped nor repeated from one page to the next. See docs/customer360.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridsales.activities.choices import CheckInFlag
from gridsales.care.models import Survey
from gridsales.customers.customer360 import activities_in_time, link
from gridsales.customers.models import Customer, CustomerGridAssignment
from gridsales.sales.models import Opportunity, OpportunityStageChange, Order

PAGE_SIZE = 20


@dataclass(frozen=True)
class Item:
    """One event of the timeline. `kind` picks how it is drawn; `obj` is the row."""

    kind: str
    at: dt.datetime
    rank: int  # orders events of the same instant, so the cursor is exact
    pk: int
    obj: object
    url: str

    @property
    def key(self) -> tuple:
        return (self.at, self.rank, self.pk)

    @property
    def cursor(self) -> str:
        return encode_cursor(self.key)


@dataclass(frozen=True)
class Source:
    """One kind of event: where it is read, which field dates it, where it links."""

    kind: str
    chip: str
    rank: int
    field: str  # the field (or annotation) dating the event
    read: Callable[[object, Customer], QuerySet]
    route: str
    route_pk: Callable[[object], int] = lambda obj: obj.pk
    is_date: bool = False  # `field` is a date: the event sits at the start of that day

    def at(self, obj) -> dt.datetime:
        value = getattr(obj, self.field)
        return _start_of(value) if self.is_date else value


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


SOURCES = (
    Source(
        "order",
        "order",
        6,
        "order_date",
        lambda user, c: Order.objects.restrict(user, "view").filter(customer=c),
        "sales:order-detail",
        is_date=True,
    ),
    Source(
        "survey_answered",
        "survey",
        5,
        "answered_at",
        lambda user, c: (
            Survey.objects.restrict(user, "view")
            .filter(customer=c, answered_at__isnull=False)
            .select_related("template", "contact")
        ),
        "care:survey-detail",
    ),
    Source(
        "survey_sent",
        "survey",
        4,
        "sent_at",
        lambda user, c: (
            Survey.objects.restrict(user, "view")
            .filter(customer=c)
            .select_related("template", "sent_by", "contact")
        ),
        "care:survey-detail",
    ),
    Source(
        "stage",
        "opportunity",
        3,
        "changed_at",
        lambda user, c: (
            OpportunityStageChange.objects.restrict(user, "view")
            .filter(opportunity__customer=c, from_stage__isnull=False)
            .select_related("opportunity", "from_stage", "to_stage")
        ),
        "sales:opportunity-detail",
        route_pk=lambda obj: obj.opportunity_id,
    ),
    Source(
        "opportunity",
        "opportunity",
        2,
        "created_at",
        lambda user, c: (
            Opportunity.objects.restrict(user, "view")
            .filter(customer=c)
            .select_related("stage", "owner")
        ),
        "sales:opportunity-detail",
    ),
    Source(
        "activity",
        "activity",
        1,
        "at",
        lambda user, c: activities_in_time(user, c).select_related("owner", "contact"),
        "activities:detail",
    ),
    Source(
        "assignment",
        "assignment",
        0,
        "valid_from",
        lambda user, c: (
            CustomerGridAssignment.objects.restrict(user, "view")
            .filter(customer=c)
            .select_related("grid", "nearest_grid")
        ),
        "",
    ),
)

# The filter chips above the timeline: key → label.
CHIPS = {
    "": _("All"),
    "order": _("Orders"),
    "activity": _("Activities"),
    "opportunity": _("Opportunities"),
    "survey": _("Surveys"),
    "assignment": _("Grid changes"),
}


def encode_cursor(key: tuple) -> str:
    """ "<UTC microseconds>.<rank>.<pk>": where the next page starts (strictly older)."""
    at, rank, pk = key
    micros = round(at.timestamp() * 1_000_000)
    return f"{micros}.{rank}.{pk}"


def decode_cursor(text: str | None) -> tuple | None:
    """The key of a cursor, or None for a missing or malformed one (start at the top)."""
    try:
        micros, rank, pk = (int(part) for part in (text or "").split("."))
        at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
    except (ValueError, OverflowError):
        return None
    return (at, rank, pk)


def _older_q(source: Source, cursor: tuple) -> Q:
    """Rows of `source` whose (time, rank, pk) comes after the cursor in newest-first order."""
    at, rank, pk = cursor
    name = source.field
    if source.is_date:
        day = timezone.localtime(at).date()
        if _start_of(day) != at:
            # The cursor lies inside `day`: everything dated that day or before is older.
            return Q(**{f"{name}__lte": day})
        older, same = Q(**{f"{name}__lt": day}), Q(**{name: day})
    else:
        older, same = Q(**{f"{name}__lt": at}), Q(**{name: at})
    if source.rank < rank:
        return older | same
    if source.rank == rank:
        return older | (same & Q(pk__lt=pk))
    return older


@dataclass(frozen=True)
class TimelinePage:
    items: list[Item]
    chip: str
    next_cursor: str  # "" on the last page

    @property
    def flag_labels(self) -> dict:
        return dict(CheckInFlag.choices)


def timeline(
    customer: Customer, user, *, chip: str = "", before: str | None = None, size: int = PAGE_SIZE
) -> TimelinePage:
    """One page of the customer's events, newest first: orders, activities, deals and their
    stage moves, surveys sent and answered, grid changes. One query per kind (at most
    size + 1 rows each) whatever the history's length."""
    chip = chip if chip in CHIPS else ""
    cursor = decode_cursor(before)
    found: list[Item] = []
    for source in SOURCES:
        if chip and source.chip != chip:
            continue
        queryset = source.read(user, customer)
        if cursor is not None:
            queryset = queryset.filter(_older_q(source, cursor))
        for obj in queryset.order_by(f"-{source.field}", "-pk")[: size + 1]:
            url = link(source.route, source.route_pk(obj)) if source.route else ""
            found.append(Item(source.kind, source.at(obj), source.rank, obj.pk, obj, url))
    found.sort(key=lambda item: item.key, reverse=True)
    page = found[:size]
    more = len(found) > size
    return TimelinePage(page, chip, page[-1].cursor if more else "")
