"""The whole product picture's rings read from the database (the geometry is domain/rings)."""

from __future__ import annotations

from domain.rings.layout import _ordered
from domain.rings.shapes import Member, RingInput, WholeProductData

from ..models import Assignment, Layer, Product


def product_rings(product: Product) -> WholeProductData:
    """The product's four rings with their members, in two queries whatever the organization's size."""
    by_layer: dict[int, list[Member]] = {}
    rows = (
        Assignment.objects.filter(product=product)
        .select_related("function")
        .only("layer_id", "emphasis", "contribution", "function__name", "function__category", "function__is_external")
    )
    for row in rows:
        by_layer.setdefault(row.layer_id, []).append(
            Member(
                function_id=row.function_id,
                name=row.function.name,
                category=row.function.category,
                is_external=row.function.is_external,
                is_lead=row.emphasis == Assignment.Emphasis.LEAD,
                contribution=row.contribution,
            )
        )
    rings = [
        RingInput(key=layer.key, name=layer.name, ring=layer.ring, members=tuple(_ordered(by_layer.get(layer.id, []))))
        for layer in Layer.objects.order_by("ring")
    ]
    return WholeProductData(product=product, rings=rings)
