"""The product page's feedback loops: partnerships through which the augmented product feeds
the core (roles' partnership web read against one product's layers, so it lives on this side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, FilteredRelation, Q, QuerySet, Subquery, Value, When, Window
from django.db.models.functions import Lower

from domain.partnerships import WEAK_TRUST
from roles.models import Function, Partnership

from ..models import Assignment, Layer, Product
from ..readmodel.tables import CellCounts


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


def _candidates(product: Product) -> QuerySet[Partnership]:
    """Partnerships carrying feedback between the product's augmented and core functions, each
    annotated with which end is where and oriented augmented → core, ordered by target then
    source: all in the database, so a product mapping thousands of functions sends no id list.
    Each end's place is a left join on the assignment's unique (product, function, layer) index.

    A function in both layers can sit at either end; a link is listed once, oriented from the end
    that is not in the core when there is one.
    """

    def on(end: str, key: str) -> FilteredRelation:
        cell = f"{end}__assignments"
        layer = Layer.objects.filter(key=key).values("pk")[:1]  # the layers are four fixed rows
        return FilteredRelation(
            cell, condition=Q(**{f"{cell}__product_id": product.pk, f"{cell}__layer_id": Subquery(layer)})
        )

    ends = {
        "a_core_cell": on("function_a", Layer.Key.CORE),
        "a_aug_cell": on("function_a", Layer.Key.AUGMENTED),
        "b_core_cell": on("function_b", Layer.Key.CORE),
        "b_aug_cell": on("function_b", Layer.Key.AUGMENTED),
    }
    a_core, a_aug = Q(a_core_cell__isnull=False), Q(a_aug_cell__isnull=False)
    b_core, b_aug = Q(b_core_cell__isnull=False), Q(b_aug_cell__isnull=False)
    from_a = a_aug & b_core & (~b_aug | ~a_core)
    return (
        Partnership.objects.filter(organization_id=product.organization_id)
        .exclude(feedback_carried__regex=r"^\s*$")
        .annotate(**ends)
        .filter((a_aug & b_core) | (a_core & b_aug))
        .annotate(
            from_a=Case(When(from_a, then=Value(True)), default=Value(False)),
            to_name=Lower(Case(When(from_a, then=F("function_b__name")), default=F("function_a__name"))),
            from_name=Lower(Case(When(from_a, then=F("function_a__name")), default=F("function_b__name"))),
        )
        .order_by("to_name", "from_name", "pk")
    )


def _loops(product: Product, limit: int | None = None) -> list[FeedbackLoop]:
    return [_loop(p) for p in _rows(_candidates(product), limit)]


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
    and carrying feedback, oriented augmented → core. One query."""
    return _loops(product)


def _loop(p: Partnership) -> FeedbackLoop:
    from_a = getattr(p, "from_a")  # annotated by _candidates  # noqa: B009
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
    left without one. One query whatever the size (two when there is none)."""
    if connection.vendor == "postgresql":
        loops, total = _first_loops(product, limit)
    else:
        # Every row carries the number of loops: one pass over the joins, not a second one to count.
        rows = _rows(_candidates(product).annotate(loops=Window(Count("pk"))), limit)
        loops, total = [_loop(p) for p in rows], (getattr(rows[0], "loops", 0) if rows else 0)
    return loops, total, not total and _cells(product, Layer.Key.CORE).exists()


def _first_loops(product: Product, limit: int) -> tuple[list[FeedbackLoop], int]:
    """`_candidates`' first `limit` loops and their number, in SQL (PostgreSQL): the functions of
    the core and of the augmented layer are read once each from the cell counters' index
    (`cell_ring_order`) with their lower-cased names (`CellCounts.sort_name`, SQL's LOWER of the
    name, kept by the hooks), each partnership's ends are looked up in them, and the loops are
    ordered by those names, so only the first `limit` loops are joined to their functions; the ORM
    cannot name such a test once and refer to it, and `_candidates` (kept for SQLite) joins the
    assignments four times instead: 29 ms at 5,000 functions, the statement testing each end
    against the layers' ids and joining every loop to its functions 23 ms, this 14. Same rows, same
    order (tested against `_candidates`)."""
    cells, layer = CellCounts._meta.db_table, Layer._meta.db_table
    partnership, function = Partnership._meta.db_table, Function._meta.db_table
    sql = f"""WITH core AS MATERIALIZED (
    SELECT function_id, sort_name FROM {cells}
    WHERE product_id = %(product)s AND layer_id = (SELECT id FROM {layer} WHERE key = %(core)s)
), aug AS MATERIALIZED (
    SELECT function_id, sort_name FROM {cells}
    WHERE product_id = %(product)s AND layer_id = (SELECT id FROM {layer} WHERE key = %(augmented)s)
), placed AS (
    SELECT p.id, p.function_a_id, p.function_b_id, p.trust, p.feedback_carried, p.last_checked_on,
        ac.sort_name AS a_core, aa.sort_name AS a_aug, bc.sort_name AS b_core, ba.sort_name AS b_aug
    FROM {partnership} p
    LEFT JOIN core ac ON ac.function_id = p.function_a_id
    LEFT JOIN aug aa ON aa.function_id = p.function_a_id
    LEFT JOIN core bc ON bc.function_id = p.function_b_id
    LEFT JOIN aug ba ON ba.function_id = p.function_b_id
    WHERE p.organization_id = %(organization)s AND NOT (p.feedback_carried ~ %(blank)s)
), loops AS (
    SELECT *, a_aug IS NOT NULL AND b_core IS NOT NULL AND (b_aug IS NULL OR a_core IS NULL) AS from_a
    FROM placed
    WHERE (a_aug IS NOT NULL AND b_core IS NOT NULL) OR (a_core IS NOT NULL AND b_aug IS NOT NULL)
), firsts AS (
    SELECT *, COUNT(*) OVER () AS total FROM loops
    ORDER BY CASE WHEN from_a THEN b_core ELSE a_core END, CASE WHEN from_a THEN a_aug ELSE b_aug END, id
    LIMIT %(limit)s
)
SELECT l.id, l.trust, l.feedback_carried, l.last_checked_on, l.from_a,
    fa.id, fa.name, fa.category, fb.id, fb.name, fb.category, l.total
FROM firsts l JOIN {function} fa ON fa.id = l.function_a_id JOIN {function} fb ON fb.id = l.function_b_id
ORDER BY CASE WHEN l.from_a THEN l.b_core ELSE l.a_core END, CASE WHEN l.from_a THEN l.a_aug ELSE l.b_aug END, l.id"""  # noqa: S608 (table names; the values are parameters)
    params: dict[str, Any] = {
        "product": product.pk,
        "organization": product.organization_id,
        "core": Layer.Key.CORE,
        "augmented": Layer.Key.AUGMENTED,
        "blank": r"^\s*$",
        "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    loops = []
    for pk, trust, feedback, checked, from_a, a_id, a_name, a_category, b_id, b_name, b_category, _ in rows:
        a = Function(pk=a_id, name=a_name, category=a_category)
        b = Function(pk=b_id, name=b_name, category=b_category)
        source, target = (a, b) if from_a else (b, a)
        loops.append(FeedbackLoop(source, target, feedback.strip(), trust, pk, checked))
    return loops, (rows[0][-1] if rows else 0)


def core_without_feedback(*, product: Product) -> bool:
    """True when the product has a core layer that no feedback loop from its augmented layer reaches.

    A product with no core assignment at all has no core to feed (its unowned layer is a gap of
    its own), so this is False then. Two queries.
    """
    if not _cells(product, Layer.Key.CORE).exists():
        return False
    return not _candidates(product).exists()
