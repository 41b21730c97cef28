"""The formats every dataset gets for free: CSV (one table a file), a zip of CSVs, XLSX and JSON.

Text cells go through the one escaping rule (escaping.py) in CSV and XLSX; numbers stay
numbers. A format renders a list of tables under a file-name stem ("coverage-insights-…").
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from .escaping import escape_formula
from .tables import Column, ExportFile, Kind, Table, percent, pick, plain
from .xlsx import write_workbook


class Format:
    """A way to write tables to a file, pretix-style: identifier, name, content type."""

    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    content_type: ClassVar[str]
    extension: ClassVar[str]

    def render(self, tables: Sequence[Table], *, stem: str, table: str | None = None) -> ExportFile:
        raise NotImplementedError


class CSVFormat(Format):
    """One table per file, under a header row; `table` names which (the first by default)."""

    identifier = "csv"
    verbose_name = "CSV"
    content_type = "text/csv; charset=utf-8"
    extension = "csv"

    def render(self, tables: Sequence[Table], *, stem: str, table: str | None = None) -> ExportFile:
        chosen = pick(tables, table)
        name = stem if len(tables) == 1 else f"{stem}-{chosen.name}"
        return ExportFile(f"{name}.csv", self.content_type, csv_bytes(chosen))


class ZipFormat(Format):
    """Every table as a CSV file of its own, in one zip."""

    identifier = "zip"
    verbose_name = "CSV files (zip)"
    content_type = "application/zip"
    extension = "zip"

    def render(self, tables: Sequence[Table], *, stem: str, table: str | None = None) -> ExportFile:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for number, each in enumerate(tables, start=1):
                archive.writestr(f"{stem}/{number}-{each.name}.csv", csv_bytes(each))
        return ExportFile(f"{stem}.zip", self.content_type, buffer.getvalue())


class XLSXFormat(Format):
    """One sheet per table: a frozen, filtered header, sensible widths, real numbers."""

    identifier = "xlsx"
    verbose_name = "Excel (XLSX)"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def render(self, tables: Sequence[Table], *, stem: str, table: str | None = None) -> ExportFile:
        chosen = [pick(tables, table)] if table else tables
        return ExportFile(f"{stem}.xlsx", self.content_type, write_workbook(chosen))


class JSONFormat(Format):
    """{table name: [{column key: value}]}, numbers as numbers, moments in ISO 8601."""

    identifier = "json"
    verbose_name = "JSON"
    content_type = "application/json"
    extension = "json"

    def render(self, tables: Sequence[Table], *, stem: str, table: str | None = None) -> ExportFile:
        chosen = [pick(tables, table)] if table else tables
        data = {each.name: list(_records(each)) for each in chosen}
        return ExportFile(f"{stem}.json", self.content_type, json_bytes(data))


FORMATS: dict[str, Format] = {cls.identifier: cls() for cls in (CSVFormat, ZipFormat, XLSXFormat, JSONFormat)}


# --- writers --------------------------------------------------------------------------------------


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(_csv_header(column)) for column in table.columns])
    kinds = [column.kind for column in table.columns]
    writer.writerows([csv_cell(value, kind) for value, kind in zip(row, kinds, strict=False)] for row in table.rows)
    # A byte-order mark makes Excel read the file as UTF-8 (names with accents, "↔").
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_header(column: Column) -> str:
    return f"{column.label} (%)" if column.kind == Kind.PERCENT else column.label


def csv_cell(value: Any, kind: Kind) -> str:
    """A value as CSV text: percentages with at most one decimal, moments to the minute."""
    if kind == Kind.PERCENT and value is not None:
        return _number(percent(value))
    value = plain(value, kind)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return escape_formula(str(value))


def _number(value: float | None) -> str:
    """66.7 → "66.7", 50.0 → "50": no trailing zeros, no float noise."""
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _records(table: Table) -> Iterator[dict[str, Any]]:
    for row in table.rows:
        record = {}
        for column, value in zip(table.columns, row, strict=False):
            value = plain(value, column.kind)
            record[column.key] = value.isoformat() if isinstance(value, date | datetime) else value
        yield record


def json_bytes(data: Any, *, indent: int | None = 2) -> bytes:
    """UTF-8 JSON; `indent=None` writes it compact (json's fast path, for large files)."""
    separators = (",", ":") if indent is None else None
    return json.dumps(data, indent=indent, separators=separators, ensure_ascii=False).encode("utf-8")
