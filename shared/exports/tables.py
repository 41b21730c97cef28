"""What a dataset yields: tables of typed columns, each with a header label (pretix's list exporters).

A value is written by its column's kind, the same way in every format:
- TEXT: labels, never enum codes (the dataset passes `get_FOO_display()` or a choices label);
- INTEGER and NUMBER: real numbers (NUMBER rounded to two decimals);
- PERCENT: a share between 0 and 1, kept exact by the dataset; CSV writes it as a percentage
  with at most one decimal ("66.7", never 0.6667), XLSX as a number shown as "66.7%";
- DATETIME and DATE: local time, to the minute;
- BOOLEAN: "Yes" / "No".
None is an empty cell in every kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from django.utils import timezone


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    PERCENT = "percent"
    DATETIME = "datetime"
    DATE = "date"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Column:
    key: str  # the JSON key and a stable name; the label is what people read
    label: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class Table:
    """One table of an export: a CSV file of its own, a sheet in XLSX."""

    name: str  # a slug: the CSV's file name and the `?table=` value
    title: str  # the sheet's name (at most 31 characters in XLSX)
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]


class ExportFile(NamedTuple):
    """A rendered export: unpacks as (filename, content_type, content)."""

    filename: str
    content_type: str
    content: bytes


class UnknownTable(LookupError):
    def __init__(self, name: str, choices: Sequence[str]) -> None:
        self.name, self.choices = name, list(choices)
        super().__init__(f"There is no table “{name}”: choose one of {', '.join(self.choices)}.")


def pick(tables: Sequence[Table], name: str | None) -> Table:
    """The table called `name`, or the first (the dataset's main table) when no name is given."""
    if not name:
        return tables[0]
    for table in tables:
        if table.name == name:
            return table
    raise UnknownTable(name, [table.name for table in tables])


def percent(ratio: float | None) -> float | None:
    """A share as a percentage with at most one decimal: 0.66666 → 66.7, 0.5 → 50.0."""
    return None if ratio is None else round(float(ratio) * 100, 1)


def local(moment: datetime | None) -> datetime | None:
    """A moment as the local wall-clock time without a zone (spreadsheets have no zones)."""
    if moment is None:
        return None
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment).replace(tzinfo=None)
    return moment.replace(second=0, microsecond=0)


def yes_no(value: Any) -> str:
    return "Yes" if value else "No"


def plain(value: Any, kind: Kind) -> Any:
    """A value as a number, text or naive datetime, before a format writes it."""
    if value is None:
        return None
    if kind == Kind.BOOLEAN:
        return yes_no(value)
    if kind == Kind.DATETIME and isinstance(value, datetime):
        return local(value)
    if kind == Kind.NUMBER:
        return round(float(value), 2)
    if kind == Kind.TEXT and not isinstance(value, str):
        return str(value)
    if kind == Kind.DATE and isinstance(value, datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value
