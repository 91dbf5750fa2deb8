"""The user's language for messages of the pure cores (which carry English templates)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gridsales.routes.problem import ProblemError


def translated(error: ProblemError) -> str:
    """The error's message in the active language, with its place (field) first."""
    text = _(error.message).format(**error.params)
    if error.where:
        return _("{where}: {message}").format(where=error.where, message=text)
    return text


def translated_template(message: str, params: dict) -> str:
    """A violation's or dropped stop's message in the active language."""
    return _(message).format(**params)
