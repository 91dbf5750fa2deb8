"""Feedback export (CSV/XLSX), registered for `gridsales export`, /export/feedback.<fmt>."""

from __future__ import annotations

import types

from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.feedback.filtersets import FeedbackFilterSet
from gridsales.feedback.models import Feedback

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS = [
    ("id", lambda f: f.pk),
    ("created_at", lambda f: _moment(f.created_at)),
    ("category", lambda f: f.category),
    ("status", lambda f: f.status),
    ("grid", lambda f: f.grid.code if f.grid_id else ""),
    ("customer", lambda f: f.customer.code if f.customer_id else ""),
    ("author", lambda f: f.author.username),
    ("text", lambda f: f.text),
    ("response", lambda f: f.response),
    ("handled_by", lambda f: f.handled_by.username if f.handled_by_id else ""),
    ("handled_at", lambda f: _moment(f.handled_at)),
]


class FeedbackExporter:
    help = gettext_lazy("Feedback items with their status and response")
    formats = ("csv", "xlsx")
    content_types = CONTENT_TYPES

    def queryset(self, *, user, params=None):
        qs = Feedback.objects.all() if user is None else Feedback.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = FeedbackFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("grid", "customer", "author", "handled_by").order_by(
            "-created_at", "-pk"
        )

    def write(self, *, user, fmt, stream, params=None) -> None:
        rows = (
            [value(f) for _h, value in COLUMNS]
            for f in self.queryset(user=user, params=params).iterator(chunk_size=2000)
        )
        headers = [h for h, _v in COLUMNS]
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title="feedback")
        else:
            write_csv(stream, headers, rows)


EXPORTERS = {"feedback": FeedbackExporter()}
