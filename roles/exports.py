"""The people export: the organization's people in the import format (round trip: export, import = no change).

A dataset on shared.exports: one table of the import's columns, rendered as CSV or XLSX by
the framework's formats, text escaped by its one rule (the importer takes the "'" off again).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from shared.exports import FORMATS, Column, ExportFile, Table

from .models import Function, Organization, Stakeholder
from .services.imports import EXPORT_HEADERS

PEOPLE_FORMATS = ("csv", "xlsx")
Export = ExportFile  # the name callers used before the framework


class PeopleExporter:
    identifier = "people"
    verbose_name = "People (import format)"
    headers = list(EXPORT_HEADERS.values())

    def __init__(self, organization: Organization) -> None:
        self.organization = organization

    def table(self) -> Table:
        columns = [Column(key, label) for key, label in EXPORT_HEADERS.items()]
        return Table("people", "People", columns, self.rows())

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
                person.full_name,
                person.email,
                person.title,
                function.name,
                str(Function.Category(function.category).label),
                function.parent.name if function.parent else "",
                person.manager.email if person.manager else "",
            ]

    def render(self, file_format: str) -> ExportFile:
        if file_format not in PEOPLE_FORMATS:
            raise ValueError(f"Unknown export format {file_format!r}")
        stem = f"{self.organization.slug}-people-{timezone.localdate().isoformat()}"
        return FORMATS[file_format].render([self.table()], stem=stem)
