"""The whole product picture's rings read from the database (the geometry is domain/rings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Lower, RowNumber

from domain.rings.layout import _ordered, capacity
from domain.rings.shapes import Member, RingInput, WholeProductData
from roles.models import Function
from shared.sql import array_text

from ..models import Assignment, Layer, Product
from ..readmodel.tables import CellCounts, LayerCounts
from .layer_list import layers_in_ring_order

# Members loaded per ring: what the picture can show, and the product page's table rows per layer
# (layers/views/whole_product.py TABLE_LIMIT) with room to spare. The rest are counted.
PER_RING = max(capacity(), 60)

Rings = dict[int, list[Member]]  # layer id -> the members loaded, ring order
Loaded = tuple[Rings, dict[int, int]]  # and layer id -> how many more it has


def ring_members(
    product_ids: Iterable[int],
    *,
    per_ring: int = PER_RING,
    always: int | None = None,
) -> dict[int, Loaded]:
    """{product id: ({layer id: first `per_ring` members, ring order}, {layer id: members not loaded})}.

    One query whatever the size, and only the first `per_ring` members of each layer (plus the
    function `always`, a stakeholder's own) leave the database: the picture's order (lead first,
    then category, then name). A product of a large organization maps thousands of functions; its
    picture shows a few dozen chips. On PostgreSQL each layer's first members are a range of the
    cell counters' index (`cell_ring_order`) and its size is its `LayerCounts` row; elsewhere (the
    small embedded mode) a window numbers every member.
    """
    product_ids = list(product_ids)
    if connection.vendor == "postgresql":
        rows = _first_members(product_ids, per_ring, always)
    else:
        rows = _numbered_members(product_ids, per_ring, always)
    loaded: dict[int, Rings] = defaultdict(lambda: defaultdict(list))
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    seen = set()
    for product_id, layer_id, function_id, name_, category, external, emphasis, contribution, members in rows:
        if (product_id, layer_id, function_id) in seen:  # `always` may be among the first too
            continue
        seen.add((product_id, layer_id, function_id))
        lead = emphasis == Assignment.Emphasis.LEAD
        loaded[product_id][layer_id].append(Member(function_id, name_, category, external, lead, contribution))
        totals[product_id][layer_id] = members or 0
    return {
        product_id: (
            {layer_id: _ordered(found) for layer_id, found in layers.items()},
            {layer_id: max(totals[product_id][layer_id] - len(found), 0) for layer_id, found in layers.items()},
        )
        for product_id, layers in loaded.items()
    }


MEMBER_COLUMNS = (
    "product_id",
    "layer_id",
    "function_id",
    "function__name",
    "function__category",
    "function__is_external",
    "emphasis",
)


def _first_members(product_ids: list[int], per_ring: int, always: int | None) -> list[tuple[Any, ...]]:
    """Each (product, layer)'s first `per_ring` cells in the picture's order, a range of the index
    `cell_ring_order` each (a LATERAL read per product and layer), and the cells of the function
    `always`, found through the assignment's unique (product, function, layer) index; each with its
    layer's size from the layer's counter row. Written as SQL: the ORM took longer to compile the
    union of sixteen parts than PostgreSQL to run it (9 ms against 2 at 5,000 functions)."""
    cells, counts = CellCounts._meta.db_table, LayerCounts._meta.db_table
    function, assignment, layer = Function._meta.db_table, Assignment._meta.db_table, Layer._meta.db_table
    size = "lc.contributors + CASE WHEN lc.lead_id IS NULL THEN 0 ELSE 1 END"
    # Each member's function is joined inside the LATERAL read, a key lookup for each of its few
    # rows: joined outside, PostgreSQL hashed every tenant's functions for a few dozen members
    # (6,125 rows for the demo's 22; 1.6 ms against 0.4, and 3.0 against 2.3 at 5,000 functions).
    # The layer's counter row is joined once per layer, and a member's contribution read by its
    # key, rather than both joined to every member: planning the joins of every member took longer
    # than running them (2.0 ms against 0.8 at 5,000 functions, and 1.5 against 1.0 to run).
    sql = f"""SELECT x.product_id, x.layer_id, x.function_id, x.name, x.category, x.is_external, x.emphasis,
    x.contribution, {size}
FROM unnest(%s::bigint[]) AS p(id) CROSS JOIN {layer} l
LEFT JOIN {counts} lc ON lc.product_id = p.id AND lc.layer_id = l.id
CROSS JOIN LATERAL (
    SELECT c.product_id, c.layer_id, c.function_id, c.emphasis, f.name, f.category, f.is_external,
        (SELECT a.contribution FROM {assignment} a WHERE a.id = c.assignment_id) AS contribution
    FROM {cells} c JOIN {function} f ON f.id = c.function_id AND f.organization_id = c.organization_id
    WHERE c.product_id = p.id AND c.layer_id = l.id
    ORDER BY c.emphasis DESC, c.category, c.sort_name COLLATE "C", c.function_id LIMIT %s
) x"""  # noqa: S608 (table names; the values are parameters)
    params: list[Any] = [array_text(product_ids), per_ring]
    if always is not None:
        sql += f"""
UNION ALL
SELECT a.product_id, a.layer_id, a.function_id, f.name, f.category, f.is_external, a.emphasis, a.contribution, {size}
FROM {assignment} a JOIN {function} f ON f.id = a.function_id AND f.organization_id = a.organization_id
LEFT JOIN {counts} lc ON lc.product_id = a.product_id AND lc.layer_id = a.layer_id
WHERE a.product_id = ANY(%s::bigint[]) AND a.function_id = %s"""  # noqa: S608
        params += [array_text(product_ids), always]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _numbered_members(product_ids: list[int], per_ring: int, always: int | None) -> Any:
    """The same rows with a window numbering every member of each layer (SQLite)."""
    partition = [F("product_id"), F("layer_id")]
    return (
        Assignment.objects.filter(product_id__in=product_ids)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[
                    F("emphasis").desc(),
                    F("function__category").asc(),
                    Lower("function__name").asc(),
                    F("function_id").asc(),
                ],
            ),
            members=Window(Count("id"), partition_by=partition),
        )
        .filter(Q(place__lte=per_ring) | Q(function_id=always) if always is not None else Q(place__lte=per_ring))
        .order_by()
        .values_list(*MEMBER_COLUMNS, "contribution", "members")
    )


def rings_of(
    product: Product, layers: Iterable[Layer], loaded: tuple[Rings, dict[int, int]] | None
) -> WholeProductData:
    """The picture's input for `product` from what `ring_members` loaded for it."""
    members, more = loaded or ({}, {})
    rings = [
        RingInput(
            key=layer.key,
            name=layer.name,
            ring=layer.ring,
            members=tuple(members.get(layer.pk, ())),
            more=more.get(layer.pk, 0),
        )
        for layer in layers
    ]
    return WholeProductData(product=product, rings=rings)


def product_rings(product: Product, *, always: int | None = None) -> WholeProductData:
    """The product's four rings with the members they can show (and the function `always`), in two
    queries whatever the size."""
    loaded = ring_members([product.pk], always=always)
    return rings_of(product, layers_in_ring_order(), loaded.get(product.pk))
