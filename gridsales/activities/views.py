"""Activity pages: list (filters, sort, export), detail, plan/edit/log/cancel/delete forms,
and the rep's Today page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from gridsales.activities import services, today
from gridsales.activities.choices import ActivityStatus, ActivityType, CheckInFlag
from gridsales.activities.filtersets import ActivityFilterSet
from gridsales.activities.forms import ActivityCompleteForm, ActivityForm
from gridsales.activities.models import Activity
from gridsales.core.scope import scope_for
from gridsales.core.views import (
    ScopedListView,
    ServiceDeleteView,
    ServiceFormView,
    can,
    scoped_object,
)
from gridsales.customers.models import Customer
from gridsales.grids import crs

FLAG_LABELS = dict(CheckInFlag.choices)


def flag_labels(activity: Activity) -> list[str]:
    return [str(FLAG_LABELS.get(code, code)) for code in activity.checkin_flags or []]


def checkin_messages() -> dict[str, str]:
    """What checkin.js says, in the user's language ({time}, {distance}… filled in by it)."""
    return {
        "locating": _("Finding your position…"),
        "sending": _("Sending…"),
        "denied": _(
            "Location is blocked for this site. Allow location in the browser's site settings, then tap again."
        ),
        "unavailable": _(
            "Your position is not available. Turn on location services (GPS) and tap again."
        ),
        "timeout": _(
            "Finding your position took too long. Move near a window or outdoors and tap again."
        ),
        "insecure": _(
            "The browser shares your position only over HTTPS: open the https:// address of GridSales."
        ),
        "unsupported": _("This browser cannot share its position."),
        "checked_in": _("Checked in at {time}."),
        "distance": _("{distance} m from the customer"),
        "no_customer_location": _("The customer has no location: no distance."),
        "accuracy": _("accuracy ±{accuracy} m"),
        "failed": _("Not saved: {reason}"),
        "network": _("No connection to the server. Check your network and tap again."),
        "checkout_without_position": _(
            "Your position is not available. Check out without a position?"
        ),
        "checked_out": _("Checked out. Now log the visit…"),
    }


def local_url(request, target: str | None, default: str) -> str:
    """`target` when it is an address of this site (never send users elsewhere)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def may_create(user) -> bool:
    """Read-only roles (analyst, finance) plan and log nothing."""
    scope = scope_for(user)
    return scope.write_all or not scope.read_all


class ActivityListView(ScopedListView):
    model = Activity
    filterset_class = ActivityFilterSet
    template_name = "activities/activity_list.html"
    table_template = "activities/_activity_table.html"
    sort_fields = {
        "planned": "planned_at",
        "done": "done_at",
        "type": "type",
        "status": "status",
        "subject": "subject",
        "customer": "customer__code",
        "owner": "owner__username",
        "grid": "grid__code",
        "distance": "checkin_distance_m",
    }
    default_sort = "-planned"

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "owner", "grid")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_create"] = may_create(self.request.user)
        context["flag_labels"] = FLAG_LABELS
        return context


def _map_point(lng, lat) -> list[float] | None:
    """[lat, lng] in the tile source's coordinates (WGS-84, or GCJ-02 for Chinese tiles)."""
    if lat is None or lng is None:
        return None
    if settings.MAP_TILES_CRS == crs.GCJ02:
        lng, lat = crs.wgs84_to_gcj02(lng, lat)
    return [float(lat), float(lng)]


class ActivityDetailView(LoginRequiredMixin, TemplateView):
    template_name = "activities/activity_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        activity = scoped_object(user, Activity, pk=self.kwargs["pk"])
        can_change = can(user, activity, "change")
        points = {
            "customer": _map_point(activity.customer.lng, activity.customer.lat),
            "checkin": _map_point(activity.checkin_lng, activity.checkin_lat),
            "checkout": _map_point(activity.checkout_lng, activity.checkout_lat),
        }
        context.update(
            activity=activity,
            flags=flag_labels(activity),
            can_change=can_change,
            can_delete=can(user, activity, "delete"),
            is_visit=activity.type == ActivityType.VISIT,
            map_points=points if points["checkin"] else None,
            map_tiles=settings.MAP_TILES,
            map_attribution=settings.MAP_ATTRIBUTION,
            radius_m=settings.CHECKIN_RADIUS_M,
            flag_labels=FLAG_LABELS,
            checkin_messages=checkin_messages(),
            next=activity.get_absolute_url(),
            follow_ups=activity.follow_ups.restrict(user, "view").order_by("planned_at")[:20],
        )
        return context


class ActivityFormMixin:
    model = Activity
    form_class = ActivityForm
    template_name = "activities/activity_form.html"

    def customer_from_query(self):
        code = self.request.GET.get("customer")
        if not code:
            return None
        return Customer.objects.restrict(self.request.user, "view").filter(code=code).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        instance = context.get("object")
        context["cancel_url"] = (
            instance.get_absolute_url() if instance else reverse("activities:list")
        )
        return context


class ActivityCreateView(ActivityFormMixin, ServiceFormView):
    action = "add"

    def get_form(self, instance):
        if self.request.method == "POST":
            return self.form_class(data=self.request.POST, user=self.request.user)
        initial = {"status": ActivityStatus.PLANNED}
        customer = self.customer_from_query()
        if customer is not None:
            initial["customer"] = customer
        for name in ("type", "purpose", "status"):
            if self.request.GET.get(name):
                initial[name] = self.request.GET[name]
        return self.form_class(initial=initial, user=self.request.user)

    def save(self, form):
        return services.activity_create(user=self.request.user, **form.cleaned_data)


class ActivityUpdateView(ActivityFormMixin, ServiceFormView):
    def get_form(self, instance):
        if self.request.method == "POST":
            return super().get_form(instance)
        customer = self.customer_from_query()
        initial = {"customer": customer} if customer is not None else {}
        return self.form_class(instance=instance, initial=initial, user=self.request.user)

    def save(self, form):
        return services.activity_update(activity=form.instance, **form.cleaned_data)


class ActivityCompleteView(ServiceFormView):
    """Log an activity: outcome, notes, next step (after check-out: the visit's log)."""

    model = Activity
    form_class = ActivityCompleteForm
    template_name = "activities/activity_complete.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["flags"] = flag_labels(context["object"])
        context["cancel_url"] = context["object"].get_absolute_url()
        return context

    def save(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if v is not None}
        return services.activity_complete(activity=form.instance, **data)

    def success_url(self, instance):
        messages.success(self.request, _("Logged: {activity}").format(activity=instance))
        return local_url(self.request, self.request.GET.get("next"), instance.get_absolute_url())


class ActivityActionView(LoginRequiredMixin, View):
    """A POST-only change through one service (cancel, next step done); back to `next`."""

    done_message = ""

    def run(self, activity: Activity) -> None:
        raise NotImplementedError

    def post(self, request, pk):
        activity = scoped_object(request.user, Activity, "change", pk=pk)
        try:
            with transaction.atomic():
                self.run(activity)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self.done_message.format(activity=activity))
        return redirect(local_url(request, request.POST.get("next"), activity.get_absolute_url()))


class ActivityCancelView(ActivityActionView):
    def run(self, activity):
        self.done_message = _("Cancelled: {activity}")
        services.activity_cancel(activity=activity)


class NextStepDoneView(ActivityActionView):
    def run(self, activity):
        self.done_message = _("Next step done: {activity}")
        services.next_step_complete(activity=activity)


class ActivityDeleteView(ServiceDeleteView):
    model = Activity

    def delete(self, instance) -> str:
        services.activity_delete(activity=instance)
        return reverse("activities:list")


class TodayView(LoginRequiredMixin, TemplateView):
    """The rep's day on a phone: contacts due, visits to check in and out, next steps."""

    template_name = "activities/today.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        viewer = self.request.user
        username = self.request.GET.get("rep") or ""
        subject = viewer
        people = []
        if today.can_pick_people(viewer):
            people = list(today.pickable_people(viewer).values_list("username", flat=True))
        if username and username != viewer.username:
            subject = today.pickable_people(viewer).filter(username=username).first()
            if subject is None or not today.can_pick_people(viewer):
                raise Http404
        day = today.today_for(viewer=viewer, subject=subject)
        if day.own and not may_create(viewer):
            day.own = False  # read-only roles look, they do not act
        context.update(
            day=day,
            people=people,
            radius_m=settings.CHECKIN_RADIUS_M,
            flag_labels=FLAG_LABELS,
            checkin_messages=checkin_messages(),
            can_create=may_create(viewer),
        )
        return context
