"""The one error of the planning cores: an English template and its parameters.

Pure core (no Django). The cores mark templates with `_` so that `makemessages` finds them;
the command translates with `exc.message(gettext)` (the way `targets.decompose.Problem`
does). Parameters are data (unit ids, values), never translated.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Mark a message for translation; the Django layer translates it (gettext_noop)."""
    return message


class DistrictingError(ValueError):
    """Input that cannot be districted; the message says what is wrong and where."""

    def __init__(self, template: str, **params):
        self.template = template
        self.params = params
        super().__init__(self.message())

    def message(self, translate=lambda s: s) -> str:
        return translate(self.template).format(**self.params)
