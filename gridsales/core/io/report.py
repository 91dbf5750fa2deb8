"""What an import found and did: errors by row/column/value, warnings, counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_VALUE_CHARS = 80


class FileRejected(Exception):
    """The file as a whole cannot be read (format, encoding, missing columns...).

    The message is already translated and says what to fix.
    """


@dataclass(frozen=True)
class RowError:
    """One problem: row number as the spreadsheet shows it (header = 1), column, value."""

    row: int | None
    column: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}

    def __str__(self) -> str:
        where = _("row {row}").format(row=self.row) if self.row else _("file")
        if self.column:
            where = _("{where}, column {column}").format(where=where, column=self.column)
        if self.value:
            where = _("{where}, value “{value}”").format(where=where, value=self.value)
        return f"{where}: {self.reason}"


def _short(value) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


@dataclass
class ImportReport:
    """Everything an import run reports. Reasons are translated when they are added, so a
    report made inside a request is in the user's language."""

    kind: str
    file_name: str = ""
    encoding: str = ""
    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    written: bool = False
    object_ids: list[int] = field(default_factory=list)

    def error(self, row: int | None, column: str, value, reason: str) -> None:
        self.errors.append(RowError(row, str(column), _short(value), str(reason)))

    def warn(self, row: int | None, column: str, value, reason: str) -> None:
        self.warnings.append(RowError(row, str(column), _short(value), str(reason)))

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def invalid_rows(self) -> set[int]:
        return {e.row for e in self.errors if e.row}

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
        }

    def summary(self) -> str:
        text = _(
            "{rows} rows: {created} created, {updated} updated, {unchanged} unchanged, {skipped} skipped."
        ).format(**self.counts())
        if self.dry_run:
            text = _("Dry run, nothing written. {summary}").format(summary=text)
        elif not self.written:
            text = _("Nothing written. {summary}").format(summary=text)
        return text

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "file_name": self.file_name,
            "encoding": self.encoding,
            "dry_run": self.dry_run,
            "written": self.written,
            "valid": self.ok,
            **self.counts(),
            "summary": self.summary(),
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }
