"""Reads of recognition: the awards a user may see, newest first."""

from __future__ import annotations

from gridsales.recognition.models import Award


def awards_visible(user):
    """The awards `user` may see, with what their lists show (no N+1)."""
    return (
        Award.objects.restrict(user, "view")
        .select_related("award_type", "rep", "grid", "given_by")
        .order_by("-period", "award_type__name", "rank", "rep__username")
    )


def recent_awards(user, limit: int = 5) -> list[Award]:
    return list(awards_visible(user).order_by("-given_at", "-pk")[:limit])


def rep_awards(user, rep) -> list[Award]:
    """The awards of `rep` that `user` may see (the rep's page)."""
    return list(awards_visible(user).filter(rep=rep))
