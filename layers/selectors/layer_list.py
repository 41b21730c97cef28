"""The four layers in ring order: what most pages read first (a prepared statement)."""

from __future__ import annotations

from django.db.models import QuerySet

from shared.prepared import prepared

from ..models import Layer


def layers_in_ring_order() -> list[Layer]:
    return list(_in_ring_order())


@prepared
def _in_ring_order() -> QuerySet[Layer]:
    return Layer.objects.order_by("ring")
