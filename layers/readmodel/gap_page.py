"""One page of a product's live coverage (the coverage API): the figures and layers of
`read.live_coverage`, and one window of its gaps, without assembling every gap (issue 13 item 9).

Gaps are ordered by severity, then kind, then name (`domain.coverage.gaps._gap_order`), so the
list is a run of segments — the unowned layers, the disputes on leads, the disputes on
contributors, the unmapped functions, … — one per (severity, kind). Each segment's size is a count
over the counters (one aggregate over the cells, with the head count) or over the links (one
statement counts the weak ones and those due a trust check); only the segments a window overlaps
are built, with the same builders as live coverage, and ordered by the same rule. At 5,000
functions the first page builds 100 gaps instead of 11,800, in four statements (the counter row,
the layers, the links' counts and the window's one segment), as many as a small organization's
whole list is read in (up to `WINDOWED_ABOVE` functions, where that costs less: the counter row,
and live coverage's three reads of its functions with their cells, links and disruptions).

`live_coverage` stays the whole answer (the report build stores every gap); tests hold every
window of this module equal to the same window of it, and its figures, layers and totals equal.
A page's layer rows name their first `NAMED_CONTRIBUTORS` contributors, in a report's order, and
count them all (`contributor_count`): at 5,000 functions naming every one was 244 of an answer's
245 KB.
"""

from __future__ import annotations

import functools
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Collate, TruncDate
from django.utils import timezone

from domain.coverage.gaps import (
    _denominator_gaps,
    _dispute_gaps,
    _function_gaps,
    _gap_order,
    _layer_gaps,
    _partnership_gaps,
    order_within_kind,
)
from domain.coverage.result import (
    _KIND_RANK,
    _SEVERITY_RANK,
    Coverage,
    Gap,
    GapKind,
    LayerCoverage,
    Severity,
)
from domain.coverage.rows import LEAD, AssignmentRow, FunctionRow, Tally
from domain.partnerships import UNCHECKED_AFTER_DAYS, WEAK_TRUST, disrupted_after_sql, trust_check_due_sql
from roles.models import Function, Partnership
from shared.collector import collector_paused
from shared.prepared import first_of, prepared, statement_of

from ..models import Product
from .maintain import applied_disruptions
from .read import (
    NAMED_CONTRIBUTORS,
    applied_to_product,
    function_rows,
    layer_counts,
    layer_rows,
    live_coverage,
    mapped_ids,
    mapped_partnerships,
    named,
    summary_of,
)
from .tables import CellCounts, LayerCounts, ProductCounts

T = TypeVar("T")
Window = Callable[[int, int], list[Gap]]


@dataclass(frozen=True)
class Segment:
    """The gaps of one (severity, kind): how many, and how to build the `low` to `high` of them."""

    severity: Severity
    kind: GapKind
    count: int
    window: Window

    @property
    def rank(self) -> tuple[int, int]:
        return _SEVERITY_RANK[self.severity], _KIND_RANK[self.kind]


def _built(gaps: list[Gap]) -> Window:
    """A segment of gaps built already (the denominator's and the unowned layers': one each)."""
    return lambda low, high: sorted(gaps, key=_gap_order)[low:high]


def _probed(kind: GapKind, probes: Sequence[tuple[Mapping[str, int | str], str, T]], low: int, high: int) -> list[T]:
    """The payloads of `probes` (target, name, payload) at `low` to `high` in the gaps' order:
    each probe is ordered as its gap would be among its kind (`order_within_kind`, the rule of
    `_gap_order`), so only the window's gaps need building."""
    # The first `high` only (`nsmallest` orders them as `sorted` would): a first page of disputes
    # out of 1,800 orders a hundred.
    keyed = heapq.nsmallest(high, probes, key=lambda probe: order_within_kind(kind, probe[1], probe[0]))
    return [payload for _target, _name, payload in keyed[low:high]]


@dataclass(frozen=True)
class CoveragePage:
    coverage: Coverage  # the figures and every layer row; `gaps` holds the window only
    gaps_count: int
    gaps_by_severity: dict[str, int]
    people: int
    as_of: datetime | None


# Up to this many functions, a page assembles every gap (`live_coverage`, four queries) and slices
# it: that costs less than counting the segments and building a window (a 100-function product's
# first page spans most segments). Above it, only the window is built.
WINDOWED_ABOVE = 300


def coverage_page(product: Product, *, start: int, size: int, now: datetime | None = None) -> CoveragePage:
    """Live coverage with the gaps `start` to `start + size` (0-based) of its ordered list."""
    now = timezone.localtime(now)  # a trust check's days are the site's (`calendar_day`)
    with collector_paused():
        counts = next(iter(_counts_of(product.pk)), None)
        if counts is None or counts.functions <= WINDOWED_ABOVE:
            return _whole(product, start, size, now, counts)
        return _Page(product, counts, now).answer(start, size)


@prepared
def _counts_of(product_id: int) -> QuerySet[ProductCounts]:
    """The product's counter row (`.first()`'s: by id)."""
    return first_of(ProductCounts.objects.filter(product_id=product_id))


def _whole(product: Product, start: int, size: int, now: datetime, counts: ProductCounts | None) -> CoveragePage:
    live = live_coverage(product, now=now, counts=counts)
    gaps = live.coverage.gaps
    by_severity = Counter({str(severity): 0 for severity in Severity})
    by_severity.update(str(gap.severity) for gap in gaps)
    layers = tuple(_first_named(row) for row in live.coverage.layers)
    return CoveragePage(
        coverage=replace(live.coverage, layers=layers, gaps=gaps[start : start + size]),
        gaps_count=len(gaps),
        gaps_by_severity=dict(by_severity),
        people=live.people,
        as_of=live.as_of,
    )


def _first_named(row: LayerCoverage) -> LayerCoverage:
    """A whole layer row as a page names it: its first `NAMED_CONTRIBUTORS` contributors."""
    if len(row.contributors) <= NAMED_CONTRIBUTORS:
        return row
    kept = row.contributors[:NAMED_CONTRIBUTORS]
    return replace(row, contributors=kept, contributors_more=row.contributor_count - len(kept))


class _Page:
    def __init__(self, product: Product, counts: ProductCounts, now: datetime) -> None:
        self.organization_id = product.organization_id
        self.product = product
        self.counts = counts
        self.now, self.today = now, now.date()
        self.cells = CellCounts.objects.filter(organization_id=self.organization_id, product_id=product.pk)

    def answer(self, start: int, size: int) -> CoveragePage:
        rows = layer_counts(self.organization_id, [self.product.pk], names=True).get(self.product.pk, [])
        coverage = replace(summary_of(self.counts), layers=self._layers(rows))
        # The sizes of the segments, and the head count: kept on the product's counter row.
        counts = self.counts
        tally = {
            "lead_disputes": counts.lead_disputes,
            "other_disputes": counts.other_disputes,
            "mapped": counts.mapped_functions,
            "unstaffed": counts.unstaffed_functions,
            "stale": counts.stale_functions,
            "pending": counts.pending_functions,
            "people": counts.people,
        }
        segments = sorted(self._segments(coverage, tally), key=lambda segment: segment.rank)
        window: list[Gap] = []
        offset = 0
        by_severity = Counter({str(severity): 0 for severity in Severity})
        for segment in segments:
            low, high = max(start - offset, 0), min(start + size - offset, segment.count)
            if low < high:
                window += segment.window(low, high)
            offset += segment.count
            by_severity[str(segment.severity)] += segment.count
        return CoveragePage(
            coverage=replace(coverage, gaps=tuple(window)),
            gaps_count=offset,
            gaps_by_severity=dict(by_severity),
            people=tally["people"] or 0,
            as_of=self.counts.as_of,
        )

    def _layers(self, rows: list[LayerCounts]) -> tuple[LayerCoverage, ...]:
        """Every layer row, its first `NAMED_CONTRIBUTORS` contributors named as a report names
        them (the names kept on the layer's counter row, in that order) and the rest counted."""
        return layer_rows(rows, named)

    # --- the segments ---------------------------------------------------------------------------

    def _segments(self, coverage: Coverage, tally: dict[str, int]) -> list[Segment]:
        fixed = [*_denominator_gaps(coverage), *_layer_gaps(coverage.layers)]
        segments = [Segment(gap.severity, gap.kind, 1, _built([gap])) for gap in fixed]
        # With no assignment at all, the one no_assignments gap stands for every unmapped function.
        unmapped = coverage.functions - tally["mapped"] if coverage.assignments else 0
        segments += [
            self._dispute_segment(Severity.HIGH, tally["lead_disputes"], Q(emphasis=LEAD)),
            self._dispute_segment(Severity.MEDIUM, tally["other_disputes"], ~Q(emphasis=LEAD)),
            self._function_segment(GapKind.UNMAPPED_FUNCTION, Severity.MEDIUM, unmapped, self._unmapped),
        ]
        for kind, severity, counted, which in (
            (GapKind.UNSTAFFED_FUNCTION, Severity.MEDIUM, "unstaffed", Q(pairs=0)),
            (GapKind.STALE_REVIEW, Severity.LOW, "stale", Q(reviewed__gt=F("current"))),
            (GapKind.PENDING_REVIEW, Severity.LOW, "pending", Q(pairs__gt=F("reviewed"))),
        ):
            these = functools.partial(self._functions_with_cells, which)
            segments.append(self._function_segment(kind, severity, tally[counted], these))
        weak, due = self._link_counts()
        for kind, severity, count in (
            (GapKind.WEAK_PARTNERSHIP, Severity.MEDIUM, weak),
            (GapKind.UNCHECKED_PARTNERSHIP, Severity.LOW, due),
        ):
            segments.append(Segment(severity, kind, count, self._link_window(kind)))
        return [segment for segment in segments if segment.count]

    def _dispute_segment(self, severity: Severity, count: int, which: Q) -> Segment:
        def window(low: int, high: int) -> list[Gap]:
            # Sorted and cut by the database, in `order_within_kind`'s order for a dispute: the name
            # case-folded (as the cell keeps it), then as written, by code point; the layer's ring;
            # then the target's first item, the assignment (unique). At 5,000 functions, reading
            # every open cell (1,800) and ordering them in Python was a third of the answer.
            chosen = list(
                self.cells.filter(which, open__gt=0)
                .order_by(*_by_code_point("name_key", "function__name"), "layer__ring", "assignment_id")
                .values_list("function__name", "function__category", *_CELL)[low:high]
            )
            fns = {row[3]: FunctionRow(row[3], row[0], row[1]) for row in chosen}
            assigned, _staff, tallies = _cells([row[2:] for row in chosen])
            return sorted(_dispute_gaps(assigned, fns, tallies), key=_gap_order)

        return Segment(severity, GapKind.OPEN_DISPUTE, count, window)

    def _unmapped(self) -> QuerySet[Function]:
        functions = Function.objects.filter(organization_id=self.organization_id)
        return functions.exclude(pk__in=self.cells.values("function_id"))

    def _functions_with_cells(self, which: Q) -> QuerySet[Function]:
        functions = Function.objects.filter(organization_id=self.organization_id)
        return functions.filter(pk__in=self.cells.filter(which).values("function_id"))

    def _function_segment(
        self, kind: GapKind, severity: Severity, count: int, functions: Callable[[], QuerySet[Function]]
    ) -> Segment:
        """A segment of functions' gaps; `functions` makes the query of them when a window needs it
        (most pages need none of the six: building them all cost more than the page's counts)."""

        def window(low: int, high: int) -> list[Gap]:
            rows = functions().values_list("id", "name", "category")
            probes = [({"function_id": pk}, name, (pk, name, category)) for pk, name, category in rows]
            fns = {pk: FunctionRow(pk, name, category) for pk, name, category in _probed(kind, probes, low, high)}
            assigned, staff, tallies = _cells(self.cells.filter(function_id__in=list(fns)).values_list(*_CELL))
            found = _function_gaps(fns, assigned, staff, tallies, no_assignments=False)
            return sorted((gap for gap in found if gap.kind == kind), key=_gap_order)

        return Segment(severity, kind, count, window)

    def _link_counts(self) -> tuple[int, int]:
        """How many links touching a mapped function are weak, and how many are due a trust check
        (`domain.partnerships.trust_check_due`), counted in one statement where judging 7,500 links
        in Python took longer than the rest of the page: never checked, flagged, checked
        `UNCHECKED_AFTER_DAYS` days ago or more, or an end disrupted on a later day than the check
        (the later of the two ends' days, `partnership_disruption_day`, is after the check when
        either is). The disruptions are live coverage's (`applied_disruptions` of the mapped
        functions, its day in the site's calendar as `calendar_day` takes it); tests hold both
        counts equal to live coverage's."""
        # Each mapped function's latest applied disruption, its day in the site's zone: live
        # coverage's own read (`applied_to_product`) as a subquery of the statement, not a query of
        # its own. Both subqueries are prepared (`shared.prepared`): built anew, they cost a
        # millisecond a request.
        days_sql, days_params = statement_of(_applied_days(self.organization_id, self.product.pk, self.now.tzinfo))
        days = f"days(function_id, day) AS ({days_sql})"
        mapped_sql, mapped_params = statement_of(_mapped_of(self.organization_id, self.product.pk))
        partnership = Partnership._meta.db_table
        later = disrupted_after_sql("p.last_checked_on", "da.day", "db.day")
        due = trust_check_due_sql("p.last_checked_on", "p.needs_trust_check", later)
        sql = f"""WITH {days}
            SELECT COUNT(*) FILTER (WHERE p.trust <= %s),
                   COUNT(*) FILTER (WHERE {due})
            FROM {partnership} p
            LEFT JOIN days da ON da.function_id = p.function_a_id
            LEFT JOIN days db ON db.function_id = p.function_b_id
            WHERE p.organization_id = %s
              AND (p.function_a_id IN ({mapped_sql}) OR p.function_b_id IN ({mapped_sql}))"""  # noqa: S608 (the ORM's SQL and a table name; values are parameters)
        params = [
            *days_params,
            WEAK_TRUST,
            self.today - timedelta(days=UNCHECKED_AFTER_DAYS),
            self.organization_id,
            *mapped_params,
            *mapped_params,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            weak, due = cursor.fetchone()
        return weak, due

    def _link_window(self, kind: GapKind) -> Window:
        """A window of the weak or the due links: live coverage's own read of the links touching a
        mapped function (`mapped_partnerships`) and its own gaps of them (`_partnership_gaps`), every
        one of the kind built and ordered (a page this far down the list is a late one)."""

        def window(low: int, high: int) -> list[Gap]:
            functions, _external = function_rows(self.organization_id)
            mapped = set(self.cells.values_list("function_id", flat=True))
            links = mapped_partnerships(self.organization_id, functions, mapped)
            disrupted = applied_disruptions(self.organization_id, self.cells.values("function_id"))
            found = _partnership_gaps(links, disrupted, self.now)
            return sorted((gap for gap in found if gap.kind == kind), key=_gap_order)[low:high]

        return window


@prepared
def _mapped_of(organization_id: int, product_id: int) -> QuerySet[Any]:
    """`mapped_ids`, as `_link_counts`'s subquery."""
    return mapped_ids(organization_id, product_id)


@prepared
def _applied_days(organization_id: int, product_id: int, zone: Any) -> QuerySet[Any]:
    """(function id, day of its latest applied disruption in `zone`) of the product's mapped
    functions: live coverage's `applied_to_product`, as `_link_counts`'s subquery."""
    latest = applied_to_product(organization_id, product_id)
    return latest.annotate(day=TruncDate("last", tzinfo=zone)).values_list("function_id", "day")


def _by_code_point(*fields: str) -> list[Any]:
    """Text ordered by code point, as Python compares str: PostgreSQL's "C" collation; SQLite
    compares text that way by default."""
    if connection.vendor == "postgresql":
        return [Collate(F(name), "C") for name in fields]
    return [F(name) for name in fields]


_CELL = ("assignment_id", "function_id", "layer__key", "emphasis", "pairs", "reviewed", "current", "agreeing", "open")


def _cells(rows: Iterable[Sequence[Any]]) -> tuple[list[AssignmentRow], Counter[int], dict[int, Tally]]:
    """Cells read as `_CELL` as live coverage's rows: the assignments, head counts and tallies."""
    assigned, staff, tallies = [], Counter[int](), {}
    for pk, function_id, key, emphasis, pairs, reviewed, current, agreeing, open_ in rows:
        assigned.append(AssignmentRow(pk, function_id, key, emphasis))
        staff[function_id] = pairs
        tallies[pk] = Tally(reviewed, current, agreeing, open_)
    return assigned, staff, tallies
