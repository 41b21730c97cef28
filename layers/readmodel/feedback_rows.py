"""The product page's feedback loops, kept loop by loop (issue 13 item 9).

A feedback loop of a product is a partnership carrying feedback (its `feedback_carried` is not
blank) between a function of the product's augmented layer and one of its core, oriented
augmented → core (000_…: "Sales tells us what prospects find critical"). `loops_of` finds them
from the domain tables; its rows are kept in `FeedbackLoopRow` with both ends' lower-cased names,
so the product page reads its first loops in order from an index: finding them tested every
partnership of the organization against the product's two layers (10 ms at 5,000 functions,
2,000 loops among 7,500 links).

The write services keep the rows in their own transaction, through the read model's hooks:

    a cell of a product created, changed or deleted   that product's loops touching its functions
    a function renamed                                 the loops touching it, in every product
    a partnership created, or its ends or its          that partnership's loops in every product
    feedback changed
    an organization restored or imported, a repair     every loop of the organization

A function, a partnership, a product or an organization deleted takes its rows with it (cascades),
and a merge deletes the merged function's links. Each refresh deletes the rows in its scope and
writes them again from `loops_of`, under the products' row locks (`maintain.lock_products`), so two
writers never race on a row; `rebuild_read_model --check` compares every row with a rebuild.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db.models import Case, F, FilteredRelation, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Lower

from roles.models import Partnership

from ..models import Layer, Product
from .maintain import lock_products
from .tables import FeedbackLoopRow

BATCH = 2000


def loops_of(product: Product) -> QuerySet[Partnership]:
    """Partnerships carrying feedback between the product's augmented and core functions, each
    annotated with which end is where and oriented augmented → core (`from_a`, and the two ends'
    lower-cased names `to_name` and `from_name`), ordered by target then source, from the domain
    tables. Each end's place is a left join on the assignment's unique (product, function, layer)
    index. A function in both layers can sit at either end; a link is listed once, oriented from
    the end that is not in the core when there is one."""

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


def refresh(
    organization_id: int,
    *,
    product_ids: Collection[int] | None = None,
    partnership_ids: Collection[int] | None = None,
    function_ids: Collection[int] | None = None,
    locked: bool = False,
) -> None:
    """Write again the loop rows of these products (every product of the organization when None)
    for these partnerships, or those touching these functions (every loop when both are None).
    `locked`: the caller holds the products' row locks already."""
    products = Product.objects.filter(organization_id=organization_id)
    if product_ids is not None:
        products = products.filter(pk__in=list(product_ids))
    chosen = list(products.order_by("pk").only("pk", "organization_id"))
    if not locked:
        lock_products(organization_id, [product.pk for product in chosen])
    for product in chosen:
        stored = FeedbackLoopRow.objects.filter(organization_id=organization_id, product_id=product.pk)
        found: QuerySet[Any] = loops_of(product).order_by()  # annotated: django-stubs cannot name the annotations
        if partnership_ids is not None:
            ids = list(partnership_ids)
            stored, found = stored.filter(partnership_id__in=ids), found.filter(pk__in=ids)
        if function_ids is not None:
            ids = list(function_ids)
            stored = stored.filter(Q(from_function_id__in=ids) | Q(to_function_id__in=ids))
            found = found.filter(Q(function_a_id__in=ids) | Q(function_b_id__in=ids))
        stored.delete()
        rows = found.values_list("pk", "function_a_id", "function_b_id", "from_a", "to_name", "from_name")
        FeedbackLoopRow.objects.bulk_create(
            (
                FeedbackLoopRow(
                    organization_id=organization_id,
                    product_id=product.pk,
                    partnership_id=pk,
                    from_function_id=a if from_a else b,
                    to_function_id=b if from_a else a,
                    to_sort=to_name,
                    from_sort=from_name,
                )
                for pk, a, b, from_a, to_name, from_name in rows
            ),
            batch_size=BATCH,
        )
