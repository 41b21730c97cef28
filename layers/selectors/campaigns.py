"""Review campaigns read: their list, one campaign's progress per function and person, and its burn-up."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils import timezone

from domain.review_pairs import AssignmentFact, PairFact, PairKey, Tally, evaluate_pairs, stacked, tally
from domain.review_state import (
    PairStatus,
    ReviewFact,
)
from roles import rowcounts
from roles.models import Function, Organization, Stakeholder
from roles.rowcounts import read_page
from shared.charts import BurnUp, burnup_chart
from shared.prepared import prepared

from ..models import Assignment, CampaignReminder, FunctionCounts, Product, ProductCounts, Review, ReviewCampaign
from .reviews import _facts_of, _people_by_function, disruption_times, review_facts, tally_of


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
    sums = _summed(rows)
    people = dict(
        Stakeholder.objects.filter(organization=organization, function_id__in=list(sums))
        .order_by()
        .values_list("function_id")
        .annotate(n=Count("id"))
    )
    functions = Function.objects.filter(organization=organization, pk__in=list(sums)).order_by("name")
    return [FunctionProgress(f, people.get(f.pk, 0), tally_of(sums[f.pk])) for f in functions]


def function_progress_page(
    organization: Organization,
    *,
    product: Product | None = None,
    number: Any = 1,
    per_page: int = 50,
    count: int | None = None,
) -> Page:
    """One page of `function_progress` (by name, ignoring case), its rows' `people` and tallies
    read from the function counters of the page's functions only: two queries, plus a count of
    the mapped functions unless the caller knows it (`count`, a product's
    `ProductCounts.mapped_functions`). Whatever the organization's size, the rows read and
    rendered are bounded by the page."""
    counters = _counters(organization.pk, product.pk if product is not None else None)
    paginator = Paginator(_mapped_functions(organization.pk, product.pk if product is not None else None), per_page)
    # Known from a product's counter row; for every product's, the count of functions mapped on any
    # product the database keeps (`roles.rowcounts.DISTINCT_COUNTED`), or under SQLite counted over
    # the counters: the page is walked, never counted row by row.
    if count is None and product is None:
        count = rowcounts.distinct_count(organization.pk, FunctionCounts, "function_id")
    paginator.count = count if count is not None else counters.values("function_id").distinct().count()
    page = paginator.get_page(number)
    if product is None:  # every product's: the page and its sums by prepared statements
        read_page(page, lambda bottom, top: _progress_functions(organization.pk, bottom, top))
    chosen = list(page.object_list)
    # A function's head count is the same on every product (one pair per person per cell).
    ids = [f.pk for f in chosen]
    if product is None:
        sums = _summed_rows(_every_product_sums(organization.pk, ids))
    else:
        sums = _summed(counters.filter(function_id__in=ids), head_count=Max("people"))
    rows = [
        FunctionProgress(f, sums[f.pk].pop("head_count") or 0, tally_of(sums[f.pk])) for f in chosen if f.pk in sums
    ]
    page.object_list = cast("list[Any]", rows)
    return page


def _counters(organization_id: int, product_id: int | None) -> QuerySet[FunctionCounts]:
    """The function counters of the organization (of one product, or every product's)."""
    counters = FunctionCounts.objects.filter(organization=organization_id)
    return counters if product_id is None else counters.filter(product=product_id)


def _mapped_functions(organization_id: int, product_id: int | None) -> QuerySet[Function]:
    """The functions mapped on the product (on any product), by lower(name), the order of the
    organization's unique name index: a page is read walking it, never by sorting every function."""
    mapped = Exists(_counters(organization_id, product_id).filter(function_id=OuterRef("pk")))
    functions = Function.objects.filter(mapped, organization=organization_id).order_by(Lower("name"), "pk")
    return functions.only(*PROGRESS_FUNCTION)


# What a progress row shows of its function (`progress_row`: its chip and the invite's address).
PROGRESS_FUNCTION = ("id", "organization_id", "name", "category")


@prepared(shaped=("bottom", "top"))
def _progress_functions(organization_id: int, bottom: int, top: int) -> QuerySet[Function]:
    return _mapped_functions(organization_id, None)[bottom:top]


@prepared
def _every_product_sums(organization_id: int, function_ids: list[int]) -> QuerySet[Any]:
    """`_summed` (with the head count) of these functions' counters on every product."""
    return _sums_query(_counters(organization_id, None).filter(function_id__in=function_ids), head_count=Max("people"))


def _sums_query(rows: QuerySet[FunctionCounts], **extra: Any) -> QuerySet[Any]:
    return rows.order_by().values("function_id").annotate(**{n: Sum(n) for n in FunctionCounts.COUNTS}, **extra)


def _summed(rows: QuerySet[FunctionCounts], **extra: Any) -> dict[int, dict[str, Any]]:
    """{function id: its counters summed (and `extra` aggregates)} over `rows`, in one query."""
    return _summed_rows(_sums_query(rows, **extra))


def _summed_rows(summed: Iterable[Any]) -> dict[int, dict[str, Any]]:
    sums: dict[int, dict[str, Any]] = {}
    for row in summed:
        values: dict[str, Any] = dict(row)
        sums[int(values.pop("function_id"))] = values
    return sums


def campaigns_of(organization: Organization | int) -> QuerySet[ReviewCampaign]:
    return ReviewCampaign.objects.filter(organization=organization)


@prepared
def campaigns_listed(organization_id: int) -> QuerySet[ReviewCampaign]:
    """Every campaign of the organization with its product and author, newest first (the list)."""
    return campaigns_of(organization_id).select_related("product", "created_by").order_by("-created_at")


@prepared
def open_campaigns(organization_id: int) -> QuerySet[ReviewCampaign]:
    """The organization's open campaigns with their product, nearest deadline first."""
    return campaigns_of(organization_id).filter(status="open").select_related("product").order_by("deadline")


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
    """`campaign_progress(campaign).totals`, counted in the database (`campaign_totals_of`; a
    test holds the two together). `now` is accepted for callers that pass it; live counters are
    always as of the last write."""
    return campaign_totals_of([campaign])[campaign.pk]


def campaign_totals_of(campaigns: Sequence[ReviewCampaign]) -> dict[int, Tally]:
    """{campaign id: its pairs' tally} from the maintained counters (layers.readmodel), in three
    queries for any number of campaigns: a campaign that chose functions sums their function
    counters; one that asks every function mapped on its product reads the product's counter row,
    which sums the same pairs (a pair exists only for a mapped function)."""
    if not campaigns:
        return {}
    links = ReviewCampaign.functions.through.objects.filter(reviewcampaign_id__in=[c.pk for c in campaigns])
    chosen: dict[int, set[int]] = defaultdict(set)
    for campaign_id, function_id in links.values_list("reviewcampaign_id", "function_id"):
        chosen[campaign_id].add(function_id)
    organization_ids = {c.organization_id for c in campaigns}
    picked = [c for c in campaigns if chosen[c.pk]]
    functions = FunctionCounts.objects.filter(
        organization_id__in=organization_ids,
        product_id__in={c.product_id for c in picked},
        function_id__in=set().union(*(chosen[c.pk] for c in picked)),
    ).values("product_id", "function_id", *FunctionCounts.COUNTS)
    by_cell = {(row["product_id"], row["function_id"]): row for row in functions}
    products = ProductCounts.objects.filter(
        organization_id__in=organization_ids, product_id__in={c.product_id for c in campaigns if not chosen[c.pk]}
    ).values("product_id", *FunctionCounts.COUNTS)
    by_product = {row["product_id"]: row for row in products}
    totals: dict[int, Tally] = {}
    for campaign in campaigns:
        if chosen[campaign.pk]:
            rows = [by_cell[key] for f in chosen[campaign.pk] if (key := (campaign.product_id, f)) in by_cell]
        else:
            rows = [by_product[campaign.product_id]] if campaign.product_id in by_product else []
        totals[campaign.pk] = tally_of({n: sum(row[n] for row in rows) for n in FunctionCounts.COUNTS})
    return totals


def _person_progress(person: Stakeholder, pairs: list[PairFact], reminded: datetime | None) -> PersonProgress:
    stale_since = [p.cutoff for p in pairs if p.status == PairStatus.STALE]
    return PersonProgress(person, tally(pairs), max(stale_since, default=None), reminded)


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
