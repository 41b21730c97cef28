"""The export framework (STYLE: pretix's exporters).

An exporter is a small class: `identifier` (the `?format=` value), `verbose_name`,
`content_type`, and `render(report) -> (filename, content_type, bytes)`. A *list* exporter
only yields sections of rows (`sections(report)`); the CSV and XLSX writers turn any list
exporter's sections into a file, so a new tabular export gets both formats for free.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.text import slugify

from layers.models import CoverageReport

# A spreadsheet reads a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Ratio(float):
    """A share between 0 and 1: written as a real number, shown as a percentage in XLSX."""


def safe_text(value: str) -> str:
    """Defuse a text cell a spreadsheet would run as a formula: "=HYPERLINK(…)" -> "'=HYPERLINK(…)"."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def cell(value: Any) -> Any:
    """A value as a cell: text defused, numbers and datetimes kept as they are."""
    if isinstance(value, str):
        return safe_text(value)
    return value


@dataclass(frozen=True)
class Section:
    """One table of an export: a sheet in XLSX, a block in CSV."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


class Exporter:
    identifier: ClassVar[str]
    verbose_name: ClassVar[str]
    content_type: ClassVar[str]
    extension: ClassVar[str]

    def render(self, report: CoverageReport) -> tuple[str, str, bytes]:
        return self.filename(report), self.content_type, self.content(report)

    def content(self, report: CoverageReport) -> bytes:
        raise NotImplementedError

    def filename(self, report: CoverageReport) -> str:
        moment = timezone.localtime(report.generated_at)
        product = slugify(report.product.name) or report.product.slug
        return f"coverage-{product}-{moment:%Y%m%d-%H%M}.{self.extension}"


class ListExporter(Exporter):
    """Yields sections of rows; a writer subclass (CSV, XLSX) turns them into bytes."""

    def sections(self, report: CoverageReport) -> Iterator[Section]:
        from .sections import report_sections

        return iter(report_sections(report))

    def content(self, report: CoverageReport) -> bytes:
        return self.write(self.sections(report))

    def write(self, sections: Iterable[Section]) -> bytes:
        raise NotImplementedError


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment)
