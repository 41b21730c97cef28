"""The "my role" page read: a stakeholder's function, its assignments per product, and what is open for them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from domain.review_state import (
    DISAGREE,
    PairState,
    stated_pair,
)
from domain.rings.shapes import Member, WholeProductData
from roles.models import Function, Organization, Stakeholder
from roles.permissions import OrgContext
from roles.services import playbook_matches
from shared.prepared import first_of, prepared

from ..models import Assignment, Layer, Product, Review, ReviewCampaign, ReviewPair
from .layer_list import layers_in_ring_order
from .rings import product_rings, ring_members, rings_of

SHARED_SHOWN = 12  # functions named beside one of "my" assignments; the rest are counted
# Products whose picture comes with the page; the others' load as they are scrolled to
# (`picture_of`): a person on ten products of a large organization would otherwise wait for ten.
PICTURED = 1


@dataclass
class SharedLayer:
    """The other functions on the layer of one of a person's assignments, as far as its product's
    picture loaded them: lead first, then by name."""

    assignment_id: int
    others: list[Member] = field(default_factory=list)
    unloaded: int = 0  # other functions on this layer beyond those loaded (a large layer)

    @property
    def shown(self) -> list[Member]:
        """The ones the page names: a layer of a large organization holds hundreds."""
        return self.others[:SHARED_SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.others) - SHARED_SHOWN, 0) + self.unloaded


def shared_layer(rings: WholeProductData, assignment_id: int, layer_key: str, function_id: int) -> SharedLayer:
    """Who else sits on `layer_key` of the pictured product, beside the function `function_id`."""
    ring = next((r for r in rings.rings if r.key == layer_key), None)
    if ring is None:
        return SharedLayer(assignment_id)
    others = [member for member in ring.members if member.function_id != function_id]
    others.sort(key=lambda member: (not member.is_lead, member.name.lower()))
    return SharedLayer(assignment_id, others, ring.more)


@dataclass
class MyAssignment:
    assignment: Assignment
    state: PairState
    latest: Review | None  # the stakeholder's own latest review of it
    why: str  # the playbook's reason, or who placed it otherwise
    # Who else is on this layer; None until the product's picture loads it (`picture_of`).
    shared: SharedLayer | None = None
    form: Any = None  # the review form the page attaches (layers/views/me.py)

    @property
    def resolved(self) -> Review | None:
        """Their latest review when it is a dispute a leader has resolved (the page shows the note)."""
        latest = self.latest
        return latest if latest and latest.verdict == DISAGREE and latest.resolved_at else None


@dataclass
class MyProduct:
    product: Product
    assignments: list[MyAssignment]
    rings: WholeProductData | None  # None: the page loads the picture when it is scrolled to
    campaign: ReviewCampaign | None = None

    @property
    def to_review(self) -> int:
        return sum(1 for item in self.assignments if item.state.needs_review)


@dataclass
class MyRole:
    stakeholder: Stakeholder
    products: list[MyProduct]
    layers: list[Layer]

    @property
    def to_review(self) -> int:
        return sum(p.to_review for p in self.products)

    @property
    def open_disputes(self) -> int:
        return sum(1 for p in self.products for item in p.assignments if item.state.is_open)

    @property
    def assignment_count(self) -> int:
        return sum(len(p.assignments) for p in self.products)

    @property
    def campaigns(self) -> list[tuple[Product, ReviewCampaign]]:
        return [(p.product, p.campaign) for p in self.products if p.campaign]


def playbook_reason(function: Function, layer: Layer, assignment: Assignment, go_to_market: str) -> str:
    """Why this function sits on this layer: the playbook's sentence when it has one."""
    entry = playbook_matches.entry_of(function)  # the match stored on the function
    if entry is not None:
        for rule in entry.rules_for(go_to_market):
            if rule.layer == layer.key:
                return rule.reason
    if assignment.source == Assignment.Source.IMPORT:
        return "A leader imported this assignment; the playbook has no rule placing this function here."
    return "A leader placed your function here; the playbook has no rule for it on this layer."


def _open_campaigns(organization: Organization, function_id: int, product_ids: Iterable[int]) -> dict[int, Any]:
    """{product id: the open campaign asking this function} (one query)."""
    found: dict[int, ReviewCampaign] = {}
    for campaign in _campaigns_asking(organization.pk, sorted(set(product_ids)), function_id):
        found.setdefault(campaign.product_id, campaign)
    return found


def my_role(ctx: OrgContext, *, now: datetime | None = None) -> MyRole | None:
    """The requester's own part: their function's assignments, with their own reviews only.

    Six queries whatever the number of products, functions, people or past reviews: each pair's
    state, latest review and cutoff come from the read model's pair table (`ReviewPair`), the
    sentence from the one rule (`review_state.stated_pair`).
    """
    person = ctx.stakeholder
    if person is None:
        return None
    now = now or timezone.now()
    organization = ctx.organization
    own = list(_own_cells(organization.pk, person.function_id))
    layers = layers_in_ring_order()
    # The rings' members as far as the first pictures and their "shared with" lists show them (a
    # large product maps thousands of functions): the person's own function always among them.
    # The other products' load with their picture as it is scrolled to (`picture_of`).
    pictured = list(dict.fromkeys(a.product_id for a in own))[:PICTURED]
    members = ring_members(pictured, always=person.function_id) if own else {}
    # The person's pairs as the read model keeps them: each one's latest review and cutoff (the
    # assignment's change or the latest applied disruption), so no review history is read.
    pairs = {pair.assignment_id: pair for pair in _own_pairs(organization.pk, person.pk)}
    campaigns = _open_campaigns(organization, person.function_id, {a.product_id for a in own})
    tz = timezone.get_current_timezone()
    products: dict[int, MyProduct] = {}
    for a in own:
        if a.product_id not in products:
            rings = rings_of(a.product, layers, members.get(a.product_id)) if a.product_id in pictured else None
            products[a.product_id] = MyProduct(a.product, [], rings, campaigns.get(a.product_id))
        pair = pairs.get(a.pk)
        latest = pair.review if pair is not None else None
        cutoff = pair.cutoff if pair is not None else a.changed_at
        state = stated_pair(latest, cutoff=cutoff, changed_at=a.changed_at, tz=tz)
        rings = products[a.product_id].rings
        shared = shared_layer(rings, a.pk, a.layer.key, person.function_id) if rings is not None else None
        why = playbook_reason(person.function, a.layer, a, organization.go_to_market)
        products[a.product_id].assignments.append(MyAssignment(a, state, latest, why, shared))
    return MyRole(stakeholder=person, products=list(products.values()), layers=layers)


@dataclass
class MyPicture:
    """One of the person's products as "my role" loads it when scrolled to: the picture, and who
    else sits on each of the person's layers of it."""

    rings: WholeProductData
    shared: list[SharedLayer]


def picture_of(ctx: OrgContext, product_slug: str) -> MyPicture | None:
    """The whole product picture of one of the requester's own products (their function sits on
    it), as "my role" draws it, with the "shared with" lists of their assignments on it; None for
    any other product (404). Four queries."""
    function_id = ctx.person_function_id  # known from the organization context: no query for the person
    if function_id is None:
        return None
    product = next(iter(_product_of_function(ctx.organization.pk, product_slug, function_id)), None)
    if product is None:
        return None
    rings = product_rings(product, always=function_id)
    own = _own_layers(ctx.organization.pk, product.pk, function_id)
    return MyPicture(rings, [shared_layer(rings, pk, layer_key, function_id) for pk, layer_key in own])


@prepared
def _own_cells(organization_id: int, function_id: int) -> QuerySet[Assignment]:
    """The function's cells on every product, by product name, then ring."""
    return (
        Assignment.objects.filter(organization_id=organization_id, function_id=function_id)
        .select_related("product", "layer", "function")
        .order_by("product__name", "layer__ring")
    )


@prepared
def _own_pairs(organization_id: int, person_id: int) -> QuerySet[ReviewPair]:
    """The person's review pairs as the read model keeps them, with their latest review."""
    pairs = ReviewPair.objects.filter(organization_id=organization_id, stakeholder_id=person_id)
    return pairs.select_related("review__suggested_layer", "review__resolved_by")


@prepared
def _campaigns_asking(organization_id: int, product_ids: list[int], function_id: int) -> QuerySet[ReviewCampaign]:
    """The open campaigns of these products that ask the function (every function, or it among theirs)."""
    return (
        ReviewCampaign.objects.filter(
            organization_id=organization_id, product_id__in=product_ids, status=ReviewCampaign.Status.OPEN
        )
        .filter(Q(functions__isnull=True) | Q(functions=function_id))
        .distinct()
        .order_by("deadline")
    )


@prepared
def _product_of_function(organization_id: int, slug: str, function_id: int) -> QuerySet[Product]:
    """The product `slug` if the function sits on it (`.first()`'s row)."""
    return first_of(
        Product.objects.filter(organization_id=organization_id, slug=slug, assignments__function_id=function_id)
    )


@prepared
def _own_layers(organization_id: int, product_id: int, function_id: int) -> QuerySet[Any]:
    """(assignment id, layer key) of the function's cells on the product, in ring order."""
    own = Assignment.objects.filter(organization_id=organization_id, product_id=product_id, function_id=function_id)
    return own.order_by("layer__ring").values_list("pk", "layer__key")


def own_assignment(ctx: OrgContext, pk: int) -> Assignment | None:
    """An assignment of the requester's own function; anything else answers None (404)."""
    person = ctx.stakeholder
    if person is None:
        return None
    return (
        Assignment.objects.select_related("product", "layer", "function")
        .filter(pk=pk, function_id=person.function_id, organization=ctx.organization)
        .first()
    )
