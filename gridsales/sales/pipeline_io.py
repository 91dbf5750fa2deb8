"""Deal export (CSV/XLSX): the list page's buttons, the API and `gridsales export
opportunities` (registered in sales/io.py)."""

from __future__ import annotations

import types

from django.utils import timezone
from django.utils.translation import gettext_lazy

from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.sales.models import Opportunity
from gridsales.sales.pipeline_filtersets import OpportunityFilterSet
from gridsales.sales.pipeline_selectors import weighted


def _when(value) -> str:
    return "" if value is None else timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


# One column list for every deal export; codes and usernames, like the other exports.
EXPORT_COLUMNS = [
    ("id", lambda o: o.pk),
    ("name", lambda o: o.name),
    ("customer_code", lambda o: o.customer.code),
    ("customer_name", lambda o: o.customer.name),
    ("pipeline", lambda o: o.pipeline.code),
    ("stage", lambda o: o.stage.name),
    ("state", lambda o: o.state),
    ("amount", lambda o: o.amount),
    ("probability", lambda o: o.stage.probability),
    ("weighted_amount", lambda o: weighted(o.amount, o.stage.probability)),
    ("expected_close", lambda o: o.expected_close or ""),
    ("owner", lambda o: o.owner.username),
    ("grid_code", lambda o: o.grid.code if o.grid else ""),
    ("source", lambda o: o.source),
    ("competitor", lambda o: o.competitor),
    ("loss_reason", lambda o: o.loss_reason),
    ("created_at", lambda o: _when(o.created_at)),
    ("closed_on", lambda o: o.closed_on or ""),
]


class OpportunityExporter:
    help = gettext_lazy("Opportunities as CSV (UTF-8 with BOM) or XLSX, filtered like the list")
    formats = ("csv", "xlsx")
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def queryset(self, *, user, params=None):
        qs = Opportunity.objects.all() if user is None else Opportunity.objects.restrict(user)
        if params:
            request = types.SimpleNamespace(user=user) if user is not None else None
            filterset = OpportunityFilterSet(params, queryset=qs, request=request)
            if filterset.is_valid():
                qs = filterset.qs
        return qs.select_related("customer", "owner", "pipeline", "stage", "grid").order_by(
            "-created_at", "-pk"
        )

    def rows(self, queryset):
        for deal in queryset.iterator(chunk_size=2000):
            yield [value(deal) for _header, value in EXPORT_COLUMNS]

    def write(self, *, user, fmt, stream, params=None) -> None:
        headers = [header for header, _value in EXPORT_COLUMNS]
        rows = self.rows(self.queryset(user=user, params=params))
        if fmt == "xlsx":
            write_xlsx(stream, headers, rows, title="opportunities")
        else:
            write_csv(stream, headers, rows)
