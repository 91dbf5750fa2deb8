"""Write rows as CSV (UTF-8 with BOM, so Excel opens Chinese text right) or XLSX."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable


def write_csv(stream, headers: list[str], rows: Iterable[list]) -> None:
    """`stream` takes bytes."""
    stream.write(codecs.BOM_UTF8)
    text = codecs.getwriter("utf-8")(stream)
    writer = csv.writer(text)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)


def write_xlsx(stream, headers: list[str], rows: Iterable[list], title: str = "Sheet1") -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    workbook.save(stream)
