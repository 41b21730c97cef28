"""The export framework (issue 17 item 3; STYLE: pretix's exporters).

A *dataset* is anything that yields `Table`s (typed columns with labels, rows of values);
a *format* renders tables: `FORMATS["csv"]` (one table per file), `"zip"` (a CSV per table),
`"xlsx"` (a sheet per table), `"json"`. Documents that are not tables (a report's PDF, an
organization's transfer file) are exporters of their own, returning the same `ExportFile`.
Every text cell of CSV and XLSX goes through `escape_formula`, the one escaping rule.
"""

from __future__ import annotations

from .escaping import escape_formula, needs_escape, unescape_formula
from .formats import FORMATS, CSVFormat, Format, JSONFormat, XLSXFormat, ZipFormat, csv_bytes, json_bytes
from .tables import Column, ExportFile, Kind, Table, UnknownTable, percent, pick

__all__ = [
    "FORMATS",
    "CSVFormat",
    "Column",
    "ExportFile",
    "Format",
    "JSONFormat",
    "Kind",
    "Table",
    "UnknownTable",
    "XLSXFormat",
    "ZipFormat",
    "csv_bytes",
    "escape_formula",
    "json_bytes",
    "needs_escape",
    "percent",
    "pick",
    "unescape_formula",
]
