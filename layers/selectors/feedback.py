"""The product page's feedback loops: partnerships through which the augmented product feeds
the core (roles' partnership web read against one product's layers, so it lives on this side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet, Subquery

from domain.partnerships import WEAK_TRUST
from roles.models import Function, Partnership
from shared.prepared import prepared

from ..models import Assignment, Layer, Product
from ..readmodel.feedback_rows import loops_of
from ..readmodel.tables import FeedbackLoopRow


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


def _cells(product: Product, key: str) -> QuerySet[Assignment]:
    return Assignment.objects.filter(product_id=product.pk, layer__key=key)


def _loops(product: Product, limit: int | None = None) -> list[FeedbackLoop]:
    return [_loop(p) for p in _rows(loops_of(product), limit)]


def _rows(candidates: QuerySet[Partnership], limit: int | None) -> list[Partnership]:
    rows = candidates.select_related("function_a", "function_b").only(
        "trust",
        "feedback_carried",
        "last_checked_on",
        "function_a__name",
        "function_a__category",
        "function_b__name",
        "function_b__category",
    )
    return list(rows[:limit] if limit is not None else rows)


def feedback_loops(*, product: Product) -> list[FeedbackLoop]:
    """Partnerships linking a function of the product's augmented layer with one of its core layer
    and carrying feedback, oriented augmented → core, found from the domain tables (`loops_of`,
    what the kept loop rows are rebuilt from). One query."""
    return _loops(product)


def _loop(p: Partnership) -> FeedbackLoop:
    from_a = getattr(p, "from_a")  # annotated by loops_of  # noqa: B009
    source, target = (p.function_a, p.function_b) if from_a else (p.function_b, p.function_a)
    return FeedbackLoop(
        from_function=source,
        to_function=target,
        feedback=p.feedback_carried.strip(),
        trust=p.trust,
        partnership_id=p.pk,
        last_checked_on=p.last_checked_on,
    )


def feedback_into_core(*, product: Product, limit: int) -> tuple[list[FeedbackLoop], int, bool]:
    """The product's first `limit` feedback loops, how many there are, and whether its core is
    left without one, read from the kept loop rows (`readmodel.feedback_rows`) in their index's
    order: one query whatever the size (two when there is none). The same loops in the same order
    as `feedback_loops`, which finds them from the domain tables (tested)."""
    rows = list(_kept_loops(product.organization_id, product.pk, limit))
    loops = [
        FeedbackLoop(
            from_function=row.from_function,
            to_function=row.to_function,
            feedback=row.partnership.feedback_carried.strip(),
            trust=row.partnership.trust,
            partnership_id=row.partnership_id,
            last_checked_on=row.partnership.last_checked_on,
        )
        for row in rows
    ]
    total = getattr(rows[0], "loops", 0) if rows else 0
    return loops, total, not total and _cells(product, Layer.Key.CORE).exists()


@prepared(shaped=("limit",))
def _kept_loops(organization_id: int, product_id: int, limit: int) -> QuerySet[FeedbackLoopRow]:
    kept = FeedbackLoopRow.objects.filter(organization_id=organization_id, product_id=product_id)
    # Counted by a subquery the database runs once (an index-only count), so only the page's rows
    # are joined to their partnership and functions (a window count joined every loop first).
    counted = kept.order_by().values("product_id").annotate(n=Count("*")).values("n")
    return (
        kept.annotate(loops=Subquery(counted))
        .select_related("partnership", "from_function", "to_function")
        .only(
            "partnership__trust",
            "partnership__feedback_carried",
            "partnership__last_checked_on",
            "from_function__name",
            "from_function__category",
            "to_function__name",
            "to_function__category",
        )
        .order_by("to_sort", "from_sort", "partnership_id")[:limit]
    )


def core_without_feedback(*, product: Product) -> bool:
    """True when the product has a core layer that no feedback loop from its augmented layer reaches.

    A product with no core assignment at all has no core to feed (its unowned layer is a gap of
    its own), so this is False then. Two queries.
    """
    if not _cells(product, Layer.Key.CORE).exists():
        return False
    return not loops_of(product).exists()
