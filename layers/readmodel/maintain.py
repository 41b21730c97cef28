"""Recompute a scope of the read model from raw rows, with `domain.review_state`'s rule.

Two steps, both idempotent, so "maintain" and "repair" are the same code:

1. `refresh_pairs`: the review pairs of some assignments (optionally some people only) are
   compared with what the rule says from the raw rows; new pairs are inserted, changed ones
   updated, pairs that no longer exist deleted.
2. `refresh_counts`: one product's counters are recomputed from its pair rows with aggregates:
   the cells of the functions touched, then the layer rows and the product row summed from
   the cells. The product's counter row is locked first (`select_for_update`), so two writers
   on one product take turns and the second reads what the first committed: no lost update,
   and no fragile +1/-1 arithmetic to drift.

Every query filters on the tenant key and runs a fixed number of times per call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from domain.coverage.compute import name_order
from domain.review_state import (
    AGREE,
    DISAGREE,
    PairStatus,
    ReviewFact,
    is_open,
    latest_review,
    pair_status,
    staleness_cutoff,
)
from roles.models import Function, Stakeholder
from roles.selectors.disruptions import latest_disruptions

from ..models import Assignment, Review
from .tables import CellCounts, FunctionCounts, LayerCounts, ProductCounts, ReviewPair

BATCH = 2000
PAIR_FIELDS = (
    "product_id",
    "function_id",
    "layer_id",
    "review_id",
    "verdict",
    "reviewed_at",
    "state",
    "is_open",
    "cutoff",
)


@dataclass(frozen=True, slots=True)
class Cell:
    id: int
    product_id: int
    function_id: int
    layer_id: int
    changed_at: datetime


# --- the rule applied to raw rows (shared with the oracle) -----------------------------------------


def applied_disruptions(
    organization_id: int, function_ids: Collection[int] | QuerySet[Any, Any]
) -> dict[int, datetime]:
    """{function id: its last disruption that has taken effect} (one query)."""
    return latest_disruptions(organization_id=organization_id, function_ids=function_ids)


def desired_pairs(
    organization_id: int, cells: list[Cell], stakeholder_ids: Collection[int] | None = None
) -> dict[tuple[int, int], dict[str, Any]]:
    """What the pair rows of `cells` should hold, from raw rows (three queries)."""
    if not cells:
        return {}
    function_ids = {c.function_id for c in cells}
    people = Stakeholder.objects.filter(organization_id=organization_id, function_id__in=function_ids)
    reviews = Review.objects.filter(organization_id=organization_id, assignment_id__in=[c.id for c in cells])
    if stakeholder_ids is not None:
        people = people.filter(pk__in=list(stakeholder_ids))
        reviews = reviews.filter(stakeholder_id__in=list(stakeholder_ids))
    by_function: dict[int, list[int]] = defaultdict(list)
    for pk, function_id in people.values_list("pk", "function_id"):
        by_function[function_id].append(pk)
    history: dict[tuple[int, int], list[ReviewFact]] = defaultdict(list)
    rows = reviews.values_list("assignment_id", "stakeholder_id", "verdict", "created_at", "resolved_at", "id")
    for assignment_id, stakeholder_id, verdict, created_at, resolved_at, pk in rows:
        history[(assignment_id, stakeholder_id)].append(ReviewFact(verdict, created_at, resolved_at, "", pk))
    disrupted = applied_disruptions(organization_id, function_ids)
    wanted: dict[tuple[int, int], dict[str, Any]] = {}
    for cell in cells:
        cutoff = staleness_cutoff(cell.changed_at, disrupted.get(cell.function_id))
        for person in by_function.get(cell.function_id, ()):
            latest = latest_review(history.get((cell.id, person), ()))
            wanted[(cell.id, person)] = {
                "product_id": cell.product_id,
                "function_id": cell.function_id,
                "layer_id": cell.layer_id,
                "review_id": latest.id if latest else None,
                "verdict": latest.verdict if latest else "",
                "reviewed_at": latest.created_at if latest else None,
                "state": str(pair_status(latest, cutoff)),
                "is_open": bool(latest and is_open(latest)),
                "cutoff": cutoff,
            }
    return wanted


def cells_of(organization_id: int, assignments: Q) -> list[Cell]:
    rows = Assignment.objects.filter(assignments, organization_id=organization_id).values_list(
        "id", "product_id", "function_id", "layer_id", "changed_at"
    )
    return [Cell(*row) for row in rows]


# --- step 1: pairs ---------------------------------------------------------------------------------


@dataclass
class PairDiff:
    created: int = 0
    updated: int = 0
    deleted: int = 0

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.deleted


def refresh_pairs(
    organization_id: int, assignments: Q, stakeholder_ids: Collection[int] | None = None
) -> tuple[set[tuple[int, int]], PairDiff]:
    """Bring the pairs of the assignments matching `assignments` (and of `stakeholder_ids` only,
    when given) in line with the raw rows. Returns the (product, function) pairs it looked at."""
    cells = cells_of(organization_id, assignments)
    wanted = desired_pairs(organization_id, cells, stakeholder_ids)
    stored = ReviewPair.objects.filter(organization_id=organization_id, assignment_id__in=[c.id for c in cells])
    if stakeholder_ids is not None:
        stored = stored.filter(stakeholder_id__in=list(stakeholder_ids))
    diff = PairDiff()
    updates, stale_ids = [], []
    for pk, assignment_id, stakeholder_id, *values in stored.values_list(
        "pk", "assignment_id", "stakeholder_id", *PAIR_FIELDS
    ):
        want = wanted.pop((assignment_id, stakeholder_id), None)
        if want is None:
            stale_ids.append(pk)
        elif tuple(values) != tuple(want[f] for f in PAIR_FIELDS):
            updates.append(ReviewPair(pk=pk, assignment_id=assignment_id, stakeholder_id=stakeholder_id, **want))
    if stale_ids:
        diff.deleted = ReviewPair.objects.filter(pk__in=stale_ids).delete()[0]
    if updates:
        # A changed pair is replaced, not updated in place: `bulk_update` writes one CASE per
        # field with a branch per row, quadratic in the batch (a rebuild of 1.2 million pairs
        # took over an hour); a delete and an insert by batch is linear. Nothing refers to a
        # pair's id.
        for start in range(0, len(updates), BATCH):
            ReviewPair.objects.filter(pk__in=[u.pk for u in updates[start : start + BATCH]]).delete()
        diff.updated = len(updates)
    creates = [
        ReviewPair(organization_id=organization_id, assignment_id=a, stakeholder_id=s, **want)
        for (a, s), want in wanted.items()
    ]
    creates += [
        ReviewPair(
            organization_id=organization_id,
            assignment_id=u.assignment_id,
            stakeholder_id=u.stakeholder_id,
            **{f: getattr(u, f) for f in PAIR_FIELDS},
        )
        for u in updates
    ]
    ReviewPair.objects.bulk_create(creates, batch_size=BATCH)
    diff.created = len(creates) - len(updates)
    return {(c.product_id, c.function_id) for c in cells}, diff


# --- step 2: counters ------------------------------------------------------------------------------


def lock_products(organization_id: int, product_ids: Iterable[int]) -> None:
    """Take the counter rows of these products, in id order (no deadlock between two writers)."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    missing = set(ids) - set(
        ProductCounts.objects.filter(organization_id=organization_id, product_id__in=ids).values_list(
            "product_id", flat=True
        )
    )
    for product_id in sorted(missing):
        ProductCounts.objects.get_or_create(product_id=product_id, defaults={"organization_id": organization_id})
    list(
        ProductCounts.objects.select_for_update()
        .filter(organization_id=organization_id, product_id__in=ids)
        .order_by("product_id")
        .values_list("pk", flat=True)
    )


_CURRENT = Q(state=PairStatus.CURRENT)


def refresh_counts(
    organization_id: int, product_id: int, function_ids: Collection[int] | None = None, *, now: datetime | None = None
) -> None:
    """Recompute the product's counters: the cells of `function_ids` (all when None), then its
    layer rows and its totals. Call under `lock_products` (the hooks do)."""
    cells = Assignment.objects.filter(organization_id=organization_id, product_id=product_id)
    pairs = ReviewPair.objects.filter(organization_id=organization_id, product_id=product_id)
    stored_cells = CellCounts.objects.filter(organization_id=organization_id, product_id=product_id)
    stored_functions = FunctionCounts.objects.filter(organization_id=organization_id, product_id=product_id)
    if function_ids is not None:
        ids = list(function_ids)
        cells, pairs = cells.filter(function_id__in=ids), pairs.filter(function_id__in=ids)
        stored_cells, stored_functions = (
            stored_cells.filter(function_id__in=ids),
            stored_functions.filter(function_id__in=ids),
        )
    counted = {
        row.pop("assignment_id"): row
        for row in pairs.order_by()
        .values("assignment_id")
        .annotate(
            pairs=Count("id"),
            reviewed=Count("id", filter=~Q(state=PairStatus.PENDING)),
            current=Count("id", filter=_CURRENT),
            agreeing=Count("id", filter=_CURRENT & Q(verdict=AGREE)),
            disagreeing=Count("id", filter=_CURRENT & Q(verdict=DISAGREE)),
            open=Count("id", filter=Q(is_open=True)),
        )
    }
    new_cells = [
        CellCounts(
            organization_id=organization_id,
            product_id=product_id,
            function_id=function_id,
            layer_id=layer_id,
            assignment_id=pk,
            emphasis=emphasis,
            category=category,
            sort_name=sort_name,
            name_key=name.casefold(),
            **counted.get(pk, {}),
        )
        for pk, function_id, layer_id, emphasis, category, sort_name, name in cells.values_list(
            "id", "function_id", "layer_id", "emphasis", "function__category", Lower("function__name"), "function__name"
        )
    ]
    # The layers list their contributors by name: read again only when the contributor cells in
    # scope are not those stored (a review, a person or a disruption moves counts, not names).
    contributors_moved = function_ids is None or set(
        stored_cells.filter(emphasis=Assignment.Emphasis.CONTRIBUTOR).values_list("layer_id", "function_id")
    ) != {(c.layer_id, c.function_id) for c in new_cells if c.emphasis == Assignment.Emphasis.CONTRIBUTOR}
    stored_cells.delete()
    CellCounts.objects.bulk_create(new_cells, batch_size=BATCH)
    stored_functions.delete()
    FunctionCounts.objects.bulk_create(_function_rows(organization_id, product_id, new_cells), batch_size=BATCH)
    _refresh_layers(organization_id, product_id, names=contributors_moved)
    _refresh_product(organization_id, product_id, now or timezone.now())


def _function_rows(organization_id: int, product_id: int, cells: list[CellCounts]) -> list[FunctionCounts]:
    rows: dict[int, FunctionCounts] = {}
    for cell in cells:
        row = rows.setdefault(
            cell.function_id,
            FunctionCounts(organization_id=organization_id, product_id=product_id, function_id=cell.function_id),
        )
        row.assignments += 1
        row.leads += cell.emphasis == Assignment.Emphasis.LEAD
        row.people = max(row.people, cell.pairs)  # every cell of a function has one pair per person
        for name in CellCounts.COUNTS:
            setattr(row, name, getattr(row, name) + getattr(cell, name))
    return list(rows.values())


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in CellCounts.COUNTS}


_LAYER_FIELDS = ("lead", "lead_disputed", "contributors", *CellCounts.COUNTS)


def _refresh_layers(organization_id: int, product_id: int, *, names: bool = True) -> None:
    """The product's four layer rows summed from its cells, written over the stored ones; their
    contributors' names read again when `names`, when a layer's number of contributors moved (a
    deleted cell's counters go with it, so the caller cannot see it) or a row is missing."""
    cells = CellCounts.objects.filter(organization_id=organization_id, product_id=product_id)
    totals = {
        row.pop("layer_id"): row
        for row in cells.order_by()
        .values("layer_id")
        .annotate(**_sums(), contributors=Count("id", filter=Q(emphasis=Assignment.Emphasis.CONTRIBUTOR)))
    }
    # The database allows one lead per layer; should rows ever hold two, the first by name wins.
    leads: dict[int, tuple[int, int]] = {}
    for layer_id, function_id, disputes in (
        cells.filter(emphasis=Assignment.Emphasis.LEAD)
        .order_by("function__name", "assignment_id")
        .values_list("layer_id", "function_id", "open")
    ):
        leads.setdefault(layer_id, (function_id, disputes))
    from ..models import Layer

    layer_ids = list(Layer.objects.order_by("ring").values_list("pk", flat=True))
    if not names:
        stored = dict(
            LayerCounts.objects.filter(organization_id=organization_id, product_id=product_id).values_list(
                "layer_id", "contributors"
            )
        )
        names = any(stored.get(pk) != (totals[pk]["contributors"] if pk in totals else 0) for pk in layer_ids)
    listed = contributor_names(organization_id, product_id) if names else {}
    rows = []
    for layer_id in layer_ids:
        counts = {k: v or 0 for k, v in totals.get(layer_id, {}).items()}
        lead, disputes = leads.get(layer_id, (None, 0))
        rows.append(
            LayerCounts(
                organization_id=organization_id,
                product_id=product_id,
                layer_id=layer_id,
                lead_id=lead,
                lead_disputed=bool(disputes),
                contributor_names=listed.get(layer_id, []),
                **counts,
            )
        )
    LayerCounts.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["product", "layer"],
        update_fields=[*_LAYER_FIELDS, "contributor_names"] if names else list(_LAYER_FIELDS),
    )


def contributor_names(organization_id: int, product_id: int) -> dict[int, list[str]]:
    """{layer id: its contributors' names}, each list in the order a report names them
    (`name_order`), from the product's cells and their functions (one query)."""
    names: dict[int, list[str]] = defaultdict(list)
    contributors = CellCounts.objects.filter(
        organization_id=organization_id, product_id=product_id, emphasis=Assignment.Emphasis.CONTRIBUTOR
    )
    for layer_id, name in contributors.values_list("layer_id", "function__name"):
        names[layer_id].append(name)
    for found in names.values():
        found.sort(key=name_order)
    return names


def rename_contributors(organization_id: int, product_ids: Collection[int]) -> None:
    """The layer rows of these products written again with their contributors' names (functions
    were renamed: the names, and which of two leads comes first by name); call under
    `lock_products`."""
    for product_id in sorted(product_ids):
        _refresh_layers(organization_id, product_id)


def _refresh_product(organization_id: int, product_id: int, now: datetime) -> None:
    layers = LayerCounts.objects.filter(organization_id=organization_id, product_id=product_id).defer(
        "contributor_names"
    )
    functions = FunctionCounts.objects.filter(organization_id=organization_id, product_id=product_id)
    values: dict[str, Any] = dict.fromkeys((*CellCounts.COUNTS, "contributors"), 0)
    owned = 0
    for row in layers:
        owned += row.lead_id is not None
        for name in values:
            values[name] += getattr(row, name)
    mapped = functions.aggregate(
        mapped=Count("id"),
        unstaffed=Count("id", filter=Q(people=0)),
        assignments=Sum("assignments"),
        # A function's cells share its people: its counts are stale or pending when one cell's are.
        stale=Count("id", filter=Q(reviewed__gt=F("current"))),
        pending=Count("id", filter=Q(pairs__gt=F("reviewed"))),
        people=Sum("people"),
    )
    disputes = CellCounts.objects.filter(organization_id=organization_id, product_id=product_id, open__gt=0).aggregate(
        lead=Count("id", filter=Q(emphasis=Assignment.Emphasis.LEAD)),
        other=Count("id", filter=~Q(emphasis=Assignment.Emphasis.LEAD)),
    )
    ProductCounts.objects.filter(product_id=product_id).update(
        **values,
        owned_layers=owned,
        functions=Function.objects.filter(organization_id=organization_id).count(),
        mapped_functions=mapped["mapped"],
        unstaffed_functions=mapped["unstaffed"],
        assignments=mapped["assignments"] or 0,
        stale_functions=mapped["stale"],
        pending_functions=mapped["pending"],
        people=mapped["people"] or 0,
        lead_disputes=disputes["lead"],
        other_disputes=disputes["other"],
        as_of=now,
    )
