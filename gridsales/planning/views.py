"""Planning pages: headcount per grid, scenarios (list, new, detail with the maps and the
run's progress, compare), and their actions (run, stop, move a unit, approve, apply)."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.accounts.choices import Role
from gridsales.core.io.writers import write_csv, write_xlsx
from gridsales.core.scope import scope_for
from gridsales.core.views import can, scoped_object
from gridsales.grids.map_views import geometry_for_browser
from gridsales.grids.models import Grid
from gridsales.planning import apply as apply_services
from gridsales.planning import services
from gridsales.planning.choices import ACTIVITIES, ACTIVITY_LABELS, ScenarioStatus
from gridsales.planning.forms import ApplyForm, MoveUnitForm, ScenarioForm
from gridsales.planning.headcount import config, headcount
from gridsales.planning.models import Scenario

SECTION = {"section": "planning"}
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
HEADCOUNT_SORTS = {
    "path": lambda r: r.grid.path,
    "code": lambda r: r.grid.code,
    "customers": lambda r: r.customers,
    "hours": lambda r: r.hours,
    "recommended": lambda r: r.recommended,
    "staffed": lambda r: r.staffed,
    "gap": lambda r: r.gap,
    "demand": lambda r: r.demand,
    "utilisation": lambda r: r.utilisation if r.utilisation is not None else -1,
}


def top_grid(user, code: str | None) -> Grid:
    """The grid named by `code` among the user's, or the top of the user's tree."""
    visible = Grid.objects.restrict(user, "view")
    if code:
        grid = visible.filter(code=code).first()
        if grid is None:
            raise Http404
        return grid
    grid = visible.order_by("depth", "path").first()
    if grid is None:
        raise Http404
    return grid


def may_plan(user, grid: Grid) -> bool:
    """Directors and administrators plan everywhere; regional managers under their grids."""
    scope = scope_for(user)
    if scope.write_all:
        return True
    return scope.role == Role.REGIONAL_MANAGER and any(
        grid.path.startswith(p) for p in scope.write_paths
    )


def may_approve(user) -> bool:
    return scope_for(user).role in (Role.ADMIN, Role.DIRECTOR)


def headcount_table(rows) -> tuple[list[str], list[list]]:
    cfg = config()
    headers = [
        _("Code"),
        _("Name"),
        _("Depth"),
        _("Customers"),
        _("Visits a year"),
        _("Workload (hours)"),
        _("Rep capacity (hours)"),
        _("Recommended reps"),
        _("Reps today"),
        _("Gap"),
        _("Utilisation"),
        _("Demand (12 months)"),
        _("Demand per rep"),
    ]
    body = [
        [
            r.grid.code,
            r.grid.name,
            r.grid.depth,
            r.customers,
            round(r.visits, 1),
            round(r.hours, 1),
            cfg.rep_hours,
            r.recommended,
            float(r.staffed),
            float(r.gap),
            round(r.utilisation, 3) if r.utilisation is not None else "",
            float(r.demand),
            float(r.demand_per_rep) if r.demand_per_rep is not None else "",
        ]
        for r in rows
    ]
    return headers, body


class HeadcountView(LoginRequiredMixin, TemplateView):
    """Workload, recommended reps and today's staffing per grid of a subtree."""

    template_name = "planning/headcount.html"

    def get(self, request, *args, **kwargs):
        code = request.GET.get("grid")
        if not code and not Grid.objects.restrict(request.user, "view").exists():
            # Nobody's grids: an empty page rather than an error.
            context = self.get_context_data(grid=None, rows=[], cfg=config(), **SECTION)
            return self.render_to_response(context)
        grid = top_grid(request.user, code)
        rows = headcount(grid=grid, user=request.user)
        sort = request.GET.get("sort", "path")
        key = sort.lstrip("-")
        if key not in HEADCOUNT_SORTS:
            sort, key = "path", "path"
        rows.sort(key=HEADCOUNT_SORTS[key], reverse=sort.startswith("-"))
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx"):
            headers, body = headcount_table(rows)
            stream = io.BytesIO()
            if fmt == "csv":
                write_csv(stream, headers, body)
                kind = "text/csv; charset=utf-8"
            else:
                write_xlsx(stream, headers, body, title=_("Headcount"))
                kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            response = HttpResponse(stream.getvalue(), content_type=kind)
            response["Content-Disposition"] = f'attachment; filename="headcount-{grid.code}.{fmt}"'
            return response
        context = self.get_context_data(
            grid=grid,
            rows=rows,
            sort=sort,
            cfg=config(),
            can_plan=may_plan(request.user, grid),
            **SECTION,
        )
        return self.render_to_response(context)


class ScenarioListView(LoginRequiredMixin, TemplateView):
    template_name = "planning/scenario_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        scenarios = Scenario.objects.restrict(user, "view").select_related("parent", "created_by")
        status = self.request.GET.get("status", "")
        if status in ScenarioStatus.values:
            scenarios = scenarios.filter(status=status)
        query = self.request.GET.get("q", "").strip()
        if query:
            scenarios = scenarios.filter(name__icontains=query) | scenarios.filter(
                parent__code__icontains=query
            )
        page = Paginator(scenarios.order_by("-created_at", "-pk"), 25).get_page(
            self.request.GET.get("page")
        )
        context.update(
            page_obj=page,
            objects=page.object_list,
            statuses=ScenarioStatus.choices,
            status=status,
            query=query,
            can_create=scope_for(user).write_all or scope_for(user).role == Role.REGIONAL_MANAGER,
            **SECTION,
        )
        return context


class ScenarioCreateView(LoginRequiredMixin, View):
    template = "planning/scenario_form.html"

    def grid(self, request) -> Grid:
        grid = top_grid(request.user, request.GET.get("grid") or request.POST.get("grid"))
        if not may_plan(request.user, grid):
            raise PermissionDenied
        return grid

    def get(self, request):
        grid = self.grid(request)
        from gridsales.planning.headcount import recommended_territories

        form = ScenarioForm(
            user=request.user,
            initial={
                "name": _("Redesign of {grid}").format(grid=grid.name),
                "territories": recommended_territories(grid=grid),
                "unit_source": "h3" if grid.geometry else "children",
            },
        )
        return render(request, self.template, {"form": form, "grid": grid, **SECTION})

    def post(self, request):
        grid = self.grid(request)
        form = ScenarioForm(request.POST, user=request.user)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "name"}
            try:
                scenario = services.scenario_create(
                    parent=grid, name=form.cleaned_data["name"], user=request.user, **fields
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if request.POST.get("run"):
                    services.scenario_run(scenario=scenario)
                return redirect(scenario.get_absolute_url())
        return render(request, self.template, {"form": form, "grid": grid, **SECTION}, status=400)


class ScenarioEditView(LoginRequiredMixin, View):
    """Change a scenario's settings (not while running, nor once approved); run again."""

    template = "planning/scenario_form.html"

    def scenario(self, request, pk) -> Scenario:
        scenario = scoped_object(request.user, Scenario, "change", pk=pk)
        if scenario.status not in services.RUNNABLE:
            raise PermissionDenied
        return scenario

    def get(self, request, pk):
        scenario = self.scenario(request, pk)
        form = ScenarioForm(instance=scenario, user=request.user)
        context = {"form": form, "grid": scenario.parent, "scenario": scenario, **SECTION}
        return render(request, self.template, context)

    def post(self, request, pk):
        scenario = self.scenario(request, pk)
        form = ScenarioForm(request.POST, instance=Scenario.objects.get(pk=pk), user=request.user)
        if form.is_valid():
            try:
                scenario = services.scenario_update(scenario=scenario, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                if request.POST.get("run"):
                    services.scenario_run(scenario=scenario)
                return redirect(scenario.get_absolute_url())
        context = {"form": form, "grid": scenario.parent, "scenario": scenario, **SECTION}
        return render(request, self.template, context, status=400)


def scenario_context(user, scenario: Scenario) -> dict:
    """What the detail page shows: both plans per territory, balance bars, the actions."""
    tau = float(scenario.tolerance)
    territories = []
    report = scenario.report or {}
    for t, row in enumerate(report.get("territories", [])):
        loads = report["loads"][t]
        bars = []
        for a in ACTIVITIES:
            dev = row["deviation"][a]
            bars.append(
                {
                    "activity": a,
                    "label": ACTIVITY_LABELS[a],
                    "load": loads[a],
                    "deviation": dev,
                    "percent": dev * 100,
                    # The bar: |deviation| on a scale of 2τ (capped), red beyond τ.
                    "width": min(100.0, abs(dev) / (2 * tau) * 100) if tau else 0,
                    "ok": abs(dev) <= tau + 1e-9,
                    "balanced": a in scenario.balance,
                }
            )
        territories.append(
            {
                "number": t + 1,
                "colour": PALETTE[t % len(PALETTE)],
                "units": row["units"],
                "diameter": row["diameter"],
                "contiguous": row["contiguous"],
                "bars": bars,
            }
        )
    can_change = can(user, scenario, "change")
    approver = may_approve(user)
    status = scenario.status
    return {
        "scenario": scenario,
        "territories": territories,
        "tau_percent": tau * 100,
        "report": report,
        "current_report": scenario.current_report or {},
        "current_grids": scenario.current_grids,
        "can_change": can_change,
        "can_run": can_change and status in services.RUNNABLE,
        "can_stop": can_change and scenario.is_running,
        "can_move": can_change
        and status in (ScenarioStatus.DONE, ScenarioStatus.STOPPED)
        and bool(scenario.assignment),
        "can_approve": approver
        and status in (ScenarioStatus.DONE, ScenarioStatus.STOPPED)
        and bool(scenario.assignment),
        "can_apply": approver and status == ScenarioStatus.APPROVED,
        "can_reopen": approver and status in (ScenarioStatus.APPROVED, ScenarioStatus.SCHEDULED),
        "can_delete": can_change
        and status not in (ScenarioStatus.APPLIED, ScenarioStatus.SCHEDULED)
        and not scenario.is_running,
        "map_tiles": settings.MAP_TILES,
        "successors": Grid.objects.filter(pk__in=scenario.successors).order_by("code"),
        "others": Scenario.objects.restrict(user, "view")
        .filter(parent=scenario.parent)
        .exclude(pk=scenario.pk)
        .order_by("-created_at")[:20],
        **SECTION,
    }


class ScenarioDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        scenario = scoped_object(request.user, Scenario, pk=pk)
        context = scenario_context(request.user, scenario)
        context.update(move_form=MoveUnitForm(), apply_form=ApplyForm())
        return render(request, "planning/scenario_detail.html", context)


class ScenarioProgressView(LoginRequiredMixin, View):
    """The progress box, polled by htmx while the run is queued or running; when the run
    ends it tells the page to reload (HX-Refresh) to show the plan."""

    def get(self, request, pk):
        scenario = scoped_object(request.user, Scenario, pk=pk)
        response = render(
            request,
            "planning/_progress.html",
            {"scenario": scenario, "can_stop": can(request.user, scenario, "change")},
        )
        if request.htmx and not scenario.is_running and request.GET.get("was") == "running":
            response["HX-Refresh"] = "true"
        return response


class ScenarioUnitsView(LoginRequiredMixin, View):
    """The units as GeoJSON with today's and the proposed grid, for the two maps."""

    def get(self, request, pk):
        scenario = scoped_object(request.user, Scenario, pk=pk)
        features = []
        for i, unit in enumerate(scenario.units):
            current = scenario.current[i] if i < len(scenario.current) else -1
            proposed = scenario.assignment[i] if i < len(scenario.assignment) else -1
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry_for_browser(unit["geometry"]),
                    "properties": {
                        "id": unit["id"],
                        "name": unit["name"],
                        "customers": unit["customers"],
                        "workload": round(unit["workload"], 2),
                        "demand": round(unit["demand"], 2),
                        "current": current,
                        "current_code": scenario.current_grids[current]["code"]
                        if current >= 0
                        else "",
                        "proposed": proposed,
                        "current_colour": PALETTE[current % len(PALETTE)]
                        if current >= 0
                        else "#cccccc",
                        "proposed_colour": PALETTE[proposed % len(PALETTE)]
                        if proposed >= 0
                        else "#cccccc",
                    },
                }
            )
        return JsonResponse({"type": "FeatureCollection", "features": features})


class ScenarioActionView(LoginRequiredMixin, View):
    """POST run / stop / move / approve / reopen / apply / delete."""

    def post(self, request, pk, action):
        scenario = scoped_object(request.user, Scenario, pk=pk)
        if action in ("run", "stop", "move", "delete") and not can(
            request.user, scenario, "change"
        ):
            raise PermissionDenied
        if action in ("approve", "reopen", "apply") and not may_approve(request.user):
            raise PermissionDenied
        try:
            if action == "run":
                services.scenario_run(scenario=scenario)
                messages.success(request, _("The run has been queued."))
            elif action == "stop":
                services.scenario_stop(scenario=scenario)
            elif action == "move":
                form = MoveUnitForm(request.POST)
                if not form.is_valid():
                    return self.invalid(request, scenario, move_form=form)
                services.scenario_move_unit(
                    scenario=scenario,
                    unit=form.cleaned_data["unit"],
                    territory=form.cleaned_data["territory"] - 1,
                )
            elif action == "approve":
                services.scenario_approve(scenario=scenario, user=request.user)
                messages.success(request, _("The scenario is approved."))
            elif action == "reopen":
                services.scenario_reopen(scenario=scenario, user=request.user)
            elif action == "apply":
                form = ApplyForm(request.POST)
                if not form.is_valid():
                    return self.invalid(request, scenario, apply_form=form)
                scenario = apply_services.scenario_schedule(
                    scenario=scenario,
                    effective_from=form.cleaned_data["effective_from"],
                    user=request.user,
                )
                if scenario.status == ScenarioStatus.APPLIED:
                    messages.success(request, _("The redesign is applied."))
                else:
                    messages.success(
                        request,
                        _("The redesign takes effect on {date}.").format(
                            date=scenario.effective_from.isoformat()
                        ),
                    )
            elif action == "delete":
                services.scenario_delete(scenario=scenario)
                messages.success(request, _("The scenario is deleted."))
                return redirect("planning:scenario-list")
            else:
                raise Http404
        except ValidationError as exc:
            forms = {}
            if action == "move":
                form = MoveUnitForm(request.POST)
                form.is_valid()
                form.add_service_errors(exc)
                forms["move_form"] = form
            elif action == "apply":
                form = ApplyForm(request.POST)
                form.is_valid()
                form.add_service_errors(exc)
                forms["apply_form"] = form
            else:
                for message in exc.messages:
                    messages.error(request, message)
                return redirect(scenario.get_absolute_url())
            return self.invalid(request, scenario, **forms)
        return redirect(scenario.get_absolute_url())

    def invalid(self, request, scenario, **forms):
        scenario.refresh_from_db()
        context = scenario_context(request.user, scenario)
        context.update(move_form=MoveUnitForm(), apply_form=ApplyForm())
        context.update(forms)
        return render(request, "planning/scenario_detail.html", context, status=400)


class ScenarioCompareView(LoginRequiredMixin, TemplateView):
    """Two scenarios' metrics side by side (?a=<id>&b=<id>)."""

    template_name = "planning/scenario_compare.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Scenario.objects.restrict(user, "view")
        try:
            ids = [int(self.request.GET[k]) for k in ("a", "b")]
        except (KeyError, ValueError):
            raise Http404 from None
        pair = []
        for pk in ids:
            scenario = visible.filter(pk=pk).select_related("parent").first()
            if scenario is None:
                raise Http404
            pair.append(scenario)
        rows = []

        def metric(label, getter, fmt="{}"):
            values = []
            for s in pair:
                try:
                    value = getter(s)
                except (KeyError, IndexError, TypeError, ValueError):
                    value = None
                values.append("—" if value is None else fmt.format(value))
            rows.append({"label": label, "values": values})

        metric(_("Grid to redesign"), lambda s: s.parent.code)
        metric(_("Status"), lambda s: s.get_status_display())
        metric(_("Basic units"), lambda s: len(s.units))
        metric(_("Grids (p)"), lambda s: s.territories)
        metric(_("Tolerance (τ)"), lambda s: float(s.tolerance) * 100, "{:.1f}%")
        metric(_("Balanced on"), lambda s: ", ".join(str(ACTIVITY_LABELS[a]) for a in s.balance))
        metric(
            _("Within τ"),
            lambda s: _("yes") if s.report["balanced_on"] else _("no"),
        )
        metric(
            _("Largest deviation (balanced activities)"),
            lambda s: s.report["balance_deviation"] * 100,
            "{:.1f}%",
        )
        metric(_("Largest deviation (all)"), lambda s: s.report["max_deviation"] * 100, "{:.1f}%")
        metric(_("Contiguous"), lambda s: _("yes") if s.report["contiguous"] else _("no"))
        metric(_("Largest diameter (km)"), lambda s: s.report["max_diameter"], "{:.2f}")
        metric(_("Units moved"), lambda s: s.report["moved"]["units"])
        metric(_("Customers moved"), lambda s: s.report["moved"]["customers"], "{:.0f}")
        metric(_("Workload moved (hours)"), lambda s: s.report["moved"]["workload"], "{:.1f}")
        metric(_("Units moved by hand"), lambda s: s.manual_moves)
        metric(_("Run time (s)"), lambda s: s.run_seconds, "{:.1f}")
        context.update(pair=pair, rows=rows, **SECTION)
        return context
