"""Coverage report exports (DESIGN §1: admins export CSV, XLSX, PDF, JSON).

`get_exporter("csv")` returns the exporter for a `?format=` value, or None.
"""

from __future__ import annotations

from .base import Exporter
from .csv import CSVExporter
from .json import JSONExporter
from .pdf import PDFExporter
from .xlsx import XLSXExporter

EXPORTERS: dict[str, type[Exporter]] = {
    cls.identifier: cls for cls in (CSVExporter, XLSXExporter, PDFExporter, JSONExporter)
}


def get_exporter(identifier: str) -> Exporter | None:
    cls = EXPORTERS.get(identifier)
    return cls() if cls else None


__all__ = ["EXPORTERS", "Exporter", "get_exporter"]
