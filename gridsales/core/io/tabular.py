"""Read CSV (UTF-8, UTF-8 with BOM, GBK/GB18030) and XLSX files into numbered rows."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from gridsales.core.io.report import FileRejected

# Tried in order with strict decoding. UTF-8 first: GB18030 decodes almost any byte string,
# so it can only be the fallback. utf-8-sig also reads plain UTF-8 (the BOM is optional).
ENCODINGS = ("utf-8-sig", "gb18030")
TABULAR_SUFFIXES = (".csv", ".txt", ".xlsx")


@dataclass
class Table:
    """Header names and data rows; `rows` holds (row number, values), the header being
    row 1 as in Excel, so the first data row is 2."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "gb18030" or "xlsx"


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the first encoding that decodes `data` strictly."""
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8"
        return text, encoding
    raise FileRejected(
        _(
            "The file is neither UTF-8 nor GBK/GB18030 text. Save it from Excel as “CSV UTF-8” or as an .xlsx workbook."
        )
    )


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        # Excel stores every number as a float; a code typed as 1001 must stay "1001".
        return str(int(value))
    return str(value).strip()


def _table(raw_rows, encoding: str) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, raw in enumerate(raw_rows, start=1):
        values = [_clean(v) for v in raw]
        if headers is None:
            headers = values
            while headers and not headers[-1]:
                headers.pop()
            continue
        if not any(values):
            continue  # blank lines (Excel leaves some at the end)
        rows.append((number, values))
    if not headers:
        raise FileRejected(_("The file is empty: the first row must name the columns."))
    if not rows:
        raise FileRejected(_("The file has a header row but no data rows."))
    return Table(headers=headers, rows=rows, encoding=encoding)


def read_csv_bytes(data: bytes) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        raise FileRejected(_("This does not look like a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        return _table(csv.reader(io.StringIO(text, newline=""), dialect), encoding)
    except csv.Error as exc:
        raise FileRejected(_("The CSV file cannot be read: {error}").format(error=exc)) from exc


def read_xlsx_bytes(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileRejected(
            _("The file is not a valid Excel workbook (.xlsx): {error}").format(error=exc)
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        return _table(sheet.iter_rows(values_only=True), "xlsx")
    finally:
        workbook.close()


def read_table(data: bytes, file_name: str) -> Table:
    """Read a CSV or XLSX file given its bytes; the format comes from the file name."""
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsx_bytes(data)
    if suffix in (".csv", ".txt"):
        if data.startswith(b"PK\x03\x04"):
            raise FileRejected(
                _("“{name}” is a zip archive (an Excel workbook?), not CSV text.").format(
                    name=file_name
                )
            )
        return read_csv_bytes(data)
    raise FileRejected(
        _("Unsupported file type “{suffix}”: use .csv or .xlsx.").format(suffix=suffix or file_name)
    )
