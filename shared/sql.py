"""Small pieces of hand-written SQL that run on PostgreSQL and SQLite alike."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any


def values_table(name: str, columns: list[tuple[str, str]], rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """A named table of constant rows for a WITH clause: [(column, SQL type)]; an empty one selects
    typed NULLs of no row (PostgreSQL would read an untyped NULL as text)."""
    names = ", ".join(column for column, _type in columns)
    if not rows:
        nulls = ", ".join(f"CAST(NULL AS {sql_type})" for _column, sql_type in columns)
        return f"{name}({names}) AS (SELECT {nulls} WHERE 1 = 0)", []
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return f"{name}({names}) AS (VALUES {', '.join([row] * len(rows))})", [value for r in rows for value in r]


def marks(values: Any) -> tuple[str, list[Any]]:
    """The placeholders of an IN list and its parameters; an empty list matches nothing (NULL)."""
    found = list(values)
    return ", ".join(["%s"] * len(found)) or "NULL", found


def array_text(values: Iterable[int | date]) -> str:
    """PostgreSQL's text of an array of whole numbers or of days (`'{1,2}'`), one parameter to cast
    with `%s::bigint[]` or `%s::date[]`. psycopg2 writes a list as `ARRAY[…]` of one constant per
    value, which the server parses one by one: 314 ids and 314 days took 2.4 ms to send and read
    against 0.3 as this text (the web's disrupted days at 5,000 functions). Numbers and ISO days
    need no quoting; anything else (a bool, a moment, a text) is refused."""
    found = list(values)
    if all(type(value) is int for value in found):
        return "{" + ",".join(map(str, found)) + "}"
    days = [value for value in found if type(value) is date]
    if len(days) == len(found):
        return "{" + ",".join(day.isoformat() for day in days) + "}"
    odd = [value for value in found if type(value) not in (int, date)]
    if odd:
        raise TypeError(f"array_text takes whole numbers or days, not {type(odd[0]).__name__}")
    raise TypeError("array_text takes whole numbers or days, not both in one array")


# A LIMIT that keeps every row (SQLite has no LIMIT ALL, PostgreSQL no LIMIT -1).
NO_LIMIT = 2**62


def like_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') matching any text that holds `text`."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def contains_sql(column: str) -> str:
    """A condition that `column` holds the text of a `like_pattern` parameter, case aside (as
    Django's `icontains` words it)."""
    return f"UPPER({column}) LIKE UPPER(%s) ESCAPE '\\'"
