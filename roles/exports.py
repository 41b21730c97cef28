"""The people export: the organization's people in the import format (round trip: export, import = no change).

Shaped like pretix's exporters: the exporter yields rows; CSV and XLSX come from the
same rows. Cells a spreadsheet would run as formulas are prefixed with "'" (the
importer takes that prefix off again).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from .models import Function, Organization, Stakeholder
from .services.imports import EXPORT_HEADERS, escape_cell

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Export:
    filename: str
    content_type: str
    content: bytes


class PeopleExporter:
    identifier = "people"
    verbose_name = "People (import format)"
    headers = list(EXPORT_HEADERS.values())

    def __init__(self, organization: Organization) -> None:
        self.organization = organization

    def rows(self) -> Iterator[list[str]]:
        people = (
            Stakeholder.objects.filter(organization=self.organization)
            .select_related("function__parent", "manager")
            .only(
                "full_name",
                "email",
                "title",
                "function__name",
                "function__category",
                "function__parent__name",
                "manager__email",
            )
            .order_by("full_name", "pk")
        )
        for person in people.iterator(chunk_size=2000):
            function = person.function
            yield [
                escape_cell(value)
                for value in (
                    person.full_name,
                    person.email,
                    person.title,
                    function.name,
                    Function.Category(function.category).label,
                    function.parent.name if function.parent else "",
                    person.manager.email if person.manager else "",
                )
            ]

    def render(self, file_format: str) -> Export:
        if file_format not in FORMATS:
            raise ValueError(f"Unknown export format {file_format!r}")
        content = self._csv() if file_format == "csv" else self._xlsx()
        stamp = timezone.localdate().isoformat()
        filename = f"{self.organization.slug}-people-{stamp}.{file_format}"
        return Export(filename, FORMATS[file_format], content)

    def _csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.headers)
        writer.writerows(self.rows())
        # The BOM makes Excel read UTF-8 names correctly; the importer expects it.
        return buffer.getvalue().encode("utf-8-sig")

    def _xlsx(self) -> bytes:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Font

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("People")
        bold = Font(bold=True)
        header = []
        for title in self.headers:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for row in self.rows():
            # XML cannot hold most control characters; openpyxl refuses them rather than drop them.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
