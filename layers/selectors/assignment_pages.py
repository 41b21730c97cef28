"""A product's assignments in the API's default order — the layer's ring, then the function's
name, then the id — read a page at a time, one layer at a time (issue 13 item 9).

Ordered as one list, a page had the database join all of a product's cells (6,300 at 5,000
functions) to their functions and sort them by name, to keep fifty. Within one layer the same
order is the functions' name index walked and each function's cell looked up, which stops at the
page's last row. So the list is counted per layer by the read model's layer counters, and a page
reads, for each layer it spans, that layer's slice of ids (one statement: a subquery per layer).
Both statements are prepared (`shared.prepared`): building the page's statement anew on every
request took longer than the database took to run it.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from shared.prepared import prepared
from shared.window import Window

from ..models import Assignment
from ..readmodel.tables import LayerCounts

ORDER = ("layer__ring", "function__name", "pk")
# What a list's row shows of an assignment, its function and its layer (the API's serializer).
LISTED = (
    *("id", "function_id", "layer_id", "emphasis", "contribution", "source", "version", "created_at", "changed_at"),
    *("function__name", "function__category", "layer__key"),
)


def listed(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Assignments with the function and layer a list's row shows, and nothing else of them."""
    return assignments.select_related("function", "layer").only(*LISTED)


def by_layer(organization_id: int, product_id: int) -> Window:
    """Every assignment of the product `product_id` (of the organization `organization_id`) in
    `ORDER`, as a `Window` the paginators read: its count, then a slice."""

    @functools.cache
    def layers() -> tuple[tuple[int, int], ...]:
        """(layer id, cells) of each layer, in ring order, from its counter row."""
        rows: Iterable[tuple[int, int, int | None]] = _layer_sizes(organization_id, product_id)
        return tuple((layer_id, contributors + (lead_id is not None)) for layer_id, contributors, lead_id in rows)

    def count() -> int:
        return sum(n for _layer, n in layers())

    def fetch(offset: int, limit: int | None) -> list[Assignment]:
        end = None if limit is None else offset + limit
        spans, start = [], 0
        for layer_id, n in layers():
            low, high = max(offset - start, 0), n if end is None else min(end - start, n)
            if low < high:
                spans.append((layer_id, low, high))
            start += n
        if not spans:
            return []
        ids, lows, highs = (tuple(column) for column in zip(*spans, strict=True))
        rows = list(_page(organization_id, product_id, ids, lows, highs))
        _check(product_id, offset, end, rows)
        return rows

    return Window(count, fetch)


@prepared
def _layer_sizes(organization_id: int, product_id: int) -> QuerySet[Any]:
    """(layer id, contributors, lead id) of each of the product's layer counter rows, in ring order."""
    kept = LayerCounts.objects.filter(organization_id=organization_id, product_id=product_id)
    return kept.order_by("layer__ring").values_list("layer_id", "contributors", "lead_id")


@prepared(shaped=("lows", "highs"))  # a slice's bounds are written into the statement's text
def _page(
    organization_id: int, product_id: int, layer_ids: tuple[int, ...], lows: tuple[int, ...], highs: tuple[int, ...]
) -> QuerySet[Assignment]:
    """The cells `lows[i]` to `highs[i]` of each layer `layer_ids[i]`, in `ORDER`. The functions'
    tenant key lets the database walk their name index: a layer's first cells are then found
    without sorting the layer."""
    cells = Assignment.objects.filter(product_id=product_id)
    spanned = [
        Q(
            pk__in=cells.filter(layer_id=layer_id, function__organization_id=organization_id)
            .order_by(*ORDER[1:])
            .values("pk")[low:high]
        )
        for layer_id, low, high in zip(layer_ids, lows, highs, strict=True)
    ]
    return listed(cells.filter(functools.reduce(operator.or_, spanned))).order_by(*ORDER)


def _check(product_id: int, offset: int, end: int | None, rows: list[Assignment]) -> None:
    """Under the test suite (`PREPARED_CHECK`, as for the lists' prepared readers) every page read
    a layer at a time must hold the rows the list's own slice holds, in its order."""
    if getattr(settings, "PREPARED_CHECK", False):
        every = Assignment.objects.filter(product_id=product_id).order_by(*ORDER)
        expected = list(every.values_list("pk", flat=True)[offset:end])
        if [row.pk for row in rows] != expected:
            raise AssertionError(f"A page read by layer differs from its list: {[r.pk for r in rows]} != {expected}")
