"""Find what each GridSales app registers in a module of a given name."""

from __future__ import annotations

import importlib

from django.apps import apps


def app_registrations(module_name: str, attribute: str) -> dict[str, object]:
    """Merge the dict `attribute` of every `gridsales.<app>.<module_name>` that exists.

    Used for `bench.BENCHES` and `io.IMPORTERS` / `io.EXPORTERS`. An import error inside an
    existing module is raised, not mistaken for "this app registers nothing".
    """
    found: dict[str, object] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("gridsales."):
            continue
        name = f"{config.name}.{module_name}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        found.update(getattr(module, attribute, {}))
    return found
