"""Importers and exporters that apps declare in their `io.py` (`IMPORTERS`, `EXPORTERS`).

An importer has `help`, `suffixes` (accepted file types), `add_arguments(parser)` for the
CLI, `check_user(user)` (raises PermissionDenied) and
`run(*, user, data, file_name, options, dry_run, skip_invalid) -> ImportReport`.
An exporter has `help`, `formats` (first = default), `content_types` and
`write(*, user, fmt, stream, params)` writing bytes to `stream`; `params` are the UI/API
filter parameters (a QueryDict or dict).
"""

from __future__ import annotations

from gridsales.core.discovery import app_registrations


def importers() -> dict[str, object]:
    return app_registrations("io", "IMPORTERS")


def exporters() -> dict[str, object]:
    return app_registrations("io", "EXPORTERS")
