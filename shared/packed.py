"""A list of JSON objects stored as zstd-compressed JSON Lines (`PackedJSONListField`).

A report snapshot of a 5,000-function product holds some 12,000 gaps, 3 MB as JSON. Stored as
jsonb, PostgreSQL parsed and compressed those 3 MB at every build (about 90 ms of it, a third of
the build); compressed here they are 250 KB of bytes it stores as they come (5 ms). The list is
never queried inside the database: a page reads a slice of it, which `unpack_slice` cuts while
decompressing, as far as the slice's last object, and parses only the objects of that slice (one
object per line: orjson escapes every newline inside a string, so a line is an object).

Reading the field gives the list of dicts, as a JSONField would; writing accepts a list (or tuple)
of dicts or of dataclasses (orjson writes a dataclass as its fields, in order).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

import orjson
import zstandard
from django.db import models
from django.db.models.functions import Length, Substr

LEVEL = 3  # zstd's default: 3 MB of gaps in 4 ms, to 8.5% of their size
CHUNK = 16 * 1024  # bytes decompressed at a time by `unpack_slice`
MAX_OUTPUT = 1 << 30  # a packed list never unpacks to more than this (1 GB): a bad row cannot eat memory


def pack(items: Iterable[Any]) -> bytes:
    """`items` as zstd-compressed JSON Lines."""
    return zstandard.ZstdCompressor(level=LEVEL).compress(json_lines(items))


def json_lines(items: Iterable[Any]) -> bytes:
    """`items` as JSON Lines, one object a line. A list of one dataclass (a snapshot's gaps) is
    written by one `orjson.dumps` and cut into lines where one object ends and the next begins: its
    first field's name after `},{`, which no string inside can hold (a quote in a string is written
    `\\"`) and no value of these flat objects does (the count of lines is checked all the same).
    One call for 11,764 gaps took 10 ms where a call per gap took 25."""
    rows = items if isinstance(items, list | tuple) else list(items)
    kind = type(rows[0]) if rows else None
    if kind is not None and dataclasses.is_dataclass(kind) and all(type(row) is kind for row in rows):
        first = b'"' + dataclasses.fields(kind)[0].name.encode() + b'":'
        lines = orjson.dumps(rows)[1:-1].replace(b"},{" + first, b"}\n{" + first)
        if lines.count(b"\n") == len(rows) - 1:
            return lines
    return b"\n".join(map(orjson.dumps, rows))


def _lines(packed: bytes | memoryview) -> list[bytes]:
    text = zstandard.ZstdDecompressor().decompress(bytes(packed), max_output_size=MAX_OUTPUT)
    return text.split(b"\n") if text else []


def unpack(packed: bytes | memoryview | None) -> list[Any]:
    """Every item of a packed list (an empty list for None)."""
    return [] if packed is None else [orjson.loads(line) for line in _lines(packed)]


def unpack_slice(packed: bytes | memoryview | None, start: int, stop: int) -> list[Any]:
    """The items `start` to `stop` (excluded) of a packed list, parsing those alone, and
    decompressing only as far as the `stop`-th: the first page of 12,000 gaps reads a few KB."""
    found = unpack_prefix(packed, start, stop, whole=True)
    assert found is not None
    return found


def unpack_prefix(packed: bytes | memoryview | None, start: int, stop: int, *, whole: bool) -> list[Any] | None:
    """`unpack_slice` of the first bytes of a packed list (`whole` when they are all of it): the
    items `start` to `stop`, or None when the bytes end before the `stop`-th item does (a zstd
    stream cut short decompresses as far as it goes; its last, unended line is no item)."""
    if packed is None or stop <= start:
        return []
    reader = zstandard.ZstdDecompressor().stream_reader(bytes(packed))
    found: list[bytes] = []
    seen, tail = 0, b""
    while seen < stop:
        chunk = reader.read(CHUNK)
        if not chunk:  # the end: the last item has no newline after it
            if not whole:
                return None
            if tail and seen >= start:
                found.append(tail)
            break
        lines = (tail + chunk).split(b"\n")
        tail = lines.pop()
        for line in lines:
            if seen >= stop:
                break
            if seen >= start:
                found.append(line)
            seen += 1
    return [orjson.loads(line) for line in found]


def stored_prefix(column: str, length: int) -> Substr:
    """The first `length` bytes of a packed column in a query (`unpack_prefix`): PostgreSQL reads
    only the chunks of a large value they lie in, and sends them alone."""
    return Substr(models.F(column), 1, length, output_field=models.BinaryField())


def stored_length(column: str) -> Length:
    """How many bytes a packed column holds, in a query (whether a `stored_prefix` is all of it)."""
    return Length(models.F(column))


def stored_bytes(column: str) -> models.ExpressionWrapper:
    """A packed column's stored bytes in a query, not the list its field reads them as: for
    `unpack_slice`, which parses only the items asked for."""
    return models.ExpressionWrapper(models.F(column), output_field=models.BinaryField())


class PackedJSONListField(models.BinaryField):
    """A list of JSON objects, stored packed (`pack`); read back as a list of dicts.

    Not editable (a BinaryField); `value_to_string` and `to_python` speak JSON text, so
    serializers and fixtures see the list rather than base64 of compressed bytes.
    """

    description = "A list of JSON objects, stored as zstd-compressed JSON Lines"
    # What the model attribute holds, for django-stubs' mypy plugin: a list read, a list or tuple set.
    _pyi_private_set_type: list[Any] | tuple[Any, ...]
    _pyi_private_get_type: list[Any]  # type: ignore[assignment]  # BinaryField says bytes: this one reads a list

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            value = pack(value)
        return super().get_prep_value(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[Any] | None:
        return None if value is None else unpack(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            return json.loads(value)
        if isinstance(value, (bytes, memoryview)):
            return unpack(value)
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))
