"""The what-if page: a month, plan version A, and B (another version or an edited copy of
A in the rules form), compared by the what-if service (whatif.py, the same as
POST /api/v1/incentives/what-if/): total cost, cost as a share of revenue, every rep's
and grid's total under each (ECharts bars), who gains and who loses; CSV/XLSX export.

Finance, directors and admins only (403 for others), as the API.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.incentives.contract import InputError
from gridsales.incentives.forms import WhatIfForm
from gridsales.incentives.models import IncentivePlanVersion
from gridsales.incentives.views import can_finance
from gridsales.incentives.whatif import what_if
from gridsales.incentives.xlsx import XLSX


def last_month() -> str:
    first = timezone.localdate().replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year}-{previous.month:02d}"


def comparison(result: dict) -> dict:
    """The what-if service's answer, shaped for the page: the two plans side by side with
    the difference, the rows of who gains and who loses, the chart data."""
    plan_a, plan_b = result["plans"]
    cost_a, cost_b = Decimal(plan_a["cost"]), Decimal(plan_b["cost"])
    rows = []
    for row in result["reps"]:
        a, b = (Decimal(t) for t in row["totals"])
        rows.append(
            {
                "rep": row["rep"],
                "grid": row["grid"] or "",
                "a": a,
                "b": b,
                "change": b - a,
                "change_pct": None if not a else ((b - a) / abs(a) * 100).quantize(Decimal("0.1")),
            }
        )
    by_rep = {r["rep"]: r for r in rows}

    def share(value):
        return None if value is None else (Decimal(value) * 100).quantize(Decimal("0.01"))

    return {
        "period": result["period"],
        "revenue": Decimal(result["revenue"]),
        "plans": [
            {"name": plan_a["name"], "cost": cost_a, "share": share(plan_a["cost_share"])},
            {"name": plan_b["name"], "cost": cost_b, "share": share(plan_b["cost_share"])},
        ],
        "difference": cost_b - cost_a,
        "difference_pct": None
        if not cost_a
        else ((cost_b - cost_a) / abs(cost_a) * 100).quantize(Decimal("0.1")),
        "rows": rows,
        "gainers": [by_rep[name] for name in result["gainers"]],
        "losers": [by_rep[name] for name in result["losers"]],
        "chart": {
            "names": [plan_a["name"], plan_b["name"]],
            "reps": [r["rep"] for r in result["reps"]],
            "rep_totals": [[row["totals"][i] for row in result["reps"]] for i in (0, 1)],
            "grids": [g["grid"] or _("No grid") for g in result["grids"]],
            "grid_totals": [[g["totals"][i] for g in result["grids"]] for i in (0, 1)],
        },
    }


def export(data: dict, fmt: str) -> HttpResponse:
    headers = [
        _("Rep"),
        _("Grid"),
        data["plans"][0]["name"] or "A",
        data["plans"][1]["name"] or "B",
        _("Change"),
    ]
    rows = [
        [r["rep"], r["grid"], f"{r['a']:.2f}", f"{r['b']:.2f}", f"{r['change']:.2f}"]
        for r in data["rows"]
    ]
    stream = io.BytesIO()
    name = f"what-if-{data['period']}"
    if fmt == "xlsx":
        numbers = [[r[0], r[1], float(r[2]), float(r[3]), float(r[4])] for r in rows]
        write_xlsx(stream, headers, numbers, title=name)
        response = HttpResponse(stream.getvalue(), content_type=XLSX)
    else:
        write_csv(stream, headers, rows)
        response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def named(version: IncentivePlanVersion) -> dict:
    """The version's rules, named after the version for the comparison's columns."""
    return {**version.definition, "name": f"{version.plan.name} v{version.number}"}


class WhatIfView(LoginRequiredMixin, TemplateView):
    template_name = "incentives/whatif.html"

    def _versions(self):
        return (
            IncentivePlanVersion.objects.restrict(self.request.user, "view")
            .select_related("plan")
            .order_by("plan__code", "-number")
        )

    def _render(self, form, data=None, error=None, status=200):
        context = self.get_context_data(form=form, data=data, error=error, section="incentives")
        return self.render_to_response(context, status=status)

    def get(self, request):
        if not can_finance(request.user):
            raise PermissionDenied
        versions = self._versions()
        params = request.GET
        # ?a=&b= from the links; version_a/version_b from the "copy A's rules" button.
        a_id = params.get("a") or params.get("version_a") or ""
        b_id = params.get("b") or params.get("version_b") or ""
        a = versions.filter(pk=a_id).first() if a_id.isdigit() else None
        a = a or versions.first()
        initial = {
            "period": params.get("period") or last_month(),
            "version_a": a,
            "b_mode": params.get("b_mode") or "edit",
        }
        if b_id.isdigit():
            initial["version_b"] = versions.filter(pk=b_id).first()
        form = WhatIfForm(
            definition=a.definition if a else None, versions=versions, initial=initial
        )
        return self._render(form)

    def post(self, request):
        if not can_finance(request.user):
            raise PermissionDenied
        form = WhatIfForm(request.POST, versions=self._versions())
        if not form.is_valid():
            return self._render(form, status=400)
        cleaned = form.cleaned_data
        plan_a = named(cleaned["version_a"])
        if cleaned["b_mode"] == "version":
            plan_b = named(cleaned["version_b"])
        else:
            plan_b = form.definition
        try:
            result = what_if(period=cleaned["period"], plans=[plan_a, plan_b])
        except InputError as exc:
            return self._render(form, error=" ".join(exc.messages(_)), status=400)
        data = comparison(result)
        if data["plans"][0]["name"] == data["plans"][1]["name"]:
            data["plans"][1]["name"] += " (B)"
            data["chart"]["names"][1] = data["plans"][1]["name"]
        fmt = request.POST.get("export")
        if fmt in ("csv", "xlsx"):
            return export(data, fmt)
        return self._render(form, data=data)
