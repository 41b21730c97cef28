"""XLSX (openpyxl): one sheet per section, a bold frozen header, numbers as numbers."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from .base import ListExporter, Ratio, Section, cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="3730A3")  # the brand colour of app.css
PERCENT = "0.0%"
DATETIME = "yyyy-mm-dd hh:mm"
MAX_WIDTH = 70


class XLSXExporter(ListExporter):
    identifier = "xlsx"
    verbose_name = "Excel (XLSX)"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    extension = "xlsx"

    def write(self, sections: Iterable[Section]) -> bytes:
        book = Workbook()
        book.remove(book.active)
        for section in sections:
            _sheet(book, section)
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _sheet(book: Workbook, section: Section) -> None:
    sheet = book.create_sheet(section.title[:31])
    sheet.append([cell(h) for h in section.headers])
    for header in sheet[1]:
        header.font, header.fill = HEADER_FONT, HEADER_FILL
    widths = [len(str(h)) for h in section.headers]
    for number, row in enumerate(section.rows, start=2):
        sheet.append([cell(v) for v in row])
        for column, value in enumerate(row, start=1):
            _format(sheet.cell(row=number, column=column), value)
            widths[column - 1] = max(widths[column - 1], _width(value))
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)


def _format(target: Any, value: Any) -> None:
    if isinstance(value, Ratio):
        target.number_format = PERCENT
    elif isinstance(value, datetime):
        target.number_format = DATETIME
    elif isinstance(value, str) and target.data_type == "f":
        target.data_type = "s"  # belt and braces: text is never a formula


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, Ratio):
        return 7
    return len(str(value))
