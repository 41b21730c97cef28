"""Live coverage, read from the maintained counters (DESIGN §4): pages, the API and the report
build call this, never the raw-row computation (that is the oracle, `domain.coverage.compute`).

The numbers and gaps come out of `domain.coverage.compute.assemble_coverage`, the same function the
oracle ends in, fed with the per-assignment tallies of `CellCounts` instead of tallies counted
from reviews: one formula, two sources, and `rebuild_read_model --check` compares them.
Four queries whatever the organization's size.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, FilteredRelation, Func, JSONField, Q, QuerySet
from django.utils import timezone

from domain.coverage.compute import assemble_coverage, name_order
from domain.coverage.result import Coverage, LayerCoverage
from domain.coverage.rows import LAYERS, AssignmentRow, FunctionRow, PartnershipRow, Tally
from domain.rings.shapes import WholeProductData
from roles.models import Function, Partnership
from roles.selectors.disruptions import latest_disruptions_query
from shared.collector import collector_paused
from shared.prepared import prepared

from ..models import Product
from .tables import CellCounts, LayerCounts, ProductCounts


@dataclass(frozen=True)
class LiveCoverage:
    coverage: Coverage
    as_of: datetime | None
    people: int  # distinct people in the product's mapped functions
    external_function_ids: frozenset[int]
    functions: dict[int, FunctionRow]
    assignments: list[AssignmentRow]


def live_coverage(
    product: Product, *, now: datetime | None = None, counts: ProductCounts | None = None
) -> LiveCoverage:
    """The product's live coverage; `counts`, its counter row when the caller read it already
    (its `as_of` is the answer's)."""
    with collector_paused():  # tens of thousands of rows and gaps at 5,000 functions
        return _live_coverage(product, now=now, counts=counts)


def _live_coverage(product: Product, *, now: datetime | None, counts: ProductCounts | None) -> LiveCoverage:
    organization_id = product.organization_id
    functions: dict[int, FunctionRow] = {}
    external = set()
    assigned, staff, tallies = [], {}, {}
    for row in _functions_and_cells(organization_id, product.pk):
        function_id, name, category, is_external, pk, key, emphasis, pairs, reviewed, current, agreeing, open_ = row
        if function_id not in functions:
            functions[function_id] = FunctionRow(function_id, name, category)
            if is_external:
                external.add(function_id)
        if pk is None:  # a function the product does not map
            continue
        assigned.append(AssignmentRow(pk, function_id, key, emphasis))
        staff[function_id] = pairs  # one pair per person of the function
        tallies[pk] = Tally(reviewed, current, agreeing, open_)
    coverage = assemble_coverage(
        functions=functions,
        assigned=assigned,
        staff=staff,
        tallies=tallies,
        partnerships=mapped_partnerships(organization_id, functions, staff.keys()),
        disrupted=dict(_applied_to_product(organization_id, product.pk)),
        now=timezone.localtime(now),  # the site's calendar days (`calendar_day`)
    )
    if counts is not None:
        as_of = counts.as_of
    else:
        as_of = ProductCounts.objects.filter(product_id=product.pk).values_list("as_of", flat=True).first()
    return LiveCoverage(coverage, as_of, sum(staff.values()), frozenset(external), functions, assigned)


@prepared
def _functions_and_cells(organization_id: int, product_id: int) -> QuerySet[Any]:
    """Every function of the organization, with its cells in the product: a row per cell, and a
    row with empty cell columns for a function the product does not map. One statement (a left
    join on the cells' (organization, product, function) index) where two read 11,300 rows at
    5,000 functions: this reads 6,300."""
    cell = FilteredRelation(
        "cell_counts",
        condition=Q(cell_counts__organization_id=organization_id, cell_counts__product_id=product_id),
    )
    return (
        Function.objects.filter(organization_id=organization_id)
        .annotate(cell=cell)
        .values_list("id", "name", "category", "is_external", *(f"cell__{name}" for name in _CELL_COLUMNS))
    )


_CELL_COLUMNS = ("assignment_id", "layer__key", "emphasis", "pairs", "reviewed", "current", "agreeing", "open")


def mapped_ids(organization_id: int, product_id: int) -> QuerySet[Any]:
    """The ids of the functions the product maps (a cell each), to go in a statement as a subquery."""
    return CellCounts.objects.filter(organization_id=organization_id, product_id=product_id).values("function_id")


def applied_to_product(organization_id: int, product_id: int) -> QuerySet[Any]:
    """`applied_disruptions` of the product's mapped functions: (function id, when, as `last`)
    each. The mapped functions go in as a subquery, not a list of ids: at 5,000 functions,
    building and sending an IN list of that size cost more than the rest of the read together."""
    mapped = mapped_ids(organization_id, product_id)
    return latest_disruptions_query(organization_id=organization_id, function_ids=mapped)


@prepared
def _applied_to_product(organization_id: int, product_id: int) -> QuerySet[Any]:
    return applied_to_product(organization_id, product_id)


def function_rows(organization_id: int) -> tuple[dict[int, FunctionRow], frozenset[int]]:
    functions, external = {}, set()
    for pk, name, category, is_external in _function_rows(organization_id):
        functions[pk] = FunctionRow(pk, name, category)
        if is_external:
            external.add(pk)
    return functions, frozenset(external)


@prepared
def _function_rows(organization_id: int) -> QuerySet[Any]:
    return Function.objects.filter(organization_id=organization_id).values_list("id", "name", "category", "is_external")


def partnership_rows(organization_id: int, function_ids: Any) -> list[PartnershipRow]:
    """The partnerships touching these functions (ids, or a queryset of them as a subquery): a
    link between two functions that do nothing for a product is not that product's gap."""
    ids = function_ids
    rows = Partnership.objects.filter(
        Q(function_a_id__in=ids) | Q(function_b_id__in=ids), organization_id=organization_id
    ).values_list(
        "id",
        "function_a__name",
        "function_b__name",
        "trust",
        "last_checked_on",
        "function_a_id",
        "function_b_id",
        "needs_trust_check",
    )
    return [
        PartnershipRow(
            id=pk,
            a_name=a,
            b_name=b,
            trust=trust,
            last_checked_on=checked,
            a_function_id=fa,
            b_function_id=fb,
            needs_trust_check=flagged,
        )
        for pk, a, b, trust, checked, fa, fb, flagged in rows
    ]


def mapped_partnerships(
    organization_id: int, functions: dict[int, FunctionRow], mapped: Collection[int]
) -> list[PartnershipRow]:
    """`partnership_rows` of the `mapped` functions for live coverage, read faster: the
    organization's partnerships whole (no join, no order, no list or subquery of the mapped
    functions), kept when either function is mapped, and named from `functions`, the
    organization's own (a partnership links two functions of its organization). At 5,000
    functions this is 7 ms where the filtered, joined and ordered read took 30. Rows that name a
    function `functions` does not hold (none should) are read the long way, named by the join."""
    rows = (
        Partnership.objects.filter(organization_id=organization_id)
        .order_by()
        .values_list("id", "trust", "last_checked_on", "function_a_id", "function_b_id", "needs_trust_check")
    )
    found = [row for row in rows if row[3] in mapped or row[4] in mapped]
    if any(row[3] not in functions or row[4] not in functions for row in found):
        return partnership_rows(organization_id, list(mapped))
    return [
        PartnershipRow(pk, functions[a].name, functions[b].name, trust, checked, a, b, flagged)
        for pk, trust, checked, a, b, flagged in found
    ]


# A live layer row names this many of its contributors, in a report's order, and counts the rest
# (`LayerCoverage.contributors_more`): a layer of a large organization has thousands.
NAMED_CONTRIBUTORS = 50


class _FirstNames(Func):
    """The first `NAMED_CONTRIBUTORS` of a layer's kept names: cut in PostgreSQL, which then sends
    50 names instead of thousands; SQLite sends the list whole (`named` cuts it either way)."""

    function = "jsonb_path_query_array"
    template = f"%(function)s(%(expressions)s, '$[0 to {NAMED_CONTRIBUTORS - 1}]')"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self.source_expressions[0])


def named(row: LayerCounts) -> tuple[str, ...]:
    """The contributors a live layer row names (`layer_counts(names=True)` read them)."""
    first: list[str] = row.first_names  # type: ignore[attr-defined]  # annotated by `_layer_rows`
    return tuple(first[:NAMED_CONTRIBUTORS])


def layer_counts(
    organization_id: int, product_ids: Iterable[int], *, names: bool = False
) -> dict[int, list[LayerCounts]]:
    """Each product's four layer rows, ring order, in one query; with the first
    `NAMED_CONTRIBUTORS` contributors' names (`named`) when `names` is true. The whole list
    (`contributor_names`) is never read here: thousands of names a layer."""
    out: dict[int, list[LayerCounts]] = {}
    for row in _layer_rows(organization_id, list(product_ids), names):
        out.setdefault(row.product_id, []).append(row)
    return out


@prepared
def _layer_rows(organization_id: int, product_ids: list[int], names: bool) -> QuerySet[LayerCounts]:
    # The layer's and the lead's few columns ride on the row (`layer_coverage` reads them): the
    # dashboard's 40 rows made 80 more model objects of their layer and lead.
    rows = (
        LayerCounts.objects.filter(organization_id=organization_id, product_id__in=product_ids)
        .annotate(layer_key=F("layer__key"), layer_name=F("layer__name"), layer_ring=F("layer__ring"))
        .annotate(lead_name=F("lead__name"))
        .order_by("product_id", "layer__ring")
    )
    rows = rows.defer("contributor_names")
    return rows.annotate(first_names=_FirstNames("contributor_names")) if names else rows


def summary_of(counts: ProductCounts) -> Coverage:
    """The product's figures from its counter row alone (no layers, no gaps): the dashboard's score.
    The same `Coverage` arithmetic as everywhere, so it equals the live endpoint's score."""
    return Coverage(
        functions=counts.functions,
        mapped_functions=counts.mapped_functions,
        assignments=counts.assignments,
        owned_layers=counts.owned_layers,
        review_pairs=counts.pairs,
        current_reviews=counts.current,
        agreeing_reviews=counts.agreeing,
        stale_reviews=counts.stale,
        pending_reviews=counts.pending,
        open_disputes=counts.open,
        layers=(),
    )


def live_layers(
    product: Product, rings: WholeProductData | None = None, *, named: int = 6
) -> tuple[LayerCoverage, ...]:
    """The product's four layer rows from their counter rows (one query), ring order: the same
    figures as live coverage's layers without assembling it. Contributors are named from the
    picture's loaded members (`rings`), the first `named` by name; the rest are counted."""
    members = {ring.key: ring.contributors for ring in rings.rings} if rings else {}

    def names(row: LayerCounts) -> tuple[str, ...]:
        # By name, as live coverage and the snapshots list them (all of them in a small product).
        return tuple(sorted((m.name for m in members.get(row.layer_key, ())), key=name_order)[:named])  # type: ignore[attr-defined]

    return layer_rows(layer_counts(product.organization_id, [product.pk]).get(product.pk, []), names)


def layer_rows(
    rows: Iterable[LayerCounts], names: Callable[[LayerCounts], tuple[str, ...]]
) -> tuple[LayerCoverage, ...]:
    """The four layer rows, ring order, from a product's counter rows (read with their layer and
    lead), each naming `names(row)` of its contributors and counting the rest."""
    found = {row.layer_key: row for row in rows}  # type: ignore[attr-defined]  # annotated by `_layer_rows`
    out = []
    for spec in LAYERS:
        row = found.get(spec.key)
        if row is None:  # a product the counters have not met yet: nothing on it
            out.append(LayerCoverage(spec.key, spec.name, spec.ring, None, None, False, (), 0, 0, 0, 0, 0, 0))
        else:
            out.append(layer_coverage(row, names(row)))
    return tuple(out)


def layer_coverage(row: LayerCounts, names: tuple[str, ...] = ()) -> LayerCoverage:
    """A layer's counter row as live coverage's layer row, naming `names` of its contributors and
    counting the others (`row` read with its layer's and lead's columns, as `layer_counts` does)."""
    annotated: Any = row  # its layer's and lead's columns annotated by `_layer_rows`
    return LayerCoverage(
        key=annotated.layer_key,
        name=annotated.layer_name,
        ring=annotated.layer_ring,
        lead=annotated.lead_name,
        lead_function_id=row.lead_id,
        lead_disputed=row.lead_disputed,
        contributors=names,
        stakeholders_reached=row.pairs,
        current_reviews=row.current,
        agreeing_reviews=row.agreeing,
        stale_reviews=row.stale,
        pending_reviews=row.pending,
        open_disputes=row.open,
        contributors_more=max(row.contributors - len(names), 0),
    )


def live_summary(product: Product) -> Coverage:
    """The product's figures from its counter row (one query): score, the four ratios, the counts."""
    counts = next(iter(_product_counts(product.organization_id, product.pk)), None)
    return summary_of(counts) if counts is not None else summary_of(ProductCounts(product=product))


@prepared
def _product_counts(organization_id: int, product_id: int) -> QuerySet[ProductCounts]:
    return ProductCounts.objects.filter(organization_id=organization_id, product_id=product_id)


def layer_row(row: LayerCounts) -> dict[str, Any]:
    """A layer's counter row in the shape of a report's layer row (what `layer_state` reads)."""
    return layer_coverage(row).to_dict()
