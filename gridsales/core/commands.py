"""Helpers shared by the file-in/file-out commands (targets split, planning districts)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _


def write_json_result(command: BaseCommand, result: dict, output: str | None) -> None:
    """Write `result` as JSON to the file `output`, or to stdout; exit 2 when it cannot."""
    body = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    if not output:
        command.stdout.write(body, ending="")
        return
    try:
        with open(output, "w", encoding="utf-8") as fh:
            fh.write(body)
    except OSError as exc:
        raise CommandError(
            _("Cannot write {path}: {error}").format(path=output, error=exc), returncode=2
        ) from exc
