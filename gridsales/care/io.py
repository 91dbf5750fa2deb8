"""Care exports (CSV/XLSX), registered for `gridsales export`, /export/<kind>.<fmt> and the
API: `contact-status` (the due/overdue list with the page's filters) and `surveys`."""

from __future__ import annotations

import types

from django.utils.translation import gettext_lazy

from gridsales.care.contact_lists import contact_listing
from gridsales.care.filtersets import SurveyFilterSet
from gridsales.care.models import Survey
from gridsales.core.io.writers import write_csv, write_xlsx

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _day(value) -> str:
    return value.isoformat() if value else ""


def _write(stream, fmt: str, headers: list[str], rows, title: str) -> None:
    if fmt == "xlsx":
        write_xlsx(stream, headers, rows, title=title)
    else:
        write_csv(stream, headers, rows)


CONTACT_COLUMNS = [
    ("customer", lambda r: r.code),
    ("name", lambda r: r.name),
    ("tier", lambda r: r.tier),
    ("owner", lambda r: r.owner),
    ("grid", lambda r: r.grid),
    ("interval_days", lambda r: r.interval_days),
    ("last_contact", lambda r: _day(r.last_contact)),
    ("due_on", lambda r: _day(r.due_on)),
    ("state", lambda r: r.state),
    ("overdue_days", lambda r: r.overdue_days),
]


class ContactStatusExporter:
    help = gettext_lazy(
        "Customers overdue for a contact (state=due: due within 7 days; state=all: both)"
    )
    formats = ("csv", "xlsx")
    content_types = CONTENT_TYPES

    def write(self, *, user, fmt, stream, params=None) -> None:
        listing = contact_listing(
            user=user, params=params or {}, sort=(params or {}).get("sort", "")
        )
        rows = ([value(r) for _h, value in CONTACT_COLUMNS] for r in listing.shown)
        _write(stream, fmt, [h for h, _v in CONTACT_COLUMNS], rows, "contact-status")


SURVEY_COLUMNS = [
    ("id", lambda s: s.pk),
    ("template", lambda s: s.template.code),
    ("customer", lambda s: s.customer.code),
    ("customer_name", lambda s: s.customer.name),
    ("grid", lambda s: s.grid.code if s.grid_id else ""),
    ("channel", lambda s: s.channel),
    ("status", lambda s: s.status),
    ("sent_by", lambda s: s.sent_by.username),
    ("sent_at", lambda s: s.sent_at.isoformat()),
    ("answered_at", lambda s: s.answered_at.isoformat() if s.answered_at else ""),
    ("csat", lambda s: "" if s.csat is None else s.csat),
    ("nps", lambda s: "" if s.nps is None else s.nps),
    ("comment", lambda s: s.comment),
]


class SurveyExporter:
    help = gettext_lazy("Satisfaction surveys with their scores and comments")
    formats = ("csv", "xlsx")
    content_types = CONTENT_TYPES

    def queryset(self, *, user, params=None):
        qs = Survey.objects.all() if user is None else Survey.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = SurveyFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("template", "customer", "grid", "sent_by").order_by(
            "-sent_at", "-pk"
        )

    def write(self, *, user, fmt, stream, params=None) -> None:
        rows = (
            [value(s) for _h, value in SURVEY_COLUMNS]
            for s in self.queryset(user=user, params=params).iterator(chunk_size=2000)
        )
        _write(stream, fmt, [h for h, _v in SURVEY_COLUMNS], rows, "surveys")


EXPORTERS = {"contact-status": ContactStatusExporter(), "surveys": SurveyExporter()}
