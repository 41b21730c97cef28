"""The report page's read of one snapshot: its light columns, one page of its gaps and the picture's
members, cut in the database.

A snapshot of a 5,000-function product holds megabytes of JSON (thousands of gaps, every member of
every ring). The page shows a page of gaps and a picture of a few dozen chips per ring, so only
those leave the database: on PostgreSQL a JSON path slices the arrays where they are stored; on
SQLite (the small embedded mode) the arrays are read whole and sliced here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Func, IntegerField, JSONField, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform

from domain.coverage.rows import LAYERS
from domain.rings.shapes import Member, RingInput, WholeProductData
from roles.permissions import OrgContext

from ..models import CoverageReport
from .coverage import reports_of
from .rings import PER_RING

GAPS_PER_PAGE = 50


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _path(column: str, path: str) -> Func:
    return Func(
        F(column), template=f"jsonb_path_query_array(%(expressions)s, '{path}'::jsonpath)", output_field=JSONField()
    )


def _length(column: str, path: str = "") -> Func:
    target = f"%(expressions)s #> '{{{path}}}'" if path else "%(expressions)s"
    function = "jsonb_array_length" if _postgres() else "json_array_length"
    return Func(F(column), template=f"COALESCE({function}({target}), 0)", output_field=IntegerField())


def report_for_page(ctx: OrgContext, pk: int) -> CoverageReport | None:
    """One visible snapshot (None answers 404) without its large JSON columns: `gaps_total`, and
    `ring_members_<i>` / `ring_size_<i>` per ring (core first) annotated in their place."""
    qs: QuerySet[CoverageReport] = reports_of(ctx).select_related("requested_by").defer("gaps", "data")
    if _postgres():
        rings: dict[str, Any] = {}
        for i in range(len(LAYERS)):
            rings[f"ring_members_{i}"] = _path("data", f"$.rings[{i}].members[0 to {PER_RING - 1}]")
            rings[f"ring_size_{i}"] = _length("data", f"rings,{i},members")
        qs = qs.annotate(gaps_total=_length("gaps"), has_rings=KeyTextTransform("rings", "data"), **rings)
        return qs.filter(pk=pk).first()
    return qs.annotate(gaps_total=_length("gaps"), all_rings=KeyTransform("rings", "data")).filter(pk=pk).first()


def report_rings(report: CoverageReport) -> WholeProductData | None:
    """The picture as the snapshot saw it, from what `report_for_page` loaded (None: a snapshot
    stored without its rings)."""
    if _postgres():
        if not getattr(report, "has_rings", None):
            return None
        stored = [
            (getattr(report, f"ring_members_{i}") or [], getattr(report, f"ring_size_{i}") or 0)
            for i in range(len(LAYERS))
        ]
    else:
        rings = getattr(report, "all_rings", None) or []
        if not rings:
            return None
        stored = [(ring["members"][:PER_RING], len(ring["members"])) for ring in rings]
    return WholeProductData(
        product=report.product,
        rings=[
            RingInput(
                key=spec.key,
                name=spec.name,
                ring=spec.ring,
                members=tuple(Member(**member) for member in members),
                more=size - len(members),
            )
            for spec, (members, size) in zip(LAYERS, stored, strict=False)
        ],
    )


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
        rows = CoverageReport.objects.filter(pk=self.report.pk)
        if _postgres():
            return rows.annotate(cut=_path("gaps", f"$[{start} to {stop - 1}]")).values_list("cut", flat=True)[0] or []
        return list(rows.values_list("gaps", flat=True)[0][start:stop])

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self[0 : self.total])


def gap_page(report: CoverageReport, number: Any) -> Page:
    """The page `number` of the snapshot's gaps (a bad or too large number gives the nearest page)."""
    return Paginator(StoredGaps(report), GAPS_PER_PAGE).get_page(number)
