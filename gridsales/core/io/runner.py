"""Run an import or export by kind: the one entry point of the CLI, the pages and the API."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from gridsales.core.context import acting_as, current_request_id, current_user
from gridsales.core.io.registry import exporters, importers
from gridsales.core.io.report import FileRejected, ImportReport
from gridsales.core.io.runs import import_run_record


class UnknownKind(LookupError):
    pass


def get_importer(kind: str):
    found = importers().get(kind)
    if found is None:
        raise UnknownKind(kind)
    return found


def get_exporter(kind: str):
    found = exporters().get(kind)
    if found is None:
        raise UnknownKind(kind)
    return found


def run_import(
    kind: str,
    *,
    user,
    data: bytes,
    file_name: str,
    options: dict | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Validate (and unless `dry_run` or invalid, write) one file; never raises for bad
    input: a file that cannot be read at all comes back as a report with one error.

    `user` None is the command line: everything, as an administrator. PermissionDenied
    propagates (the caller answers 403)."""
    importer = get_importer(kind)
    options = options or {}
    with acting_as(user if user is not None else current_user.get(), current_request_id.get()):
        try:
            report = importer.run(
                user=user,
                data=data,
                file_name=file_name,
                options=options,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
            )
        except PermissionDenied:
            raise
        except FileRejected as exc:
            report = ImportReport(kind=kind, file_name=file_name, dry_run=dry_run)
            report.error(None, "", "", str(exc))
        if report.written:
            import_run_record(
                user=user, report=report, options={**options, "skip_invalid": skip_invalid}
            )
    return report
