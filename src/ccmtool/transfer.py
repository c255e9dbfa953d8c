"""Former home of import and export, kept only until every caller imports from the modules
that now hold them: contract.py, reader.py, importer.py, exporter.py."""

from __future__ import annotations

from ccmtool.builtin import FILES as BUILTIN_FILES
from ccmtool.builtin import data_dir
from ccmtool.contract import EXPORT_FACT_COLUMNS, FACT_COLUMNS, HEADERS, LOAD_ORDER
from ccmtool.exporter import EXPORT_KINDS, export_rows, export_to_file, write_export
from ccmtool.importer import import_files, load_builtin, load_files
from ccmtool.reader import detect_kind, read_rows

__all__ = [
    "BUILTIN_FILES",
    "EXPORT_FACT_COLUMNS",
    "EXPORT_KINDS",
    "FACT_COLUMNS",
    "HEADERS",
    "LOAD_ORDER",
    "data_dir",
    "detect_kind",
    "export_rows",
    "export_to_file",
    "import_files",
    "load_builtin",
    "load_files",
    "read_rows",
    "write_export",
]
