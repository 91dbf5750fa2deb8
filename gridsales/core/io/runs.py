"""The summary record of an import that wrote data (see core.models.ImportRun)."""

from __future__ import annotations

from pathlib import Path

from gridsales.core.context import current_user
from gridsales.core.io.report import ImportReport

MAX_STORED_ERRORS = 1000


def import_run_record(*, user, report: ImportReport, options: dict) -> object:
    """Write the ImportRun of `report` (and so one audit record) for `user`."""
    from gridsales.core.models import ImportRun

    token = current_user.set(user)
    try:
        return ImportRun.objects.create(
            user=user if user is not None and user.pk else None,
            user_name=user.get_username() if user is not None else "system",
            kind=report.kind,
            file_name=Path(report.file_name).name[:255],
            options={k: v for k, v in options.items() if isinstance(v, str | int | bool | None)},
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
            skipped=report.skipped,
            errors=[e.as_dict() for e in report.errors[:MAX_STORED_ERRORS]],
        )
    finally:
        current_user.reset(token)
