"""Route pages: the plan list, a day's route (map, order, times, navigation, calendar,
plan versus actual), planning a day, and the team week pages for managers."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.core.views import ScopedListView, can, scoped_object
from gridsales.grids import crs
from gridsales.routes import ics, selectors, services
from gridsales.routes.choices import RoutePlanStatus
from gridsales.routes.day import hhmm
from gridsales.routes.filtersets import RoutePlanFilterSet
from gridsales.routes.forms import PlanDayForm, PlanWeekForm
from gridsales.routes.messages import drop_message
from gridsales.routes.models import RoutePlan, WeekPlan
from gridsales.routes.navigate import amap_url, baidu_url
from gridsales.routes.week import may_plan_week


def _browser(lat: float, lng: float) -> tuple[float, float]:
    """(lat, lng) in the map tiles' coordinates (GCJ-02 tiles need shifted points)."""
    if settings.MAP_TILES_CRS == crs.GCJ02:
        lng, lat = crs.wgs84_to_gcj02(lng, lat)
    return round(float(lat), 6), round(float(lng), 6)


class RoutePlanListView(ScopedListView):
    model = RoutePlan
    filterset_class = RoutePlanFilterSet
    template_name = "routes/plan_list.html"
    table_template = "routes/_plan_table.html"
    sort_fields = {"day": "day", "rep": "rep__username", "status": "status", "km": "distance_m"}
    default_sort = "-day"

    def get_queryset(self):
        return selectors.plans_for(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PlanDayForm(user=self.request.user)
        context.update(
            plan_form=form if form.fields["rep"].queryset.exists() else None,
            may_see_weeks=selectors.may_see_weeks(self.request.user),
        )
        return context


class PlanDayView(LoginRequiredMixin, TemplateView):
    """GET: the form; POST: plan the day and open it."""

    template_name = "routes/plan_day.html"

    def get(self, request, *args, **kwargs):
        form = PlanDayForm(user=request.user)
        if not form.fields["rep"].queryset.exists():
            raise PermissionDenied
        return self.render_to_response({"form": form})

    def post(self, request, *args, **kwargs):
        form = PlanDayForm(data=request.POST, user=request.user)
        if not form.fields["rep"].queryset.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                plan = services.route_plan_day(
                    rep=form.cleaned_data["rep"], day=form.cleaned_data["day"], user=request.user
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, planned_message(plan))
                return redirect(plan.get_absolute_url())
        return self.render_to_response({"form": form}, status=400)


def planned_message(plan: RoutePlan) -> str:
    visits = sum(1 for s in plan.stops.all() if s.position and not s.is_lunch)
    left = plan.stops.filter(position__isnull=True).count()
    return _("Planned {visits} visits, {left} left out, in {seconds} s.").format(
        visits=visits, left=left, seconds=f"{plan.solve_seconds:.1f}"
    )


def plan_context(request, plan: RoutePlan) -> dict:
    """Everything the route page and its refreshed part show."""
    stops = list(plan.stops.select_related("customer"))
    planned = sorted((s for s in stops if s.position), key=lambda s: s.position)
    dropped = sorted((s for s in stops if not s.position), key=lambda s: (-s.priority, s.pk))
    actual = selectors.actuals(plan, planned)
    rows = []
    number = 0
    for stop in planned:
        if not stop.is_lunch:
            number += 1
        links = {}
        if stop.lat is not None and not stop.is_lunch:
            content = stop.address or stop.name
            links = {
                "amap": amap_url(stop.lat, stop.lng, stop.name),
                "baidu": baidu_url(stop.lat, stop.lng, stop.name, content),
            }
        rows.append(
            {
                "stop": stop,
                "number": None if stop.is_lunch else number,
                "links": links,
                "actual": actual.get(stop.pk),
                "late_by": round(stop.late_by),
                "wait": round(stop.wait or 0),
            }
        )
    depot = _browser(plan.depot_lat, plan.depot_lng)
    points = [
        {
            "n": row["number"],
            "name": row["stop"].name,
            "lunch": row["stop"].is_lunch,
            "late": row["stop"].is_late,
            "at": hhmm(row["stop"].start),
            "ll": _browser(row["stop"].lat, row["stop"].lng),
        }
        for row in rows
        if row["stop"].lat is not None
    ]
    return {
        "plan": plan,
        "rows": rows,
        "dropped": [
            {"stop": s, "message": drop_message(s.drop_reason, s.drop_params)} for s in dropped
        ],
        "late_count": sum(1 for s in planned if s.is_late),
        "can_change": can(request.user, plan, "change"),
        "map_data": {"depot": depot, "points": points},
        "back_late_by": round(plan.back_late_by),
    }


class RoutePlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "routes/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = scoped_object(self.request.user, RoutePlan, pk=self.kwargs["pk"])
        other = (
            RoutePlan.objects.restrict(self.request.user, "view")
            .filter(rep_id=plan.rep_id, day=plan.day)
            .exclude(pk=plan.pk)
            .first()
        )
        context.update(
            plan_context(self.request, plan),
            other=other,
            map_tiles=settings.MAP_TILES,
            map_attribution=settings.MAP_ATTRIBUTION,
            today=timezone.localdate(),
        )
        return context


def _wants_part(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


class RoutePlanReorderView(LoginRequiredMixin, View):
    """POST `order` (stop ids, comma-separated) or `stop` and `direction` (up/down): new
    times, no search. From the page's script: answers the refreshed part of the page."""

    def post(self, request, pk):
        plan = scoped_object(request.user, RoutePlan, "change", pk=pk)
        error = None
        try:
            ids = self._order(request, plan)
            plan = services.route_plan_reorder(plan=plan, stop_ids=ids, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if _wants_part(request):
            context = plan_context(request, plan) | {"error": error}
            return render(request, "routes/_plan_body.html", context, status=400 if error else 200)
        if error:
            messages.error(request, error)
        return redirect(plan.get_absolute_url())

    def _order(self, request, plan) -> list[int]:
        try:
            if request.POST.get("order"):
                return [int(x) for x in request.POST["order"].split(",") if x.strip()]
            ids = list(plan.stops.in_order().values_list("pk", flat=True))
            stop = int(request.POST.get("stop", ""))
        except ValueError:
            raise ValidationError(
                _("Send the new order as stop ids separated by commas, e.g. 12,15,13.")
            ) from None
        if stop not in ids:
            raise ValidationError(_("Stop {stop} is not planned in this route.").format(stop=stop))
        i = ids.index(stop)
        j = i - 1 if request.POST.get("direction") == "up" else i + 1
        if 0 <= j < len(ids):
            ids[i], ids[j] = ids[j], ids[i]
        return ids


class RoutePlanOptimiseView(LoginRequiredMixin, View):
    def post(self, request, pk):
        plan = scoped_object(request.user, RoutePlan, "change", pk=pk)
        result = services.route_plan_optimise(plan=plan, user=request.user)
        messages.success(request, planned_message(result))
        return redirect(result.get_absolute_url())


class RoutePlanConfirmView(LoginRequiredMixin, View):
    def post(self, request, pk):
        plan = scoped_object(request.user, RoutePlan, "change", pk=pk)
        services.route_plan_confirm(plan=plan, user=request.user)
        messages.success(request, _("The route is confirmed: it is the plan of the day."))
        return redirect(plan.get_absolute_url())


def plan_events(request, plan: RoutePlan) -> list[ics.Event]:
    midnight = timezone.make_aware(dt.datetime.combine(plan.day, dt.time.min))
    url = request.build_absolute_uri(plan.get_absolute_url())
    events, number = [], 0
    for stop in plan.stops.in_order().select_related("customer"):
        if stop.is_lunch:
            continue
        number += 1
        key = f"activity-{stop.activity_id}" if stop.activity_id else f"customer-{stop.customer_id}"
        lines = [
            _("Window {window} · {minutes} min · {kind}").format(
                window=stop.window_text(), minutes=round(stop.service), kind=stop.get_kind_display()
            )
        ]
        if stop.lat is not None:
            lines.append(_("Amap: {url}").format(url=amap_url(stop.lat, stop.lng, stop.name)))
            lines.append(
                _("Baidu Maps: {url}").format(url=baidu_url(stop.lat, stop.lng, stop.name))
            )
        events.append(
            ics.Event(
                uid=f"gridsales-route-{plan.rep_id}-{plan.day:%Y%m%d}-{key}@gridsales",
                start=midnight + dt.timedelta(minutes=round(stop.start)),
                end=midnight + dt.timedelta(minutes=round(stop.end)),
                summary=f"{number}. {stop.name}",
                description="\n".join(lines),
                location=stop.address or stop.name,
                geo=(stop.lat, stop.lng) if stop.lat is not None else None,
                url=url,
            )
        )
    return events


class RoutePlanIcsView(LoginRequiredMixin, View):
    """The day's visits as an .ics file for the phone's calendar."""

    def get(self, request, pk):
        plan = scoped_object(request.user, RoutePlan, pk=pk)
        midnight = timezone.make_aware(dt.datetime.combine(plan.day, dt.time.min))
        body = ics.calendar(
            plan_events(request, plan),
            tzid=settings.TIME_ZONE,
            name=_("Visits of {day}").format(day=f"{plan.day:%Y-%m-%d}"),
            stamp=timezone.now(),
            on=midnight,
        )
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        name = f"route-{plan.rep.username}-{plan.day:%Y-%m-%d}.ics"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class WeekPlanListView(LoginRequiredMixin, TemplateView):
    """Team weeks for managers (read-all roles read them): the list and the plan form."""

    template_name = "routes/week_list.html"

    def get(self, request, *args, **kwargs):
        if not selectors.may_see_weeks(request.user):
            raise PermissionDenied
        return self.render_to_response(self.context(request, PlanWeekForm(user=request.user)))

    def context(self, request, form) -> dict:
        has_grids = form.fields["grid"].queryset.exists()
        return {
            "weeks": selectors.weeks_for(request.user)[:100],
            "form": form if has_grids else None,
            "seconds": settings.ROUTES.week_time_limit,
        }

    def post(self, request, *args, **kwargs):
        form = PlanWeekForm(data=request.POST, user=request.user)
        if not form.fields["grid"].queryset.exists():
            raise PermissionDenied
        if form.is_valid():
            try:
                week = services.route_plan_week(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Planned {days} rep-days in {seconds} s.").format(
                        days=week.days.count(), seconds=f"{week.seconds:.1f}"
                    ),
                )
                return redirect(week.get_absolute_url())
        return self.render_to_response(self.context(request, form), status=400)


class WeekPlanDetailView(LoginRequiredMixin, TemplateView):
    template_name = "routes/week_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        week = scoped_object(self.request.user, WeekPlan, pk=self.kwargs["pk"])
        days, rows = selectors.week_table(week)
        unplanned = [
            {**row, "message": drop_message(row["reason"], row.get("params", {}), week=True)}
            for row in week.unplanned
        ]
        context.update(
            week=week,
            days=days,
            rows=rows,
            unplanned=unplanned,
            may_plan=may_plan_week(self.request.user, week.grid),
            seconds=settings.ROUTES.week_time_limit,
            confirmed=RoutePlanStatus.CONFIRMED,
        )
        return context
