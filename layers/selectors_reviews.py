"""Reads behind the review pages (issue 4): "my role", the review inbox and campaigns.

Every page loads a fixed number of querysets, whatever the organization's size. The rule of a
pair's state lives in `review_state` only; live figures come from the read model:
- `open_disputes`, `function_progress` (the inbox, leaders only) and `campaign_totals` read the
  maintained pair table and counters (layers.readmodel);
- `my_role` is a stakeholder's own part: their own pairs from the pair table, worded by
  `review_state.stated_pair`; it never reads another person's review;
- `campaign_progress` and `burnup_chart` evaluate a campaign's pairs as of a moment (a closed
  campaign is summed up as it stood at its deadline) with `evaluate_pairs`, the rule applied to rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from roles.models import Disruption, Function, Organization, Stakeholder
from roles.permissions import OrgContext

from .models import Assignment, CampaignReminder, FunctionCounts, Layer, Product, Review, ReviewCampaign, ReviewPair
from .review_state import (
    AGREE,
    DISAGREE,
    PairState,
    PairStatus,
    ReviewFact,
    is_open,
    last_disruption,
    latest_review,
    pair_state,
    pair_status,
    staleness_cutoff,
    stated_pair,
)
from .rings import Member, RingInput, WholeProductData
from .services import playbook_matches

PairKey = tuple[int, int]  # (assignment id, stakeholder id)
SHARED_SHOWN = 12  # functions named beside one of "my" assignments; the rest are counted


# --- the pair engine (pure) ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AssignmentFact:
    id: int
    function_id: int
    changed_at: datetime
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PairFact:
    assignment_id: int
    stakeholder_id: int
    function_id: int
    status: PairStatus
    verdict: str | None
    is_open: bool
    reviewed_at: datetime | None
    cutoff: datetime  # a review must be newer than this to be current

    @property
    def is_current(self) -> bool:
        return self.status == PairStatus.CURRENT


def evaluate_pairs(
    *,
    assignments: Iterable[AssignmentFact],
    people: Mapping[int, Sequence[int]],
    reviews: Mapping[PairKey, Sequence[ReviewFact]],
    disruptions: Mapping[int, Sequence[datetime]],
    now: datetime,
) -> list[PairFact]:
    """Every pair (assignment, person of its function) with its state. `people`: function id -> ids."""
    facts: list[PairFact] = []
    for a in assignments:
        cutoff = staleness_cutoff(a.changed_at, last_disruption(disruptions.get(a.function_id, ()), now))
        for person in people.get(a.function_id, ()):
            latest = latest_review(reviews.get((a.id, person), ()))
            status = pair_status(latest, cutoff)
            verdict = latest.verdict if latest else None
            open_, at = bool(latest and is_open(latest)), latest.created_at if latest else None
            facts.append(PairFact(a.id, person, a.function_id, status, verdict, open_, at, cutoff))
    return facts


@dataclass
class Tally:
    """Counts over a set of pairs: the figures of every progress bar."""

    pairs: int = 0
    current: int = 0
    pending: int = 0
    stale: int = 0
    agreed: int = 0  # current reviews that agree
    disagreed: int = 0  # current reviews that disagree
    open: int = 0  # open disputes, current or stale

    def add(self, fact: PairFact) -> None:
        self.pairs += 1
        if fact.status == PairStatus.CURRENT:
            self.current += 1
            self.agreed += fact.verdict == AGREE
            self.disagreed += fact.verdict == DISAGREE
        elif fact.status == PairStatus.PENDING:
            self.pending += 1
        else:
            self.stale += 1
        self.open += fact.is_open

    @property
    def percent(self) -> int:
        return round(100 * self.current / self.pairs) if self.pairs else 0

    @property
    def to_review(self) -> int:
        return self.pending + self.stale

    @property
    def segments(self) -> list[tuple[str, float, float]]:
        """(state, x, width) in percent for a stacked bar: agreed, disputed, then stale, then pending.

        A current disagreement is its own colour: a dispute is never shown as done and green.
        """
        parts = (
            ("agreed", self.current - self.disagreed),
            ("disputed", self.disagreed),
            ("stale", self.stale),
            ("pending", self.pending),
        )
        return stacked(parts, self.pairs)

    @property
    def bar_label(self) -> str:
        words = [f"{self.current} of {self.pairs} reviewed"]
        words += [f"{self.disagreed} disputed"] if self.disagreed else []
        words += [f"{self.stale} to re-confirm"] if self.stale else []
        words += [f"{self.pending} not reviewed"] if self.pending else []
        return ", ".join(words)

    def merged(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))


def stacked(parts: Sequence[tuple[str, int]], whole: int) -> list[tuple[str, float, float]]:
    """(name, x, width) in percent of `whole` for each part, one after the other; empty parts dropped."""
    if not whole:
        return []
    out, x = [], 0.0
    for name, count in parts:
        width = 100 * count / whole
        if count:
            out.append((name, round(x, 2), round(width, 2)))
        x += width
    return out


def tally(facts: Iterable[PairFact]) -> Tally:
    result = Tally()
    for fact in facts:
        result.add(fact)
    return result


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
    # Only applied disruptions count (layers.review_state): no page asks "is it past yet".
    links = Disruption.functions.through.objects.filter(
        function_id__in=function_ids, disruption__applied_at__isnull=False
    )
    if now is not None:
        links = links.filter(disruption__effective_at__lte=now)
    grouped: dict[int, list[datetime]] = defaultdict(list)
    for function_id, at in links.values_list("function_id", "disruption__effective_at"):
        grouped[function_id].append(at)
    return grouped


# --- my role ---------------------------------------------------------------------------------------


@dataclass
class MyAssignment:
    assignment: Assignment
    state: PairState
    latest: Review | None  # the stakeholder's own latest review of it
    why: str  # the playbook's reason, or who placed it otherwise
    shared_with: list[Member] = field(default_factory=list)  # other functions on this layer, lead first

    @property
    def shared_shown(self) -> list[Member]:
        """The ones the page names: a layer of a large organization holds hundreds."""
        return self.shared_with[:SHARED_SHOWN]

    @property
    def shared_more(self) -> int:
        return max(len(self.shared_with) - SHARED_SHOWN, 0)

    @property
    def resolved(self) -> Review | None:
        """Their latest review when it is a dispute a leader has resolved (the page shows the note)."""
        latest = self.latest
        return latest if latest and latest.verdict == DISAGREE and latest.resolved_at else None


@dataclass
class MyProduct:
    product: Product
    assignments: list[MyAssignment]
    rings: WholeProductData
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


def _rings_for(product: Product, members: list[tuple[int, Member]], layers: list[Layer]) -> WholeProductData:
    by_layer: dict[int, list[Member]] = defaultdict(list)
    for layer_id, member in members:
        by_layer[layer_id].append(member)
    rings = [RingInput(key=lyr.key, name=lyr.name, ring=lyr.ring, members=tuple(by_layer[lyr.pk])) for lyr in layers]
    return WholeProductData(product=product, rings=rings)


def _members_of(product_ids: Iterable[int]) -> dict[int, list[tuple[int, Member]]]:
    """{product id: (layer id, member) of every assignment}, ring order, as plain rows (one query).

    A large product maps a thousand functions: model instances for each would cost more than
    the rest of the page.
    """
    rows = (
        Assignment.objects.filter(product_id__in=list(product_ids))
        .order_by("layer__ring", "-emphasis", "function__category", Lower("function__name"))
        .values_list(
            "product_id",
            "layer_id",
            "function_id",
            "function__name",
            "function__category",
            "function__is_external",
            "emphasis",
            "contribution",
        )
    )
    members: dict[int, list[tuple[int, Member]]] = defaultdict(list)
    for product_id, layer_id, function_id, name, category, external, emphasis, contribution in rows:
        lead = emphasis == Assignment.Emphasis.LEAD
        members[product_id].append((layer_id, Member(function_id, name, category, external, lead, contribution)))
    return members


def _open_campaigns(organization: Organization, function_id: int, product_ids: Iterable[int]) -> dict[int, Any]:
    """{product id: the open campaign asking this function} (one query)."""
    campaigns = (
        ReviewCampaign.objects.filter(
            organization=organization, product_id__in=list(product_ids), status=ReviewCampaign.Status.OPEN
        )
        .filter(Q(functions__isnull=True) | Q(functions=function_id))
        .distinct()
        .order_by("deadline")
    )
    found: dict[int, ReviewCampaign] = {}
    for campaign in campaigns:
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
    own = list(
        Assignment.objects.filter(organization=organization, function_id=person.function_id)
        .select_related("product", "layer", "function")
        .order_by("product__name", "layer__ring")
    )
    layers = list(Layer.objects.order_by("ring"))
    members = _members_of({a.product_id for a in own}) if own else {}
    # The person's pairs as the read model keeps them: each one's latest review and cutoff (the
    # assignment's change or the latest applied disruption), so no review history is read.
    pairs = {
        pair.assignment_id: pair
        for pair in ReviewPair.objects.filter(organization=organization, stakeholder=person).select_related(
            "review__suggested_layer", "review__resolved_by"
        )
    }
    campaigns = _open_campaigns(organization, person.function_id, {a.product_id for a in own})
    tz = timezone.get_current_timezone()
    products: dict[int, MyProduct] = {}
    for a in own:
        if a.product_id not in products:
            rings = _rings_for(a.product, members.get(a.product_id, []), layers)
            products[a.product_id] = MyProduct(a.product, [], rings, campaigns.get(a.product_id))
        pair = pairs.get(a.pk)
        latest = pair.review if pair is not None else None
        cutoff = pair.cutoff if pair is not None else a.changed_at
        state = stated_pair(latest, cutoff=cutoff, changed_at=a.changed_at, tz=tz)
        shared = [
            member
            for layer_id, member in members.get(a.product_id, [])
            if layer_id == a.layer_id and member.function_id != person.function_id
        ]
        shared.sort(key=lambda member: (not member.is_lead, member.name.lower()))
        why = playbook_reason(person.function, a.layer, a, organization.go_to_market)
        products[a.product_id].assignments.append(MyAssignment(a, state, latest, why, shared))
    return MyRole(stakeholder=person, products=list(products.values()), layers=layers)


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
    qs = Review.objects.filter(organization=organization, pk__in=pairs.values("review_id"))
    return qs.select_related(
        "assignment__product", "assignment__layer", "assignment__function", "stakeholder__function", "suggested_layer"
    )


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
    return _disputes(list(open_disputes_qs(organization, product=product).order_by("created_at", "id")), now=now)


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
    now: datetime | None = None,
) -> DisputePage:
    """One page of `open_disputes` (oldest first): a count and the page's rows, whatever their number."""
    reviews = open_disputes_qs(organization, product=product).order_by("created_at", "id")
    page = Paginator(reviews, per_page or DISPUTE_PAGE).get_page(number)
    return DisputePage(page, _disputes(list(page.object_list), now=now))


def recently_resolved(organization: Organization, *, limit: int = 6) -> list[Review]:
    return list(
        Review.objects.filter(organization=organization, resolved_at__isnull=False)
        .select_related(
            "assignment__product", "assignment__layer", "assignment__function", "stakeholder", "resolved_by"
        )
        .order_by("-resolved_at", "-id")[:limit]
    )


@dataclass
class FunctionProgress:
    function: Function
    people: int
    tally: Tally


def function_progress(
    organization: Organization,
    *,
    product: Product | None = None,
    now: datetime | None = None,
    function_ids: Iterable[int] | None = None,
) -> list[FunctionProgress]:
    """Per function: pairs reviewed, pending, stale and disputed, across products (or one).

    Read from the maintained counters (layers.readmodel): three queries whose cost follows the
    number of mapped functions, never the number of pairs. `now` is accepted for callers that
    pass it; live counters are always as of the last write.
    """
    rows = FunctionCounts.objects.filter(organization=organization)
    if product is not None:
        rows = rows.filter(product=product)
    if function_ids is not None:
        rows = rows.filter(function_id__in=list(function_ids))
    sums = {
        row.pop("function_id"): row
        for row in rows.order_by().values("function_id").annotate(**{n: Sum(n) for n in FunctionCounts.COUNTS})
    }
    people = dict(
        Stakeholder.objects.filter(organization=organization, function_id__in=list(sums))
        .order_by()
        .values_list("function_id")
        .annotate(n=Count("id"))
    )
    progress = []
    for function in Function.objects.filter(organization=organization, pk__in=list(sums)).order_by("name"):
        row = sums[function.pk]
        tally = Tally(
            pairs=row["pairs"],
            current=row["current"],
            pending=row["pairs"] - row["reviewed"],
            stale=row["reviewed"] - row["current"],
            agreed=row["agreeing"],
            disagreed=row["disagreeing"],
            open=row["open"],
        )
        progress.append(FunctionProgress(function, people.get(function.pk, 0), tally))
    return progress


# --- campaigns -------------------------------------------------------------------------------------


def campaigns_of(organization: Organization) -> QuerySet[ReviewCampaign]:
    return ReviewCampaign.objects.filter(organization=organization)


def campaign_of(organization: Organization, pk: int) -> ReviewCampaign | None:
    return campaigns_of(organization).select_related("product", "created_by").filter(pk=pk).first()


def campaign_function_ids(campaign: ReviewCampaign) -> list[int]:
    """The campaign's functions; none chosen means every function mapped on the product."""
    chosen = list(campaign.functions.values_list("pk", flat=True))
    if chosen:
        return chosen
    return list(
        Assignment.objects.filter(product_id=campaign.product_id).values_list("function_id", flat=True).distinct()
    )


@dataclass
class PersonProgress:
    stakeholder: Stakeholder
    tally: Tally
    asked_since: datetime | None  # the latest change or disruption that made a review stale
    last_reminded: datetime | None = None

    @property
    def done(self) -> bool:
        return self.tally.pairs > 0 and self.tally.to_review == 0


@dataclass(frozen=True)
class PeopleFigures:
    """A campaign's progress counted in people, every figure from the same rows.

    `reached` are the people the campaign can ask: those with an account (it emails them)
    and anyone who reviewed anyway. Each reached person is exactly one of reviewed (all their
    part current) or pending, and each reviewed person exactly one of agreed or disputed, so
    reviewed ≤ reached always holds and the bar's parts add up to its whole.
    """

    people: int = 0
    reached: int = 0
    agreed: int = 0
    disputed: int = 0
    no_account: int = 0  # not reached: only an admin's invitation can bring them in

    @property
    def reviewed(self) -> int:
        return self.agreed + self.disputed

    @property
    def pending(self) -> int:
        return self.reached - self.reviewed

    @property
    def percent(self) -> int:
        return round(100 * self.reviewed / self.reached) if self.reached else 0

    @property
    def segments(self) -> list[tuple[str, float, float]]:
        parts = (("agreed", self.agreed), ("disputed", self.disputed), ("pending", self.pending))
        return stacked(parts, self.reached)

    @property
    def bar_label(self) -> str:
        return f"{self.reviewed} of {self.reached} people reviewed: {self.agreed} agreed, {self.disputed} disputed"


def people_figures(people: Iterable[PersonProgress]) -> PeopleFigures:
    counts = {"people": 0, "reached": 0, "agreed": 0, "disputed": 0, "no_account": 0}
    for person in people:
        counts["people"] += 1
        if not (person.stakeholder.user_id or person.tally.current):
            counts["no_account"] += 1
            continue
        counts["reached"] += 1
        if person.done:
            counts["disputed" if person.tally.disagreed else "agreed"] += 1
    return PeopleFigures(**counts)


@dataclass
class CampaignProgress:
    campaign: ReviewCampaign
    functions: list[Function]
    totals: Tally
    people: list[PersonProgress]
    pairs: list[PairFact]
    assignments: list[AssignmentFact]
    reviews: dict[PairKey, list[ReviewFact]]
    disruptions: dict[int, list[datetime]]

    @property
    def waiting(self) -> list[PersonProgress]:
        return [p for p in self.people if p.tally.to_review]

    @property
    def without_account(self) -> list[PersonProgress]:
        """People the campaign cannot email (no account), shown to admins beside the invite action."""
        return [p for p in self.people if not p.stakeholder.user_id]

    @property
    def figures(self) -> PeopleFigures:
        return people_figures(self.people)

    def summary(self) -> dict[str, int]:
        t, f = self.totals, self.figures
        return {
            "reached": f.reached,
            "people_reviewed": f.reviewed,
            "people_agreed": f.agreed,
            "people_disputed": f.disputed,
            "people_pending": f.pending,
            "no_account": f.no_account,
            "pairs": t.pairs,
            "reviewed": t.current,
            "agreed": t.agreed,
            "disputed": t.disagreed,
            "no_answer": t.pending + t.stale,
            "pending": t.pending,
            "stale": t.stale,
            "open_disputes": t.open,
            "people": len(self.people),
            "people_done": sum(1 for p in self.people if p.done),
        }


def campaign_progress(campaign: ReviewCampaign, *, now: datetime | None = None) -> CampaignProgress:
    """Pairs, people and totals of one campaign (seven queries)."""
    now = now or timezone.now()
    function_ids = campaign_function_ids(campaign)
    functions = list(Function.objects.filter(pk__in=function_ids).order_by("name"))
    assignments = Assignment.objects.filter(product_id=campaign.product_id, function_id__in=function_ids)
    facts = _facts_of(assignments.only("id", "function_id", "changed_at", "created_at"))
    people_rows = list(
        Stakeholder.objects.filter(organization_id=campaign.product.organization_id, function_id__in=function_ids)
        .select_related("function", "user", "organization")
        .order_by("full_name", "pk")
    )
    # As of `now`: a campaign closed after its deadline is summed up as it stood at the deadline.
    reviews = review_facts(Review.objects.filter(assignment__in=assignments, created_at__lte=now))
    disrupted = disruption_times(function_ids, now=now)
    pairs = evaluate_pairs(
        assignments=facts,
        people=_people_by_function((p.pk, p.function_id) for p in people_rows),
        reviews=reviews,
        disruptions=disrupted,
        now=now,
    )
    reminded = dict(
        CampaignReminder.objects.filter(campaign=campaign)
        .values("stakeholder_id")
        .annotate(last=Max("sent_at"))
        .values_list("stakeholder_id", "last")
    )
    by_person: dict[int, list[PairFact]] = defaultdict(list)
    for pair in pairs:
        by_person[pair.stakeholder_id].append(pair)
    people = [_person_progress(p, by_person[p.pk], reminded.get(p.pk)) for p in people_rows]
    return CampaignProgress(campaign, functions, tally(pairs), people, pairs, facts, reviews, disrupted)


def campaign_totals(
    campaign: ReviewCampaign, *, organization: Organization | None = None, now: datetime | None = None
) -> Tally:
    """`campaign_progress(campaign).totals`, counted in the database: one sum of the maintained
    function counters (layers.readmodel) of the campaign's functions, whatever their number (a
    test holds the two together). `now` is accepted for callers that pass it; live counters are
    always as of the last write."""
    chosen = campaign.functions.values("pk")
    mapped = Assignment.objects.filter(product_id=campaign.product_id).values("function_id")
    rows = FunctionCounts.objects.filter(
        organization_id=campaign.organization_id, product_id=campaign.product_id
    ).filter(Q(function_id__in=chosen) | (~Exists(chosen) & Q(function_id__in=mapped)))
    n = {k: v or 0 for k, v in rows.aggregate(**{f: Sum(f) for f in FunctionCounts.COUNTS}).items()}
    return Tally(
        pairs=n["pairs"],
        current=n["current"],
        pending=n["pairs"] - n["reviewed"],
        stale=n["reviewed"] - n["current"],
        agreed=n["agreeing"],
        disagreed=n["disagreeing"],
        open=n["open"],
    )


def _person_progress(person: Stakeholder, pairs: list[PairFact], reminded: datetime | None) -> PersonProgress:
    stale_since = [p.cutoff for p in pairs if p.status == PairStatus.STALE]
    return PersonProgress(person, tally(pairs), max(stale_since, default=None), reminded)


# --- the burn-up (pure) ----------------------------------------------------------------------------


def reviewed_over_time(progress: CampaignProgress, days: Sequence[date], tz: Any) -> list[int]:
    """How many pairs were current at the end of each day, from the review and change timestamps.

    A pair becomes current at a review made after every change and disruption before it,
    and stops being current at the next change or disruption. Only the last change of an
    assignment is known (`changed_at`); an earlier one has been overwritten.
    """
    people: dict[int, list[int]] = defaultdict(list)
    for pair in progress.pairs:
        people[pair.assignment_id].append(pair.stakeholder_id)
    transitions: list[tuple[datetime, int]] = []
    for a in progress.assignments:
        cuts = sorted([a.changed_at, *progress.disruptions.get(a.function_id, [])])
        for person in people[a.id]:
            transitions.extend(_pair_transitions(progress.reviews.get((a.id, person), []), cuts))
    transitions.sort()
    ends = [timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz) for day in days]
    values, running, index = [], 0, 0
    for end in ends:
        while index < len(transitions) and transitions[index][0] < end:
            running += transitions[index][1]
            index += 1
        values.append(running)
    return values


def _pair_transitions(reviews: Sequence[ReviewFact], cuts: Sequence[datetime]) -> list[tuple[datetime, int]]:
    # A review and a cut at the same instant: the cut comes second, so the tie is stale.
    events = sorted([(r.created_at, 0) for r in reviews] + [(c, 1) for c in cuts])
    current, out = False, []
    for at, kind in events:
        if kind == 0 and not current:
            current = True
            out.append((at, 1))
        elif kind == 1 and current:
            current = False
            out.append((at, -1))
    return out


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: int
    day: date


@dataclass(frozen=True)
class BurnUp:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    total: int
    points: tuple[ChartPoint, ...]
    ticks: tuple[tuple[float, str], ...]  # (y, label) for the value axis
    x_labels: tuple[tuple[float, str], ...]
    deadline_x: float | None
    today_x: float | None

    @property
    def line(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)

    @property
    def area(self) -> str:
        if not self.points:
            return ""
        return f"{self.points[0].x},{self.bottom} {self.line} {self.points[-1].x},{self.bottom}"

    @property
    def total_y(self) -> float:
        return self.top

    @property
    def tick_x(self) -> float:
        return self.left - 8

    @property
    def last(self) -> ChartPoint | None:
        return self.points[-1] if self.points else None


def burnup_chart(
    *,
    start: date,
    deadline: date,
    today: date,
    values: Sequence[int],
    total: int,
    width: int = 640,
    height: int = 260,
) -> BurnUp:
    """Coordinates of the burn-up: `values[i]` is the count at the end of day `start + i`.

    The x axis spans the whole campaign (start to deadline), so the line's distance from the
    top right corner shows how far there is to go.
    """
    left, right, top, bottom = 44.0, width - 14.0, 14.0, height - 28.0
    span = max((deadline - start).days, 1)
    ceiling = max(total, max(values, default=0), 1)

    def x_of(day: date) -> float:
        return round(left + (right - left) * (day - start).days / span, 1)

    def y_of(value: int) -> float:
        return round(bottom - (bottom - top) * value / ceiling, 1)

    points = tuple(
        ChartPoint(x_of(start + timedelta(days=i)), y_of(v), v, start + timedelta(days=i)) for i, v in enumerate(values)
    )
    ticks = tuple((y_of(v), str(v)) for v in sorted({0, ceiling // 2, ceiling}))
    labels = [(x_of(start), _short_day(start)), (x_of(deadline), _short_day(deadline))]
    return BurnUp(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        total=total,
        points=points,
        ticks=ticks,
        x_labels=tuple(labels),
        deadline_x=x_of(deadline),
        today_x=x_of(today) if start <= today <= deadline else None,
    )


def _short_day(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def campaign_days(campaign: ReviewCampaign, *, now: datetime, tz: Any) -> list[date]:
    """The days the burn-up has values for: from the start to today, the deadline or the close."""
    start = timezone.localtime(campaign.starts_at, tz).date()
    end_at = min(now, campaign.deadline, campaign.closed_at or now)
    end = max(timezone.localtime(end_at, tz).date(), start)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def campaign_burnup(progress: CampaignProgress, *, now: datetime | None = None) -> BurnUp:
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    campaign = progress.campaign
    days = campaign_days(campaign, now=now, tz=tz)
    return burnup_chart(
        start=days[0],
        deadline=max(timezone.localtime(campaign.deadline, tz).date(), days[0]),
        today=timezone.localtime(now, tz).date(),
        values=reviewed_over_time(progress, days, tz),
        total=progress.totals.pairs,
    )
