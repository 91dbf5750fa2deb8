"""Recognition on other apps' pages: this month's leaders and recent awards on the home
page, a rep's awards on their page. Each tag reads in the viewer's scope."""

from __future__ import annotations

from django import template

from gridsales.recognition.leaderboards import leaderboard, this_month
from gridsales.recognition.selectors import recent_awards, rep_awards

register = template.Library()

HOME_BOARDS = ("revenue", "attainment")


@register.inclusion_tag("recognition/_home.html", takes_context=True)
def recognition_home(context):
    """The top 3 reps by revenue and by attainment this month, in the viewer's scope,
    and the latest awards they may see."""
    user = context["request"].user
    period = this_month()
    boards = []
    for metric in HOME_BOARDS:
        board = leaderboard(user, metric=metric, period=period, by="rep")
        boards.append(
            {"metric": metric, "rows": [r for r in board.rows if r["rank"] is not None][:3]}
        )
    return {
        "period": period,
        "boards": boards,
        "recent": recent_awards(user, 5),
        "user": user,
    }


@register.inclusion_tag("recognition/_rep_awards.html", takes_context=True)
def recognition_rep_awards(context, person):
    """The awards of `person` the viewer may see."""
    return {"awards": rep_awards(context["request"].user, person), "person": person}
