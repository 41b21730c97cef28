"""XLSX (openpyxl, write-only so 50,000 rows stay cheap): one sheet per table.

Every sheet has a bold header row that stays in view (frozen) and filters (autofilter),
columns as wide as their content (measured on the first rows), percentages and moments as
real numbers with a display format, and text cells that are never formulas.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from .escaping import escape_formula
from .tables import Column, Kind, Table, plain

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="3730A3")  # the brand colour of app.css
NUMBER_FORMATS = {
    Kind.PERCENT: "0.0%",
    Kind.NUMBER: "0.00",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.DATE: "yyyy-mm-dd",
}
DISPLAY_WIDTH = {Kind.PERCENT: 8, Kind.DATETIME: 16, Kind.DATE: 10}
MIN_WIDTH, MAX_WIDTH = 6, 60
MEASURED_ROWS = 500  # widths come from the first rows: a write-only sheet fixes them up front


def write_workbook(tables: Sequence[Table]) -> bytes:
    book = Workbook(write_only=True)
    for table in tables:
        _write_sheet(book.create_sheet(_sheet_title(table.title)), table)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_value(value: Any, kind: Kind) -> Any:
    """A value as openpyxl should store it: text escaped and cleaned, shares rounded, numbers kept."""
    if kind == Kind.PERCENT and value is not None:
        return round(float(value), 4)  # 0.66666 → 0.6667, shown as 66.7%
    value = plain(value, kind)
    if isinstance(value, str):
        # XML cannot hold most control characters; openpyxl refuses them rather than drop them.
        return ILLEGAL_CHARACTERS_RE.sub("", escape_formula(value))
    return value


def _write_sheet(sheet: WriteOnlyWorksheet, table: Table) -> None:
    columns = list(table.columns)
    rows = iter(table.rows)
    head = [[xlsx_value(v, c.kind) for v, c in zip(row, columns, strict=False)] for row in islice(rows, MEASURED_ROWS)]
    for number, width in enumerate(_widths(columns, head), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_header(sheet, column) for column in columns])
    count = 0
    for values in _chain(head, ([xlsx_value(v, c.kind) for v, c in zip(row, columns, strict=False)] for row in rows)):
        sheet.append([_cell(sheet, value, column) for value, column in zip(values, columns, strict=False)])
        count += 1
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _chain(first: list[list[Any]], rest: Iterable[list[Any]]) -> Iterator[list[Any]]:
    yield from first
    yield from rest


def _header(sheet: WriteOnlyWorksheet, column: Column) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=xlsx_value(column.label, Kind.TEXT))
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def _cell(sheet: WriteOnlyWorksheet, value: Any, column: Column) -> Any:
    number_format = NUMBER_FORMATS.get(column.kind)
    if number_format is None or value is None:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # belt and braces: text is never a formula
            return cell
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def _widths(columns: Sequence[Column], rows: list[list[Any]]) -> list[float]:
    widths: list[float] = []
    for index, column in enumerate(columns):
        longest = len(column.label) + 3  # room for the filter's arrow
        for row in rows:
            if index < len(row) and row[index] is not None:
                longest = max(longest, _display_length(row[index], column.kind))
        widths.append(min(max(longest + 1, MIN_WIDTH), MAX_WIDTH))
    return widths


def _display_length(value: Any, kind: Kind) -> int:
    if kind in DISPLAY_WIDTH:
        return DISPLAY_WIDTH[kind]
    if isinstance(value, datetime | date):
        return 16
    return max((len(line) for line in str(value).splitlines()), default=0)


def _sheet_title(title: str) -> str:
    """Sheet names: at most 31 characters, none of []:*?/\\."""
    return "".join("-" if char in "[]:*?/\\" else char for char in title)[:31] or "Sheet"
