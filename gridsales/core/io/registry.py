"""Importers and exporters that apps declare in their `io.py` (`IMPORTERS`, `EXPORTERS`).

An importer has `help`, `suffixes` (accepted file types), `add_arguments(parser)` for the
CLI, `check_user(user)` (raises PermissionDenied) and
`run(*, user, data, file_name, options, dry_run, skip_invalid) -> ImportReport`.
An exporter has `help`, `formats` (first = default), `content_types` and
`write(*, user, fmt, stream, params)` writing bytes to `stream`; `params` are the UI/API
filter parameters (a QueryDict or dict).
"""

from __future__ import annotations

import importlib

from django.apps import apps


def _collect(attribute: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gridsales."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.io")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.io":
                raise
            continue
        found.update(getattr(module, attribute, {}))
    return found


def importers() -> dict[str, object]:
    return _collect("IMPORTERS")


def exporters() -> dict[str, object]:
    return _collect("EXPORTERS")
