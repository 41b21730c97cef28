"""A product's assignments in the API's default order — the layer's ring, then the function's
name, then the id — read a page at a time, one layer at a time (issue 13 item 9).

Ordered as one list, a page had the database join all of a product's cells (6,300 at 5,000
functions) to their functions and sort them by name, to keep fifty. Within one layer the same
order is the functions' name index walked and each function's cell looked up, which stops at the
page's last row. So the list counts its cells per layer — the read model's layer counters for the
whole list, one grouped statement over the product's index for a filtered one — and a page reads,
for each layer it spans, that layer's slice of ids (one statement: a subquery per layer).
"""

from __future__ import annotations

import functools
import operator
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet

from shared.window import Window

from ..models import Assignment
from ..readmodel.tables import LayerCounts

ORDER = ("layer__ring", "function__name", "pk")


def by_layer(assignments: QuerySet[Assignment], organization_id: int, *, every: int | None = None) -> Window:
    """`assignments` — one product's, filtered or not, of the organization `organization_id` — in
    `ORDER`, as a `Window` the paginators read (its count, then a slice). `every`: the product's id
    when `assignments` is every cell of it, counted by its layer counters."""

    @functools.cache
    def layers() -> tuple[tuple[int, int], ...]:
        """(layer id, cells) of each layer, in ring order."""
        if every is not None:
            kept = LayerCounts.objects.filter(organization_id=organization_id, product_id=every)
            rows = [
                (ring, layer_id, contributors + (lead_id is not None))
                for ring, layer_id, contributors, lead_id in kept.values_list(
                    "layer__ring", "layer_id", "contributors", "lead_id"
                )
            ]
        else:
            rows = list(assignments.order_by().values_list("layer__ring", "layer_id").annotate(n=Count("pk")))
        return tuple((layer_id, n) for _ring, layer_id, n in sorted(rows))

    def count() -> int:
        return sum(n for _layer, n in layers())

    def fetch(offset: int, limit: int | None) -> list[Assignment]:
        end = None if limit is None else offset + limit
        spanned, start = [], 0
        for layer_id, n in layers():
            low, high = max(offset - start, 0), n if end is None else min(end - start, n)
            if low < high:
                # The functions' tenant key lets the database walk their name index (a layer's
                # first cells are then found without sorting the layer).
                ids = (
                    assignments.filter(layer_id=layer_id, function__organization_id=organization_id)
                    .order_by(*ORDER[1:])
                    .values("pk")[low:high]
                )
                spanned.append(Q(pk__in=ids))
            start += n
        if not spanned:
            return []
        rows = list(assignments.filter(functools.reduce(operator.or_, spanned)).order_by(*ORDER))
        _check(assignments, offset, end, rows)
        return rows

    return Window(count, fetch)


def _check(assignments: QuerySet[Assignment], offset: int, end: int | None, rows: list[Any]) -> None:
    """Under the test suite (`PREPARED_CHECK`, as for the lists' prepared readers) every page read
    a layer at a time must hold the rows the list's own slice holds, in its order."""
    if getattr(settings, "PREPARED_CHECK", False):
        expected = list(assignments.order_by(*ORDER).values_list("pk", flat=True)[offset:end])
        if [row.pk for row in rows] != expected:
            raise AssertionError(f"A page read by layer differs from its list: {[r.pk for r in rows]} != {expected}")
