"""The import/export framework: tabular readers, the error report, the registry.

Apps declare their importers and exporters in their own `io.py` module (dicts `IMPORTERS`
and `EXPORTERS`, kind → instance); `gridsales import KIND FILE`, `gridsales export KIND`,
the import pages and the API find them through `registry`. See docs/import-export.md.
"""

from gridsales.core.io.report import FileRejected, ImportReport, RowError
from gridsales.core.io.tabular import Table, read_table

__all__ = ["FileRejected", "ImportReport", "RowError", "Table", "read_table"]
