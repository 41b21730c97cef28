"""shared/packed.py: a list of JSON objects stored as zstd-compressed JSON Lines."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.models import CoverageReport
from shared.packed import (
    PackedJSONListField,
    pack,
    stored_bytes,
    stored_length,
    stored_prefix,
    unpack,
    unpack_prefix,
    unpack_slice,
)
from tests.factories import REPORT_FIGURES

ITEMS = [
    {"kind": "pending_review", "message": "3 reviews pending from Sales.", "count": 3},
    {"kind": "unchecked_partnership", "message": "Trust between A\nand B ↔ C has never been checked."},
    {"kind": "x", "target": {"function_id": 7, "layer": "core"}, "nested": [1, {"a": None}], "ok": True},
]


@dataclass(frozen=True)
class Thing:
    kind: str
    count: int


def test_a_list_comes_back_as_it_went_in():
    assert unpack(pack(ITEMS)) == ITEMS
    assert unpack(memoryview(pack(ITEMS))) == ITEMS  # as psycopg2 hands bytea over


def test_an_empty_list_and_none():
    assert unpack(pack([])) == []
    assert unpack(None) == []
    assert unpack_slice(pack([]), 0, 10) == []
    assert unpack_slice(None, 0, 10) == []


def test_a_newline_inside_a_string_does_not_split_an_item():
    assert unpack_slice(pack(ITEMS), 1, 2) == [ITEMS[1]]


@pytest.mark.parametrize(("start", "stop"), [(0, 1), (1, 3), (2, 50), (3, 4), (0, 3)])
def test_a_slice_is_the_list_slice(start, stop):
    assert unpack_slice(pack(ITEMS), start, stop) == ITEMS[start:stop]


def test_dataclasses_are_written_as_their_fields():
    assert unpack(pack((Thing("a", 1), Thing("b", 2)))) == [{"kind": "a", "count": 1}, {"kind": "b", "count": 2}]


def test_it_is_compressed():
    many = [{"kind": "pending_review", "message": f"{n} reviews pending from Function {n}."} for n in range(2000)]
    packed = pack(many)
    assert packed[:4] == zstandard.FRAME_HEADER
    assert len(packed) * 5 < sum(len(str(item)) for item in many)


def test_the_field_speaks_json_to_serializers():
    field = PackedJSONListField()
    assert field.to_python('[{"a": 1}]') == [{"a": 1}]
    assert field.to_python(pack(ITEMS)) == ITEMS
    assert field.to_python(ITEMS) is ITEMS


def test_a_report_stores_and_reads_its_gaps_packed(insights):
    report = CoverageReport.objects.create(
        product=insights,
        organization=insights.organization,
        run_key="packed",
        gaps=ITEMS,
        **REPORT_FIGURES,
    )
    again = CoverageReport.objects.get(pk=report.pk)
    assert again.gaps == ITEMS
    raw = CoverageReport.objects.filter(pk=report.pk).values_list(stored_bytes("gaps"), flat=True).get()
    assert unpack(raw) == ITEMS
    assert unpack_slice(raw, 1, 2) == [ITEMS[1]]
    report.gaps = ITEMS[:1]
    report.save()
    assert CoverageReport.objects.get(pk=report.pk).gaps == ITEMS[:1]


def test_a_slice_of_a_long_list_reads_only_as_far_as_it_needs():
    many = [{"n": n, "message": f"Gap number {n}\nwith a newline in it."} for n in range(5000)]
    packed = pack(many)
    assert unpack_slice(packed, 0, 50) == many[:50]
    assert unpack_slice(packed, 4990, 5010) == many[4990:]
    assert unpack_slice(packed, 2500, 2501) == [many[2500]]
    assert unpack_slice(packed, 5000, 5050) == []
    assert unpack_slice(packed, 10, 10) == []
    assert unpack_slice(pack([{"a": 1}]), 0, 1) == [{"a": 1}]


MANY = [{"n": n, "message": f"Gap number {n}\nwith a newline, and {'words ' * (n % 7)}"} for n in range(3000)]
PACKED_MANY = pack(MANY)


@settings(max_examples=200)
@given(st.integers(0, len(PACKED_MANY)), st.integers(0, 3100), st.integers(0, 200))
def test_the_first_bytes_answer_a_slice_or_say_they_do_not_reach_it(cut, start, size):
    """A prefix answers exactly the list's slice, or None when it ends before the slice does; the
    whole bytes always answer."""
    stop = start + size
    found = unpack_prefix(PACKED_MANY[:cut], start, stop, whole=cut == len(PACKED_MANY))
    if found is not None:
        assert found == MANY[start:stop]
    assert found is not None or cut < len(PACKED_MANY)
    assert unpack_prefix(PACKED_MANY, start, stop, whole=True) == MANY[start:stop]


def test_a_prefix_long_enough_answers_and_a_short_one_does_not():
    # zstd decompresses a block once it has all of it: all but the last byte hold the first blocks.
    assert unpack_prefix(PACKED_MANY[:-1], 0, 20, whole=False) == MANY[:20]
    assert unpack_prefix(PACKED_MANY[:100], 0, 2000, whole=False) is None
    assert unpack_prefix(PACKED_MANY[:0], 0, 1, whole=False) is None


@pytest.mark.django_db
def test_the_database_sends_a_prefix_and_the_length(insights):
    report = CoverageReport.objects.create(
        product=insights, organization=insights.organization, run_key="prefix",
        gaps=MANY, **REPORT_FIGURES,
    )  # fmt: skip
    prefix, length = (
        CoverageReport.objects.filter(pk=report.pk)
        .values_list(stored_prefix("gaps", 1000), stored_length("gaps"))
        .get()
    )
    assert length == len(PACKED_MANY) and bytes(prefix) == PACKED_MANY[:1000]


@dataclass(frozen=True)
class Nested:
    kind: str
    target: dict
    parts: list


def test_a_list_of_one_dataclass_is_written_as_one_object_a_line_whatever_its_strings_hold():
    """One dump of the whole list, cut between objects, writes what a dump per object writes: a
    string holding the boundary, a newline or a quote does not cut an object, and objects that do
    hold a list of objects like themselves fall back to a dump each."""
    import orjson

    from shared.packed import json_lines

    tricky = [
        Thing('},{"kind":"a"}', 1),
        Thing('line\nbreak and a " quote', 2),
        Thing("{}", 3),
        Thing("é ↔ ü", 4),
    ]
    assert json_lines(tricky) == b"\n".join(map(orjson.dumps, tricky))
    assert [Thing(**row) for row in unpack(pack(tricky))] == tricky
    nested = [Nested("a", {"kind": 1}, [{"kind": "inner"}, {"kind": "more"}]), Nested("b", {}, [])]
    assert json_lines(nested) == b"\n".join(map(orjson.dumps, nested))
    assert json_lines(iter(tricky)) == json_lines(tricky)  # any iterable
    assert json_lines([Thing("a", 1), {"kind": "b"}]) == b'{"kind":"a","count":1}\n{"kind":"b"}'
