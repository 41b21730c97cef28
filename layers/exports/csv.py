"""CSV: the sections one under another, each under its title and a header row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from .base import ListExporter, Section, cell


class CSVExporter(ListExporter):
    identifier = "csv"
    verbose_name = "CSV"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def write(self, sections: Iterable[Section]) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for index, section in enumerate(sections):
            if index:
                writer.writerow([])
            writer.writerow([section.title])
            writer.writerow([cell(h) for h in section.headers])
            writer.writerows([_text(value) for value in row] for row in section.rows)
        # A byte-order mark makes Excel read the file as UTF-8 (names with accents, "↔").
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    return cell(value)
