"""The report page's read of one snapshot: its light columns, one page of its gaps and the picture's
members, cut in the database.

A snapshot of a 5,000-function product holds megabytes of JSON (thousands of gaps, the first
members of every ring). The page shows a page of gaps and a picture of a few dozen chips per ring:
on PostgreSQL a JSON path cuts the rings where they are stored (on SQLite, the small embedded
mode, they are read whole and cut here); the gaps are stored packed (shared/packed.py), read as
their bytes and only the page's gaps parsed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Func, IntegerField, JSONField, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, Coalesce

from domain.coverage.rows import LAYERS
from domain.rings.shapes import WholeProductData
from roles.permissions import OrgContext
from shared.packed import stored_bytes, stored_length, stored_prefix, unpack_prefix, unpack_slice
from shared.prepared import prepared

from ..models import CoverageReport
from ..readmodel.read import NAMED_CONTRIBUTORS
from ..reporting import stored_picture
from .coverage import every_report, reports_of
from .rings import PER_RING

GAPS_PER_PAGE = 50
# Each stored ring as [its first PER_RING members, its size], in their order: one pass over the
# array (no user input in it: the cut is a constant). A snapshot stores the first PER_RING and
# counts the rest (`more`); one built before then stores them all.
_RINGS_SQL = (
    "(SELECT jsonb_agg(jsonb_build_array(jsonb_path_query_array(ring, "  # noqa: S608
    f"'$.members[0 to {PER_RING - 1}]'::jsonpath), "
    "jsonb_array_length(ring -> 'members') + COALESCE((ring ->> 'more')::int, 0)) ORDER BY place) "
    "FROM jsonb_array_elements(%(expressions)s -> 'rings') WITH ORDINALITY AS r(ring, place))"
)


# Each stored layer row with its first NAMED_CONTRIBUTORS contributors and a count of the others
# (`contributors_more`, which `contributors_beyond` reads): the layer table names six, and a
# snapshot of 5,000 functions stores every name, 240 KB the page parsed to show 24 of them.
_LAYERS_SQL = (
    "(CASE WHEN jsonb_typeof(%(expressions)s) = 'array' THEN (SELECT jsonb_agg(CASE "  # noqa: S608
    "WHEN jsonb_typeof(l -> 'contributors') = 'array' "
    f"AND jsonb_array_length(l -> 'contributors') > {NAMED_CONTRIBUTORS} "
    "THEN (l - 'contributors') || jsonb_build_object("
    f"'contributors', jsonb_path_query_array(l, '$.contributors[0 to {NAMED_CONTRIBUTORS - 1}]'::jsonpath), "
    f"'contributors_more', jsonb_array_length(l -> 'contributors') - {NAMED_CONTRIBUTORS}) "
    "ELSE l END ORDER BY place) FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS x(l, place)) "
    "ELSE %(expressions)s END)"
)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def report_for_page(ctx: OrgContext, pk: int) -> CoverageReport | None:
    """One visible snapshot (None answers 404) without its large JSON columns: `gaps_total`, the
    picture's rings (`stored_rings`: each ring's first members and its size) and, under
    PostgreSQL, its layer rows naming their first contributors (`_LAYERS_SQL`) in their place."""
    if not ctx.is_stakeholder_only:  # every product's: a prepared statement
        report = next(iter(_every_report_for_page(ctx.organization.pk, pk)), None)
    else:
        report = _for_page(reports_of(ctx), pk).first()
    if report is not None and hasattr(report, "page_layers"):
        report.layers = report.page_layers  # the layer rows as the page shows them
    return report


@prepared
def _every_report_for_page(organization_id: int, pk: int) -> QuerySet[CoverageReport]:
    return _for_page(every_report(organization_id), pk)[:1]


def _for_page(reports: QuerySet[CoverageReport], pk: int) -> QuerySet[CoverageReport]:
    """The snapshot `pk` among `reports`, with its gap count and its picture's rings."""
    qs: QuerySet[CoverageReport] = reports.select_related("requested_by").defer("gaps", "data")
    if _postgres():
        # Each column is read once (a large one is decompressed per reference): the rings in one
        # pass over their array, the gap count from the totals counted at build time when kept.
        rings = Func(
            F("data"),
            template=_RINGS_SQL,
            output_field=JSONField(),
        )
        layers = Func(F("layers"), template=_LAYERS_SQL, output_field=JSONField())
        qs = qs.defer("layers").annotate(page_layers=layers)
        return qs.annotate(gaps_total=_gap_count(), stored_rings=rings).filter(pk=pk)
    return qs.annotate(gaps_total=_gap_count(), all_rings=KeyTransform("rings", "data")).filter(pk=pk)


def _gap_count() -> Coalesce:
    """The number of gaps the build counted (`totals`; migration 0015 counted them for the
    snapshots built before they were)."""
    return Coalesce(Cast(KeyTextTransform("gaps", "totals"), IntegerField()), Value(0))


def report_rings(report: CoverageReport) -> WholeProductData | None:
    """The picture as the snapshot saw it, from what `report_for_page` loaded (None: a snapshot
    stored without its rings)."""
    if _postgres():
        stored = [(members or [], size or 0) for members, size in getattr(report, "stored_rings", None) or []]
    else:
        rings = getattr(report, "all_rings", None) or []
        stored = [(ring["members"][:PER_RING], len(ring["members"]) + ring.get("more", 0)) for ring in rings]
    if not stored:
        return None
    rings = [
        {"key": spec.key, "name": spec.name, "ring": spec.ring, "members": members, "more": size - len(members)}
        for spec, (members, size) in zip(LAYERS, stored, strict=False)
    ]
    return stored_picture(report.product, rings)


class StoredGaps(Sequence[dict[str, Any]]):
    """A snapshot's gaps as the paginator sees them: their number is known, a slice is read from
    the database when the page asks for it (one query)."""

    def __init__(self, report: CoverageReport) -> None:
        self.report = report
        self.total: int = getattr(report, "gaps_total", 0) or 0

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...
    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop, _ = index.indices(self.total)
        if stop <= start:
            return []
        # The first PREFIX bytes hold the first pages: zstd decompresses a block (128 KB of gaps)
        # once it has all of it, and at 5,000 functions 64 KB of the 250 KB hold 60 pages of 50.
        # A page further on reads every byte.
        prefix, length = next(iter(_gaps_prefix(self.report.pk, PREFIX)), (None, 0))
        found = unpack_prefix(prefix, start, stop, whole=prefix is None or len(prefix) >= length)
        if found is not None:
            return found
        packed = next(iter(_packed_gaps(self.report.pk)), None)
        return unpack_slice(packed, start, stop)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self[0 : self.total])


PREFIX = 64 * 1024  # bytes of a snapshot's packed gaps read first (`StoredGaps`)


@prepared
def _gaps_prefix(report_id: int, length: int) -> QuerySet[Any]:
    """The first `length` bytes of the snapshot's packed gaps, and how many it holds."""
    rows = CoverageReport.objects.filter(pk=report_id).order_by("pk")
    return rows.values_list(stored_prefix("gaps", length), stored_length("gaps"))[:1]


@prepared
def _packed_gaps(report_id: int) -> QuerySet[Any]:
    """The snapshot's packed gaps' bytes (`.first()`'s row)."""
    return CoverageReport.objects.filter(pk=report_id).values_list(stored_bytes("gaps"), flat=True).order_by("pk")[:1]


def gap_page(report: CoverageReport, number: Any) -> Page:
    """The page `number` of the snapshot's gaps: the nearest page for a number out of range (the
    first below 1, the last past the end), the first for anything that is not a number."""
    try:
        wanted = max(int(number), 1)
    except (TypeError, ValueError):
        wanted = 1
    return Paginator(StoredGaps(report), GAPS_PER_PAGE).get_page(wanted)
