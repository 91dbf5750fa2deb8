"""What the file-in/file-out calculation says about bad input (pure: no Django)."""

from __future__ import annotations

import re

from gridsales.incentives.calculator import Text

MAX_PROBLEMS = 50
PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


class InputError(ValueError):
    """The input cannot be calculated; `problems` say where and what to fix."""

    def __init__(self, problems: list[Text]):
        self.problems = problems[:MAX_PROBLEMS]
        super().__init__("; ".join(p.render() for p in self.problems))

    def messages(self, translate=lambda s: s) -> list[str]:
        return [p.render(translate) for p in self.problems]
