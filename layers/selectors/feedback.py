"""The product page's feedback loops: partnerships through which the augmented product feeds
the core (roles' partnership web read against one product's layers, so it lives on this side)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from domain.partnerships import WEAK_TRUST
from roles.models import Function, Partnership

from ..models import Assignment, Layer, Product


@dataclass(frozen=True)
class FeedbackLoop:
    """A partnership through which the augmented product feeds the core (000_…: "Sales tells us
    what prospects find critical; PMM keeps tabs on competitor positioning; and CS tells us about
    on-boarding challenges")."""

    from_function: Function  # assigned to the product's augmented layer
    to_function: Function  # assigned to its core layer
    feedback: str  # what flows back
    trust: int
    partnership_id: int
    last_checked_on: date | None = None

    @property
    def weak(self) -> bool:
        return self.trust <= WEAK_TRUST


def _layer_functions(product: Product) -> dict[str, set[int]]:
    by_layer: dict[str, set[int]] = defaultdict(set)
    rows = Assignment.objects.filter(product=product, layer__key__in=[Layer.Key.CORE, Layer.Key.AUGMENTED]).values_list(
        "layer__key", "function_id"
    )
    for key, function_id in rows:
        by_layer[key].add(function_id)
    return by_layer


def feedback_loops(*, product: Product) -> list[FeedbackLoop]:
    """Partnerships linking a function of the product's augmented layer with one of its core layer
    and carrying feedback, oriented augmented → core. Two queries.

    A function in both layers can sit at either end; a link is listed once, oriented from the end
    that is not in the core when there is one.
    """
    return _loops(product, _layer_functions(product))


def _loops(product: Product, by_layer: dict[str, set[int]]) -> list[FeedbackLoop]:
    augmented, core = by_layer[Layer.Key.AUGMENTED], by_layer[Layer.Key.CORE]
    if not augmented or not core:
        return []
    candidates = (
        Partnership.objects.filter(organization_id=product.organization_id)
        .select_related("function_a", "function_b")
        .filter(
            Q(function_a_id__in=augmented, function_b_id__in=core)
            | Q(function_a_id__in=core, function_b_id__in=augmented)
        )
        .exclude(feedback_carried="")
    )
    loops = [_loop(p, augmented, core) for p in candidates if p.feedback_carried.strip()]
    loops.sort(key=lambda loop: (loop.to_function.name.casefold(), loop.from_function.name.casefold()))
    return loops


def _loop(p: Partnership, augmented: set[int], core: set[int]) -> FeedbackLoop:
    a_to_b = p.function_a_id in augmented and p.function_b_id in core
    b_to_a = p.function_b_id in augmented and p.function_a_id in core
    if a_to_b and (not b_to_a or p.function_a_id not in core):
        source, target = p.function_a, p.function_b
    else:
        source, target = p.function_b, p.function_a
    return FeedbackLoop(
        from_function=source,
        to_function=target,
        feedback=p.feedback_carried.strip(),
        trust=p.trust,
        partnership_id=p.pk,
        last_checked_on=p.last_checked_on,
    )


def feedback_into_core(*, product: Product) -> tuple[list[FeedbackLoop], bool]:
    """The product's feedback loops, and whether its core is left without one. Two queries."""
    by_layer = _layer_functions(product)
    loops = _loops(product, by_layer)
    return loops, bool(by_layer[Layer.Key.CORE]) and not loops


def core_without_feedback(*, product: Product) -> bool:
    """True when the product has a core layer that no feedback loop from its augmented layer reaches.

    A product with no core assignment at all has no core to feed (its unowned layer is a gap of
    its own), so this is False then. Two queries.
    """
    by_layer = _layer_functions(product)
    if not by_layer[Layer.Key.CORE]:
        return False
    return not _loops(product, by_layer)
