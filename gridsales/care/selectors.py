"""Reads for customer care, scoped by user: the due/overdue contact lists with their
summaries by grid and rep, a customer's surveys, and survey results per grid and period."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from gridsales.care.cadence import ContactStatus, State, contact_status_rows
from gridsales.care.choices import SurveyStatus
from gridsales.care.models import Survey
from gridsales.care.results import Scores, summarise
from gridsales.core.scope import minimal_paths, scope_for
from gridsales.grids.models import Grid

# Contact lists ---------------------------------------------------------------------------

ROW_FIELDS = (
    "code",
    "name",
    "tier",
    "owner__username",
    "current_grid__code",
    "current_grid__name",
)
# ?state= of the lists → the states shown.
STATE_FILTERS = {
    "overdue": {State.OVERDUE},
    "due": {State.DUE},
    "all": {State.OVERDUE, State.DUE},
}


@dataclass(frozen=True)
class ContactRow:
    """One customer on the due/overdue lists: what the table shows, and its status."""

    code: str
    name: str
    tier: str
    owner: str
    grid: str
    grid_name: str
    grid_path: str
    status: ContactStatus

    @property
    def customer_id(self) -> int:
        return self.status.customer_id

    @property
    def state(self) -> str:
        return self.status.state

    @property
    def overdue_days(self) -> int:
        return self.status.overdue_days

    @property
    def due_on(self) -> dt.date | None:
        return self.status.due_on

    @property
    def last_contact(self) -> dt.date | None:
        return self.status.last_contact

    @property
    def interval_days(self) -> int | None:
        return self.status.interval_days


def contact_rows(customers, *, on: dt.date | None = None) -> list[ContactRow]:
    """Every customer of the (already scoped and filtered) queryset that is not lost, with
    its cadence status. Two queries, whatever the number of customers."""
    rows = []
    for (code, name, tier, owner, grid, grid_name, path), status in contact_status_rows(
        customers, on=on, fields=(*ROW_FIELDS, "current_grid__path")
    ):
        rows.append(
            ContactRow(
                code, name, tier, owner or "", grid or "", grid_name or "", path or "", status
            )
        )
    return rows


def rows_in_state(rows: list[ContactRow], state: str) -> list[ContactRow]:
    """The rows of `state` ("overdue", "due" within the week, or "all" of both)."""
    wanted = STATE_FILTERS.get(state, STATE_FILTERS["overdue"])
    return [r for r in rows if r.state in wanted]


# Sort keys of the list; None dates sort last.
_FAR = dt.date.max
SORTS = {
    "overdue": lambda r: (r.overdue_days, -(r.due_on or _FAR).toordinal(), r.code),
    "due": lambda r: (r.due_on or _FAR, r.code),
    "last": lambda r: (r.last_contact or dt.date.min, r.code),
    "code": lambda r: r.code,
    "name": lambda r: (r.name, r.code),
    "tier": lambda r: (r.tier, r.code),
    "owner": lambda r: (r.owner, r.code),
    "grid": lambda r: (r.grid, r.code),
}
DEFAULT_SORT = "-overdue"


def sort_rows(rows: list[ContactRow], sort: str) -> tuple[list[ContactRow], str]:
    """The rows in `sort` order ("key" or "-key"); an unknown key sorts by days overdue,
    the most overdue first. Returns the rows and the sort applied."""
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    return sorted(rows, key=SORTS[key], reverse=sort.startswith("-")), sort


@dataclass
class Tally:
    """Counts of one summary line: customers on a cadence, overdue, due within a week."""

    label: str
    grid: Grid | None = None
    code: str = ""
    on_cadence: int = 0
    overdue: int = 0
    due: int = 0
    customers: int = 0

    def add(self, row: ContactRow) -> None:
        self.customers += 1
        if row.state != State.NO_POLICY:
            self.on_cadence += 1
        if row.state == State.OVERDUE:
            self.overdue += 1
        elif row.state == State.DUE:
            self.due += 1


def summary_parent(*, user, grid: Grid | None) -> Grid | None:
    """The grid whose children the "overdue by grid" table lists: the chosen grid, or the
    user's only top grid (the company for read-all roles)."""
    if grid is not None:
        return grid
    scope = scope_for(user)
    if scope.read_all:
        roots = list(Grid.objects.filter(parent__isnull=True).order_by("code")[:2])
    else:
        paths = minimal_paths(scope.read_paths)
        roots = list(Grid.objects.filter(path__in=paths).order_by("code")[:2]) if paths else []
    return roots[0] if len(roots) == 1 else None


def summary_by_grid(rows: list[ContactRow], *, user, parent: Grid | None) -> list[Tally]:
    """One line per child of `parent` (its whole subtree) — or, without a parent, per top
    grid the user sees — plus lines for customers directly in `parent` and in no grid."""
    visible = Grid.objects.restrict(user, "view")
    if parent is not None:
        groups = list(visible.filter(parent=parent).order_by("code"))
    else:
        scope = scope_for(user)
        paths = minimal_paths(scope.read_paths) if not scope.read_all else ()
        groups = list(
            visible.filter(path__in=paths) if paths else visible.filter(parent__isnull=True)
        )
    tallies = {g.path: Tally(label=g.name, grid=g, code=g.code) for g in groups}
    direct = Tally(label=_("Directly in {grid}").format(grid=parent.code)) if parent else None
    loose = Tally(label=_("Without grid"))
    for row in rows:
        if not row.grid_path:
            loose.add(row)
            continue
        if parent is not None:
            if row.grid_path == parent.path:
                direct.add(row)
                continue
            rest = row.grid_path[len(parent.path) :]
            tally = tallies.get(parent.path + rest.split("/", 1)[0] + "/")
        else:
            tally = next((t for p, t in tallies.items() if row.grid_path.startswith(p)), None)
        if tally is not None:
            tally.add(row)
    found = sorted(tallies.values(), key=lambda t: (-t.overdue, t.code))
    return found + [t for t in (direct, loose) if t is not None and t.customers]


def summary_by_rep(rows: list[ContactRow]) -> list[Tally]:
    """One line per owner (rep), the most overdue first; customers without an owner last."""
    tallies: dict[str, Tally] = {}
    for row in rows:
        tally = tallies.get(row.owner)
        if tally is None:
            tally = tallies[row.owner] = Tally(label=row.owner or _("No owner"), code=row.owner)
        tally.add(row)
    return sorted(tallies.values(), key=lambda t: (not t.code, -t.overdue, t.code))


# Surveys ---------------------------------------------------------------------------------


def survey_list(*, user):
    """The surveys the user may see, with what the list shows."""
    return Survey.objects.restrict(user, "view").select_related(
        "template", "customer", "grid", "sent_by"
    )


def customer_surveys(customer, user):
    """The surveys of one customer that `user` may see, the newest first (for the customer
    page)."""
    return (
        Survey.objects.restrict(user, "view")
        .filter(customer=customer)
        .select_related("template", "sent_by")
        .order_by("-sent_at", "-pk")
    )


_PERIOD = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|[Qq]([1-4])))?$")


def parse_period(text: str) -> tuple[dt.date, dt.date]:
    """A year (2026), quarter (2026-Q1) or month (2026-03) → (first day, last day)."""
    match = _PERIOD.match((text or "").strip())
    if not match:
        raise ValidationError(
            _(
                "Period “{value}”: use a year (2026), a quarter (2026-Q1) or a month (2026-03)."
            ).format(value=text)
        )
    year = int(match.group(1))
    if match.group(2):
        first_month, months = int(match.group(2)), 1
    elif match.group(3):
        first_month, months = 3 * int(match.group(3)) - 2, 3
    else:
        first_month, months = 1, 12
    start = dt.date(year, first_month, 1)
    end_month = first_month + months
    end = dt.date(year + (end_month > 12), (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def answered_between(qs, start: dt.date, end: dt.date):
    """Answered surveys of `qs` answered from `start` to `end` (local days, inclusive)."""
    return qs.filter(
        status=SurveyStatus.ANSWERED,
        answered_at__gte=day_start(start),
        answered_at__lt=day_start(end + dt.timedelta(days=1)),
    )


@dataclass
class Results:
    """Survey results of a grid (subtree) and period: the totals, a line per child grid,
    and the latest comments."""

    grid: Grid | None
    start: dt.date
    end: dt.date
    scores: Scores
    children: list[tuple[Grid, Scores]] = field(default_factory=list)
    comments: list[Survey] = field(default_factory=list)


def _scores(items: list[tuple[int | None, int | None]]) -> Scores:
    return summarise(
        len(items), [c for c, _n in items if c is not None], [n for _c, n in items if n is not None]
    )


def survey_scores(*, user, grid: Grid | None, start: dt.date, end: dt.date) -> Scores:
    """Responses, mean CSAT and NPS of the surveys answered in the period, of the grid's
    subtree (the grid the customer was in when the survey was sent). One query."""
    qs = answered_between(Survey.objects.restrict(user, "view"), start, end)
    if grid is not None:
        qs = qs.filter(grid__path__startswith=grid.path)
    return _scores(list(qs.order_by().values_list("csat", "nps")))


def survey_results(
    *, user, grid: Grid | None, start: dt.date, end: dt.date, comments: int = 100
) -> Results:
    """The results page: totals, one line per child grid, the latest `comments` comments."""
    qs = answered_between(Survey.objects.restrict(user, "view"), start, end)
    if grid is not None:
        qs = qs.filter(grid__path__startswith=grid.path)
    items = list(qs.order_by().values_list("grid__path", "csat", "nps"))
    results = Results(grid, start, end, _scores([(c, n) for _p, c, n in items]))
    if grid is not None:
        by_child: dict[str, list] = defaultdict(list)
        for path, csat, nps in items:
            rest = (path or "")[len(grid.path) :]
            if rest:
                by_child[grid.path + rest.split("/", 1)[0] + "/"].append((csat, nps))
        children = Grid.objects.restrict(user, "view").filter(parent=grid).order_by("code")
        results.children = [(child, _scores(by_child.get(child.path, []))) for child in children]
    results.comments = list(
        qs.exclude(comment="")
        .select_related("customer", "template")
        .order_by("-answered_at", "-pk")[:comments]
    )
    return results
