"""The whole product picture's rings read from the database (the geometry is domain/rings)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Count, F, Q, Window
from django.db.models.functions import Collate, Lower, RowNumber

from domain.rings.layout import _ordered, capacity
from domain.rings.shapes import Member, RingInput, WholeProductData

from ..models import Assignment, Layer, Product

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

    One query whatever the size: a window numbers each layer's assignments in the picture's order
    (lead first, then category, then name) and counts them, and only the first `per_ring` (plus
    the function `always`, a stakeholder's own) leave the database. A product of a large
    organization maps thousands of functions; its picture shows a few dozen chips.
    """
    where = Q(product_id__in=list(product_ids))
    name: Lower | Collate = Lower("function__name")
    if connection.vendor == "postgresql":
        name = Collate(name, "C")  # code-point order, as Python sorts the loaded members
    partition = [F("product_id"), F("layer_id")]
    rows = (
        Assignment.objects.filter(where)
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("emphasis").desc(), F("function__category").asc(), name.asc(), F("function_id").asc()],
            ),
            members=Window(Count("id"), partition_by=partition),
        )
        .filter(Q(place__lte=per_ring) | Q(function_id=always) if always is not None else Q(place__lte=per_ring))
        # Not the model's default order: sorting every numbered row before the filter cost more than
        # the window itself (a sort spilled to disk at 5,000 functions); `_ordered` orders the few kept.
        .order_by()
        .values_list(
            "product_id",
            "layer_id",
            "function_id",
            "function__name",
            "function__category",
            "function__is_external",
            "emphasis",
            "contribution",
            "members",
        )
    )
    loaded: dict[int, Rings] = defaultdict(lambda: defaultdict(list))
    totals: dict[int, dict[int, int]] = defaultdict(dict)
    for product_id, layer_id, function_id, name_, category, external, emphasis, contribution, members in rows:
        lead = emphasis == Assignment.Emphasis.LEAD
        loaded[product_id][layer_id].append(Member(function_id, name_, category, external, lead, contribution))
        totals[product_id][layer_id] = members
    return {
        product_id: (
            {layer_id: _ordered(found) for layer_id, found in layers.items()},
            {layer_id: totals[product_id][layer_id] - len(found) for layer_id, found in layers.items()},
        )
        for product_id, layers in loaded.items()
    }


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
    return rings_of(product, Layer.objects.order_by("ring"), loaded.get(product.pk))
