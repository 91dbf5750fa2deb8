"""Template tags other apps use to offer activities on their pages (the customer page)."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("activities/_checkin_here.html", takes_context=True)
def checkin_here(context, customer):
    """A one-tap "Check in here" for `customer`: creates a visit, checks in with the phone's
    position, then opens the Today page (where the visit waits for its check-out). Shown
    only to users who may create activities; loads checkin.js and its messages."""
    from gridsales.activities.views import checkin_messages, may_create

    request = context.get("request")
    user = getattr(request, "user", None)
    return {
        "customer": customer,
        "show": user is not None and user.is_authenticated and may_create(user),
        "checkin_messages": checkin_messages(),
        "today_url": reverse("activities:today"),
    }
