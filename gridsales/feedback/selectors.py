"""Reads of feedback: the counts the dashboards show (docs/feedback.md)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count
from django.utils import timezone

from gridsales.feedback.choices import OPEN_STATUSES, FeedbackCategory
from gridsales.feedback.models import Feedback


def feedback_counts(user, *, path: str, start: dt.date, end: dt.date) -> dict:
    """Feedback the user sees about grids of the subtree at `path`, raised between `start`
    and `end` (local days, both included): per category (every category listed), per grid
    id, and how many are still open. One query."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rows = (
        Feedback.objects.restrict(user, "view")
        .filter(grid__path__startswith=path, created_at__gte=since, created_at__lt=until)
        .values("grid_id", "category", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_category: Counter = Counter()
    by_grid: Counter = Counter()
    open_items = 0
    for row in rows:
        by_category[row["category"]] += row["n"]
        by_grid[row["grid_id"]] += row["n"]
        if row["status"] in OPEN_STATUSES:
            open_items += row["n"]
    return {
        "by_category": [
            (value, label, by_category.get(value, 0)) for value, label in FeedbackCategory.choices
        ],
        "by_grid": dict(by_grid),
        "total": sum(by_category.values()),
        "open": open_items,
    }
