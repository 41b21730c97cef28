"""Reads of assignment history (issue 3 item 8). Kept apart from layers/selectors/products.py."""

from __future__ import annotations

from django.db.models import QuerySet

from roles.models import Function

from ..models import AssignmentChange, Layer, Product


def cell_history(*, product: Product, function: Function, layer: Layer | str) -> QuerySet[AssignmentChange]:
    """Every recorded write to one (product, function, layer) cell, newest first.

    Scoped by the product: a function of another organization simply has no rows here.
    """
    layer_filter = {"layer__key": layer} if isinstance(layer, str) else {"layer": layer}
    return (
        AssignmentChange.objects.filter(product=product, function=function, **layer_filter)
        .select_related("by", "layer", "function")
        .order_by("-at", "-id")
    )


def product_history(*, product: Product) -> QuerySet[AssignmentChange]:
    """All recorded writes to a product's map, newest first (for an activity feed)."""
    return (
        AssignmentChange.objects.filter(product=product)
        .select_related("by", "layer", "function")
        .order_by("-at", "-id")
    )
