"""Activity export (CSV/XLSX) for `gridsales export activities`, the list page and the API.

Exports hold exactly what the user sees, filtered like the list (ActivityFilterSet).
"""

from __future__ import annotations

import types

from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridsales.activities.filtersets import ActivityFilterSet
from gridsales.activities.models import Activity
from gridsales.core.io.writers import write_csv, write_xlsx


def _moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _number(value):
    return "" if value is None else value


EXPORT_COLUMNS = [
    ("id", lambda a: a.pk),
    ("type", lambda a: a.type),
    ("status", lambda a: a.status),
    ("purpose", lambda a: a.purpose),
    ("subject", lambda a: a.subject),
    ("customer_code", lambda a: a.customer.code),
    ("customer_name", lambda a: a.customer.name),
    ("contact", lambda a: a.contact.name if a.contact else ""),
    ("owner", lambda a: a.owner.username),
    ("grid_code", lambda a: a.grid.code if a.grid else ""),
    ("planned_at", lambda a: _moment(a.planned_at)),
    ("done_at", lambda a: _moment(a.done_at)),
    ("duration_minutes", lambda a: _number(a.duration_minutes)),
    ("outcome", lambda a: a.outcome),
    ("notes", lambda a: a.notes),
    ("next_step", lambda a: a.next_step),
    ("next_step_due", lambda a: a.next_step_due.isoformat() if a.next_step_due else ""),
    ("next_step_done", lambda a: "yes" if a.next_step_done else "no"),
    ("checkin_at", lambda a: _moment(a.checkin_at)),
    ("checkin_lat", lambda a: _number(a.checkin_lat)),
    ("checkin_lng", lambda a: _number(a.checkin_lng)),
    ("checkin_accuracy_m", lambda a: _number(a.checkin_accuracy_m)),
    ("checkin_distance_m", lambda a: _number(a.checkin_distance_m)),
    ("checkin_flags", lambda a: ",".join(a.checkin_flags or [])),
    ("checkout_at", lambda a: _moment(a.checkout_at)),
]


class ActivityExporter:
    help = gettext_lazy("Activities as CSV (UTF-8 with BOM) or XLSX, with check-ins and flags")
    formats = ("csv", "xlsx")
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def queryset(self, *, user, params=None):
        qs = Activity.objects.all() if user is None else Activity.objects.restrict(user, "view")
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = ActivityFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("customer", "contact", "owner", "grid").order_by(
            "-planned_at", "-pk"
        )

    def rows(self, queryset):
        for activity in queryset.iterator(chunk_size=2000):
            yield [value(activity) for _header, value in EXPORT_COLUMNS]

    def write(self, *, user, fmt, stream, params=None) -> None:
        headers = [header for header, _value in EXPORT_COLUMNS]
        rows = self.rows(self.queryset(user=user, params=params))
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title="activities")
        else:
            write_csv(stream, headers, rows)


EXPORTERS = {"activities": ActivityExporter()}
