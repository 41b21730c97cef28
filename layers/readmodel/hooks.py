"""What the write services call to keep the read model up to date, in their own transaction.

Each hook names what changed in the domain's words; it locks the counter rows of the
products concerned (in id order), recomputes the pairs in scope from raw rows and then those
products' counters. A service calls the hook after its own writes, inside its
`transaction.atomic`, so a write that fails rolls its read-model update back with it.

    review_written       a review was submitted or resolved (one pair)
    assignments_changed  assignment create/change/delete, bulk apply, import of a map
    people_changed       person create/move/delete, a function deleted or merged into another
    functions_changed    a function created or deleted: every product's function count
    functions_renamed    functions renamed or moved to another category: their cells' picture order,
                         the layers' contributor names, their feedback loops' order
    partnerships_changed partnerships created, or their ends or feedback changed: their feedback loops
    suggestion_dismissed a suggestion dismissed or taken back: the product's suggestion rows
    disruption_applied   a disruption took effect on some functions
    organization_changed restore, import, seed: recompute the whole organization

`roles` reaches people_changed, functions_changed, functions_renamed, partnerships_changed,
disruption_applied and organization_changed through `roles.hooks` (this module is the `roles.hooks.Listener`
that `LayersConfig.ready()` registers), since `roles` never imports `layers` (DESIGN §9);
`current_reviews_until` answers the one question a disruption asks before it is logged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, TextField, Value, When
from django.db.models.functions import Lower

from roles.models import Function

from ..models import Assignment, PairStatus, Product, ReviewPair
from . import feedback_rows, suggestion_rows
from .maintain import PairDiff, lock_products, refresh_counts, refresh_pairs, rename_contributors
from .tables import CellCounts, FeedbackLoopRow

ProductFunction = tuple[int, int]


def review_written(*, organization_id: int, assignment_id: int, stakeholder_id: int) -> None:
    _refresh(organization_id, Q(pk=assignment_id), stakeholder_ids=[stakeholder_id])


@transaction.atomic  # the product's lock, taken by _refresh, held for its suggestions too
def assignments_changed(*, organization_id: int, product_id: int, function_ids: Iterable[int]) -> None:
    """Some cells of one product were created, changed or deleted (deleted ones are gone already)."""
    ids = set(function_ids)
    _refresh(
        organization_id,
        Q(product_id=product_id, function_id__in=ids),
        extra={(product_id, f) for f in ids},
    )
    # _refresh took the product's lock; the product is the cell's.
    suggestion_rows.refresh(organization_id, product_ids=[product_id], function_ids=ids, locked=True)
    feedback_rows.refresh(organization_id, product_ids=[product_id], function_ids=ids, locked=True)


@transaction.atomic
def suggestion_dismissed(*, organization_id: int, product_id: int, function_id: int) -> None:
    """A suggestion of the product was dismissed, or its dismissal taken back."""
    suggestion_rows.refresh(organization_id, product_ids=[product_id], function_ids=[function_id])


def people_changed(*, organization_id: int, function_ids: Iterable[int]) -> None:
    """People joined, left or moved between these functions (name both ends of a move)."""
    ids = set(function_ids)
    products = Assignment.objects.filter(organization_id=organization_id, function_id__in=ids).values_list(
        "product_id", flat=True
    )
    _refresh(organization_id, Q(function_id__in=ids), extra={(p, f) for p in set(products) for f in ids})


def functions_changed(*, organization_id: int, created: bool = True) -> None:
    """A function was created or deleted: every product's function count (and, for a deleted
    one, the layers and totals its cascaded cells left) is recomputed; a new one's suggestions
    are added. The callers' transaction (every service, the import, the admin) keeps the locks
    `_refresh` took for the suggestions' refresh after it. `created=False` (a delete or a merge):
    no function is new, so no suggestion is missing (a deleted one's rows went with it, and no
    other pair's row depends on it); looking for them read every function of the organization."""
    _refresh(organization_id, Q(pk__in=[]), all_products=True)
    if created:
        suggestion_rows.refresh(organization_id, missing_only=True, locked=True)  # _refresh locked them all


@transaction.atomic  # the products' locks, held until the caller's transaction ends
def functions_renamed(*, organization_id: int, function_ids: Iterable[int]) -> None:
    """Functions were renamed or moved to another category: their cells keep the picture's order of
    a ring (category, lower-cased name), which is copied from the functions again, the layers they
    contribute to list their names again, and their suggestions are judged again (a new name may
    match another playbook entry). No count moves."""
    ids = list(function_ids)
    cells = CellCounts.objects.filter(organization_id=organization_id, function_id__in=ids)
    contributing = set(cells.filter(emphasis=Assignment.Emphasis.CONTRIBUTOR).values_list("product_id", flat=True))
    looped = set(
        FeedbackLoopRow.objects.filter(organization_id=organization_id)
        .filter(Q(from_function_id__in=ids) | Q(to_function_id__in=ids))
        .values_list("product_id", flat=True)
    )
    # Every product's lock at once, in id order, as the suggestions' refresh needs them all: taking
    # some first and the rest later could deadlock with another writer doing the same.
    products = sorted(Product.objects.filter(organization_id=organization_id).values_list("pk", flat=True))
    lock_products(organization_id, products)
    rename_contributors(organization_id, contributing)
    feedback_rows.refresh(organization_id, product_ids=looped, function_ids=ids, locked=True)  # their order
    function = Function.objects.filter(pk=OuterRef("function_id"))
    cells.update(
        category=Subquery(function.values("category")[:1]),
        sort_name=Subquery(function.annotate(lowered=Lower("name")).values("lowered")[:1]),
    )
    _key_names(cells, Function.objects.filter(organization_id=organization_id, pk__in=ids).values_list("pk", "name"))
    # A new name may match another playbook entry.
    suggestion_rows.refresh(organization_id, product_ids=products, function_ids=ids, locked=True)


KEYED_AT_ONCE = 500  # functions an UPDATE of `_key_names`


def _key_names(cells: QuerySet[CellCounts], names: Iterable[tuple[int, str]]) -> None:
    """Each function's cells keyed by its name as Python case-folds it (`CellCounts.name_key`),
    a few hundred functions an UPDATE."""
    keys = sorted((pk, name.casefold()) for pk, name in names)
    for start in range(0, len(keys), KEYED_AT_ONCE):
        chunk = keys[start : start + KEYED_AT_ONCE]
        whens = [When(function_id=pk, then=Value(key)) for pk, key in chunk]
        cells.filter(function_id__in=[pk for pk, _key in chunk]).update(
            name_key=Case(*whens, default=F("name_key"), output_field=TextField())
        )


def disruption_applied(*, organization_id: int, function_ids: Iterable[int]) -> None:
    people_changed(organization_id=organization_id, function_ids=function_ids)


@transaction.atomic
def organization_changed(*, organization_id: int) -> PairDiff:
    """Recompute every pair and counter of the organization (restore, import, seed, repair),
    product by product so that a large organization's reviews are never all in memory at once."""
    ids = sorted(Product.objects.filter(organization_id=organization_id).values_list("pk", flat=True))
    lock_products(organization_id, ids)
    total = PairDiff()
    for product_id in ids:
        _, diff = refresh_pairs(organization_id, Q(product_id=product_id))
        refresh_counts(organization_id, product_id)
        total.created, total.updated, total.deleted = (
            total.created + diff.created,
            total.updated + diff.updated,
            total.deleted + diff.deleted,
        )
    suggestion_rows.refresh(organization_id, product_ids=ids, locked=True)
    feedback_rows.refresh(organization_id, product_ids=ids, locked=True)
    return total


@transaction.atomic
def partnerships_changed(*, organization_id: int, partnership_ids: Iterable[int]) -> None:
    """Partnerships were created, or their ends or the feedback they carry changed: their feedback
    loops in every product (a deleted one's rows went with it)."""
    feedback_rows.refresh(organization_id, partnership_ids=list(partnership_ids))


def current_reviews_until(*, organization_id: int, function_ids: Collection[int], moment: datetime) -> dict[int, int]:
    """Per function id: pairs current now whose latest review is not newer than `moment`
    (`review_state.is_current` is strict), read from the maintained pair table (one query)."""
    rows = (
        ReviewPair.objects.filter(
            organization_id=organization_id,
            function_id__in=list(function_ids),
            state=PairStatus.CURRENT,
            reviewed_at__lte=moment,
        )
        .order_by()
        .values_list("function_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


def product_created(*, organization_id: int, product_id: int) -> None:
    with transaction.atomic():
        lock_products(organization_id, [product_id])
        refresh_counts(organization_id, product_id)
        suggestion_rows.refresh(organization_id, product_ids=[product_id], locked=True)


@transaction.atomic
def _refresh(
    organization_id: int,
    assignments: Q,
    *,
    stakeholder_ids: Collection[int] | None = None,
    extra: Collection[ProductFunction] = (),
    all_products: bool = False,
    all_functions: bool = False,
) -> PairDiff:
    in_scope = Assignment.objects.filter(assignments, organization_id=organization_id)
    products = set(in_scope.values_list("product_id", flat=True)) | {p for p, _ in extra}
    if all_products:
        products |= set(Product.objects.filter(organization_id=organization_id).values_list("pk", flat=True))
    lock_products(organization_id, products)
    touched, diff = refresh_pairs(organization_id, assignments, stakeholder_ids)
    functions: dict[int, set[int]] = defaultdict(set)
    for product_id, function_id in {*touched, *extra}:
        functions[product_id].add(function_id)
    for product_id in sorted(products):
        refresh_counts(organization_id, product_id, None if all_functions else functions.get(product_id, set()))
    return diff
