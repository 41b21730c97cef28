"""Reads behind the review pages (issue 4): "my role", the review inbox and campaigns.

Every page loads a fixed number of querysets, whatever the organization's size. The rule of a
pair's state lives in `review_state` only; live figures come from the read model:
- `open_disputes`, `function_progress` (the inbox, leaders only) and `campaign_totals` read the
  maintained pair table and counters (layers.readmodel);
- `my_role` is a stakeholder's own part, their own reviews through `review_state.pair_state`
  (for its sentences); it never reads another person's review;
- `campaign_progress` and `burnup_chart` evaluate a campaign's pairs as of a moment (a closed
  campaign is summed up as it stood at its deadline) with `evaluate_pairs`, the rule applied to rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Sum
from django.utils import timezone

from domain.review_pairs import AssignmentFact, PairKey, Tally
from domain.review_state import (
    PairState,
    PairStatus,
    ReviewFact,
    pair_state,
)
from roles.models import Disruption, Organization
from roles.permissions import OrgContext
from roles.rowcounts import read_page
from shared.prepared import prepared

from ..models import Assignment, FunctionCounts, Layer, Product, ProductCounts, Review, ReviewPair
from .layer_list import layers_in_ring_order
from .products import products_by_name

# --- the pair engine (pure) ------------------------------------------------------------------------


# --- loading rows ----------------------------------------------------------------------------------


def _facts_of(assignments: Iterable[Assignment]) -> list[AssignmentFact]:
    return [AssignmentFact(a.pk, a.function_id, a.changed_at, a.created_at) for a in assignments]


def _people_by_function(people: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for pk, function_id in people:
        grouped[function_id].append(pk)
    return grouped


def review_facts(reviews: QuerySet[Review]) -> dict[PairKey, list[ReviewFact]]:
    rows = reviews.values_list(
        "assignment_id", "stakeholder_id", "verdict", "created_at", "resolved_at", "resolution", "id"
    )
    grouped: dict[PairKey, list[ReviewFact]] = defaultdict(list)
    for assignment_id, stakeholder_id, verdict, created_at, resolved_at, resolution, pk in rows:
        grouped[(assignment_id, stakeholder_id)].append(ReviewFact(verdict, created_at, resolved_at, resolution, pk))
    return grouped


def disruption_times(function_ids: Any, *, now: datetime | None = None) -> dict[int, list[datetime]]:
    """{function id: effective times of the disruptions touching it} (one query).

    `function_ids` may be a queryset of ids: it becomes a subquery.
    """
    if isinstance(function_ids, (set, frozenset, list, tuple)):  # ids: a prepared statement
        # Each id once (an IN list drops repeats, which a prepared shape would count).
        ids = sorted({pk for pk in function_ids if pk is not None})
        if not ids:
            return defaultdict(list)
        links = _disruption_links(ids, now)
    else:
        links = _disruption_links_of(function_ids, now)
    grouped: dict[int, list[datetime]] = defaultdict(list)
    for function_id, at in links:
        grouped[function_id].append(at)
    return grouped


def _disruption_links_of(function_ids: Any, now: datetime | None) -> QuerySet[Any]:
    # Only applied disruptions count (domain.review_state): no page asks "is it past yet".
    links = Disruption.functions.through.objects.filter(
        function_id__in=function_ids, disruption__applied_at__isnull=False
    )
    if now is not None:
        links = links.filter(disruption__effective_at__lte=now)
    return links.values_list("function_id", "disruption__effective_at")


@prepared
def _disruption_links(function_ids: list[int], now: datetime | None) -> QuerySet[Any]:
    return _disruption_links_of(function_ids, now)


# --- my role ---------------------------------------------------------------------------------------


# --- one review ------------------------------------------------------------------------------------


def visible_reviews(ctx: OrgContext) -> QuerySet[Review]:
    """Leaders and admins see every review of the organization; a stakeholder only their own."""
    reviews = Review.objects.filter(organization=ctx.organization)
    if ctx.can_resolve:
        return reviews
    person = ctx.stakeholder
    return reviews.filter(stakeholder=person) if person else reviews.none()


def review_for(ctx: OrgContext, pk: int) -> Review | None:
    return (
        visible_reviews(ctx)
        .select_related(
            "assignment__product",
            "assignment__layer",
            "assignment__function",
            "stakeholder__function",
            "stakeholder__user",
            "suggested_layer",
            "resolved_by",
        )
        .filter(pk=pk)
        .first()
    )


def pair_history(review: Review) -> list[Review]:
    """Every review of the same person on the same assignment, newest first."""
    return list(
        Review.objects.filter(assignment_id=review.assignment_id, stakeholder_id=review.stakeholder_id)
        .select_related("suggested_layer", "resolved_by")
        .order_by("-created_at", "-id")
    )


def state_of_review(review: Review, *, who: str, now: datetime | None = None) -> PairState:
    """The state of the pair `review` belongs to (its history decides, not this review alone)."""
    now = now or timezone.now()
    function_id = review.assignment.function_id
    facts = review_facts(
        Review.objects.filter(assignment_id=review.assignment_id, stakeholder_id=review.stakeholder_id)
    )
    return pair_state(
        reviews=facts.get((review.assignment_id, review.stakeholder_id), []),
        changed_at=review.assignment.changed_at,
        disruptions=disruption_times([function_id], now=now).get(function_id, []),
        now=now,
        who=who,
        tz=timezone.get_current_timezone(),
    )


def is_latest(review: Review) -> bool:
    """Whether `review` is its pair's latest (the read model holds each pair's latest)."""
    return ReviewPair.objects.filter(organization_id=review.organization_id, review_id=review.pk).exists()


# --- the inbox -------------------------------------------------------------------------------------


def open_disputes_qs(organization: Organization, *, product: Product | None = None) -> QuerySet[Review]:
    """Disagreements no leader has resolved, that are still their author's latest word: the
    latest reviews of the review pairs the read model marks open."""
    pairs = ReviewPair.objects.filter(organization=organization, is_open=True)
    if product is not None:
        pairs = pairs.filter(product=product)
    return Review.objects.filter(organization=organization, pk__in=pairs.values("review_id"))


def _card_rows(reviews: QuerySet[Review], *, products: Iterable[Product] | None = None) -> list[Review]:
    """`reviews` (of one organization) with what a dispute's card shows: the inbox's page, every
    open dispute (`products`: the organization's, when the caller read them). The product and the layers (the
    assignment's, the one suggested) are taken from the organization's few products and the
    four-row layer table rather than joined: PostgreSQL's planning grows steeply with the tables a
    statement joins (eight took 9 ms to plan for under 1 ms of work; at 5,000 functions, 1.1 ms
    for four, 1.7 for five, 5 for six)."""
    return with_parents(list(_cards_query(reviews)), products)


# What a dispute's card and a resolved one show of a review, its cell, function and person (the
# state of its pair included: `pair_state`); any other column loads on first use. Every column of
# the four rows (a function's description and decoded playbook hints, a person's dates) was read.
CARD_COLUMNS = (
    "id",
    "organization_id",
    "assignment_id",
    "stakeholder_id",
    "verdict",
    "comment",
    "suggested_layer_id",
    "created_at",
    "resolution",
    "resolution_note",
    "resolved_at",
    "resolved_by_id",
    "assignment__id",
    "assignment__product_id",
    "assignment__function_id",
    "assignment__layer_id",
    "assignment__emphasis",
    "assignment__changed_at",
    "assignment__function__id",
    "assignment__function__name",
    "assignment__function__category",
    "stakeholder__id",
    "stakeholder__full_name",
    "stakeholder__user_id",
)


def _cards_query(reviews: QuerySet[Review], *, limit: int | None = None) -> QuerySet[Review]:
    chosen = reviews.select_related("assignment__function", "stakeholder").only(*CARD_COLUMNS)
    return chosen[:limit] if limit is not None else chosen


def with_parents(
    rows: list[Review], products: Iterable[Product] | None = None, layers: Iterable[Layer] | None = None
) -> list[Review]:
    """Each review's product and layers, from the organization's products and the layer table
    (`products` and `layers`, when the caller read them): two small reads at most, none when
    there is no row."""
    if not rows:
        return rows
    by_layer = {layer.pk: layer for layer in (layers_in_ring_order() if layers is None else layers)}
    listed = products_by_name(rows[0].organization_id) if products is None else products
    by_pk = {product.pk: product for product in listed}
    for review in rows:
        review.assignment.layer = by_layer[review.assignment.layer_id]
        review.assignment.product = by_pk[review.assignment.product_id]
        if review.suggested_layer_id is not None:
            review.suggested_layer = by_layer[review.suggested_layer_id]
    return rows


@dataclass
class Dispute:
    review: Review
    state: PairState

    @property
    def is_stale(self) -> bool:
        return self.state.state == PairStatus.STALE


def open_disputes(
    organization: Organization, *, product: Product | None = None, now: datetime | None = None
) -> list[Dispute]:
    """Open disputes, oldest first, each with its pair's state (stale once the assignment moved on)."""
    return _disputes(_card_rows(open_disputes_qs(organization, product=product).order_by("created_at", "id")), now=now)


def _disputes(reviews: list[Review], *, now: datetime | None = None) -> list[Dispute]:
    now = now or timezone.now()
    disrupted = disruption_times({r.assignment.function_id for r in reviews}, now=now)
    tz = timezone.get_current_timezone()
    return [
        Dispute(
            review,
            pair_state(
                reviews=[review],  # it is the latest of its pair (the query says so)
                changed_at=review.assignment.changed_at,
                disruptions=disrupted.get(review.assignment.function_id, []),
                now=now,
                who=review.stakeholder.full_name,
                tz=tz,
            ),
        )
        for review in reviews
    ]


DISPUTE_PAGE = 25  # open disputes per page of the inbox


@dataclass
class DisputePage:
    page: Page  # `page.paginator.count` is the number of open disputes in all
    disputes: list[Dispute]


def open_dispute_page(
    organization: Organization,
    *,
    product: Product | None = None,
    number: Any = 1,
    per_page: int | None = None,
    count: int | None = None,
    now: datetime | None = None,
    products: Iterable[Product] | None = None,
    layers: Iterable[Layer] | None = None,
) -> DisputePage:
    """One page of `open_disputes` (oldest first) read from the pair table: the page's review ids
    in the order of the open pairs' latest reviews (a partial index holds the open pairs), then
    those reviews. `count` is the number of open disputes when the caller read it from the
    counters (`inbox_totals(...).open`); otherwise it is counted. `products`: the organization's,
    when the caller read them."""
    product_id = None if product is None else product.pk
    paginator = Paginator(_open_review_ids(organization.pk, product_id), per_page or DISPUTE_PAGE)
    if count is not None:
        paginator.count = count
    page = paginator.get_page(number)
    # The page's ids and their cards by prepared statements (shared.prepared): built and compiled
    # on every load, they took longer than PostgreSQL took to run them.
    read_page(page, lambda bottom, top: _open_review_ids_page(organization.pk, product_id, bottom, top))
    chosen = list(page.object_list)
    cards = with_parents(list(_cards_of(organization.pk, chosen)), products, layers) if chosen else []
    found = {r.pk: r for r in cards}
    reviews = [found[pk] for pk in chosen if pk in found]
    page.object_list = cast("list[Any]", reviews)
    return DisputePage(page, _disputes(reviews, now=now))


def _open_review_ids(organization_id: int, product_id: int | None) -> QuerySet[Any]:
    """The ids of the latest reviews of the open pairs (of one product, when named), in the order of
    `open_disputes`: (reviewed_at, review_id) is the latest review's (created_at, id)."""
    pairs = ReviewPair.objects.filter(organization_id=organization_id, is_open=True)
    if product_id is not None:
        pairs = pairs.filter(product_id=product_id)
    return pairs.order_by("reviewed_at", "review_id").values_list("review_id", flat=True)


@prepared(shaped=("bottom", "top"))
def _open_review_ids_page(organization_id: int, product_id: int | None, bottom: int, top: int) -> QuerySet[Any]:
    return _open_review_ids(organization_id, product_id)[bottom:top]


@prepared
def _cards_of(organization_id: int, ids: list[int]) -> QuerySet[Review]:
    """The reviews `ids` as a dispute's card reads them (`_cards_query`)."""
    return _cards_query(Review.objects.filter(organization_id=organization_id, pk__in=ids))


def inbox_totals(organization: Organization, *, product: Product | None = None) -> Tally:
    """The inbox's totals (pairs, current, pending, stale, open disputes) from the product
    counters: one query over a row per product, whatever the organization's size."""
    if product is None:
        return tally_of(next(iter(_every_product_tally(organization.pk)), dict.fromkeys(FunctionCounts.COUNTS)))
    return counted_tally(ProductCounts.objects.filter(organization=organization, product=product))


@prepared
def _every_product_tally(organization_id: int) -> QuerySet[Any]:
    """The organization's product counters summed (one row; none without a product)."""
    rows = ProductCounts.objects.filter(organization=organization_id).order_by().values("organization_id")
    return rows.annotate(**{f: Sum(f) for f in FunctionCounts.COUNTS}).values(*FunctionCounts.COUNTS)


def mapped_function_count(organization: Organization, product: Product) -> int:
    """How many functions are mapped on `product`, from its counter row."""
    rows = ProductCounts.objects.filter(organization=organization, product=product)
    return rows.values_list("mapped_functions", flat=True).first() or 0


def recently_resolved(
    organization: Organization,
    *,
    products: Iterable[Product] | None = None,
    layers: Iterable[Layer] | None = None,
    limit: int = 6,
) -> list[Review]:
    """The latest resolved disputes, newest first, as the inbox's cards show them. Their product is
    taken from the organization's products (`products`, when the caller read them) and who resolved
    them is read apart: joined with the rest, the statement had six tables and PostgreSQL took 5 ms
    to plan it for under 1 ms of work (EXPLAIN (SUMMARY) at 5,000 functions; 1.1 ms with four)."""
    return with_parents(list(_recently_resolved(organization.pk, limit)), products, layers)


@prepared(shaped=("limit",))
def _recently_resolved(organization_id: int, limit: int) -> QuerySet[Review]:
    latest = Review.objects.filter(organization=organization_id, resolved_at__isnull=False)
    return _cards_query(latest.order_by("-resolved_at", "-id").prefetch_related("resolved_by"), limit=limit)


def counted_tally(rows: QuerySet[Any]) -> Tally:
    """The pair tally of some counter rows (layers.readmodel: function or product counters),
    summed in one query."""
    return tally_of(rows.aggregate(**{f: Sum(f) for f in FunctionCounts.COUNTS}))


def tally_of(summed: Mapping[str, Any]) -> Tally:
    """A `Tally` from summed counter columns (`COUNTS`, the same on every counter table), with
    pending and stale as the counters define them."""
    n = {k: v or 0 for k, v in summed.items()}
    return Tally(
        pairs=n["pairs"],
        current=n["current"],
        pending=n["pairs"] - n["reviewed"],
        stale=n["reviewed"] - n["current"],
        agreed=n["agreeing"],
        disagreed=n["disagreeing"],
        open=n["open"],
    )


# --- campaigns -------------------------------------------------------------------------------------


# --- the burn-up (pure) ----------------------------------------------------------------------------
