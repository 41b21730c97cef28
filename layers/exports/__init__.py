"""Coverage report exports (DESIGN §1: admins export CSV, XLSX, PDF, JSON), on shared.exports.

The report is a dataset (dataset.py: four tables with labels); CSV (one table a file, the
gaps by default, `table=` names another), the zip of every CSV and XLSX come from the
framework's formats. The PDF (a designed document) and the JSON (the snapshot as stored)
are documents of their own. `get_exporter("csv")` returns the exporter for a `?format=` value.
"""

from __future__ import annotations

from typing import ClassVar

from layers.models import CoverageReport
from shared.exports import FORMATS, ExportFile, Format, json_bytes

from .dataset import MAIN_TABLE, report_size, report_stem, report_tables
from .pdf import render_pdf
from .snapshot import snapshot

# The `?format=` values the API takes (DESIGN §6); the report page offers the zip as well.
API_FORMATS = ("csv", "xlsx", "pdf", "json")


class Exporter:
    """One way to export a report: `render(report, table=…)` → ExportFile (filename, type, bytes)."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    content_type: ClassVar[str]
    # Heavy formats of a large report are built by a worker (settings.EXPORT_INLINE_MAX_ROWS).
    heavy: ClassVar[bool] = False

    def render(self, report: CoverageReport, *, table: str | None = None) -> ExportFile:
        raise NotImplementedError


class TableExporter(Exporter):
    """A framework format applied to the report's tables."""

    format: ClassVar[Format]

    def render(self, report: CoverageReport, *, table: str | None = None) -> ExportFile:
        return self.format.render(report_tables(report), stem=report_stem(report), table=table)


class CSVExporter(TableExporter):
    identifier, verbose_name, content_type, format = "csv", "CSV", FORMATS["csv"].content_type, FORMATS["csv"]

    def render(self, report: CoverageReport, *, table: str | None = None) -> ExportFile:
        return super().render(report, table=table or MAIN_TABLE)


class XLSXExporter(TableExporter):
    identifier, verbose_name, content_type, format = (
        "xlsx",
        "Excel (XLSX)",
        FORMATS["xlsx"].content_type,
        FORMATS["xlsx"],
    )
    heavy = True


class ZipExporter(TableExporter):
    identifier, verbose_name, content_type, format = (
        "zip",
        "CSV files (zip)",
        FORMATS["zip"].content_type,
        FORMATS["zip"],
    )


class PDFExporter(Exporter):
    identifier, verbose_name, content_type = "pdf", "PDF", "application/pdf"
    heavy = True

    def render(self, report: CoverageReport, *, table: str | None = None) -> ExportFile:
        return ExportFile(f"{report_stem(report)}.pdf", self.content_type, render_pdf(report))


class JSONExporter(Exporter):
    identifier, verbose_name, content_type = "json", "JSON", "application/json"

    def render(self, report: CoverageReport, *, table: str | None = None) -> ExportFile:
        return ExportFile(f"{report_stem(report)}.json", self.content_type, json_bytes(snapshot(report)))


EXPORTERS: dict[str, type[Exporter]] = {
    cls.identifier: cls for cls in (CSVExporter, XLSXExporter, PDFExporter, JSONExporter, ZipExporter)
}
# The report's tables (dataset.py), by `?table=` name: their titles.
TABLES = {"summary": "Summary", "layers": "Layers", "gaps": "Gaps", "trend": "Trend"}


# Formats that export one table of the report when `table=` names it.
TABLE_FORMATS = ("csv", "xlsx")


def export_error(fmt: str, table: str) -> str:
    """Why a `?format=…&table=…` cannot be exported, or "" when it can."""
    if fmt not in EXPORTERS:
        given = f"“{fmt}”" if fmt else "no format"
        return f"Cannot export as {given}: choose one of {', '.join(EXPORTERS)}."
    if table and table not in TABLES:
        return f"There is no table “{table}”: choose one of {', '.join(TABLES)}."
    if table and fmt not in TABLE_FORMATS:
        return f"Only {' and '.join(f.upper() for f in TABLE_FORMATS)} exports take a table."
    return ""


def get_exporter(identifier: str, *, api: bool = False) -> Exporter | None:
    if api and identifier not in API_FORMATS:
        return None
    cls = EXPORTERS.get(identifier)
    return cls() if cls else None


__all__ = [
    "API_FORMATS",
    "EXPORTERS",
    "TABLES",
    "Exporter",
    "export_error",
    "get_exporter",
    "report_size",
    "report_tables",
]
