"""A campaign's page (issue 13): figures, burn-up and one page of people, at a fixed cost.

The page reads as many queries, and as many rows per query, at any organization size:

- **An open campaign** reads the read model. Its totals are a sum of the maintained counters
  (`FunctionCounts`), its people figures one aggregate over the pair table (`ReviewPair`) grouped
  by person, its people list a page of `PAGE_SIZE` with their pairs' counts, and its burn-up the
  pair table's current pairs counted by the day of the review that makes each current.
- **A closed campaign** is shown as it stood when it closed (at its deadline when that came
  first). The close computes that once from raw rows with the one rule
  (`selectors_reviews.campaign_progress`) and stores the figures, the totals and the burn-up's
  daily values in `ReviewCampaign.summary`; the page reads them back. Its page of people is
  evaluated as of that moment from the raw rows of those people only.

The burn-up of an open campaign counts, at the end of each day, the pairs that are current now
and whose review was made by then: a pair reviewed and since made stale by a change is no longer
counted on the days it was current, which the pair table (one latest review per pair) cannot
say. A closed campaign's stored burn-up keeps that history (its values come from the reviews).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from domain.review_pairs import AssignmentFact, PairFact, Tally, evaluate_pairs, tally
from domain.review_state import DISAGREE, PairStatus
from roles.models import Stakeholder
from shared.charts import BurnUp, burnup_chart

from ..models import Assignment, CampaignReminder, Review, ReviewCampaign, ReviewPair
from .campaigns import (
    CampaignProgress,
    PeopleFigures,
    PersonProgress,
    campaign_days,
    campaign_progress,
    campaign_totals_of,
    reviewed_over_time,
)
from .reviews import disruption_times, review_facts

PAGE_SIZE = 50
NO_ACCOUNT_SHOWN = 50  # people without an account named on the page; the rest are counted


@dataclass
class CampaignPage:
    campaign: ReviewCampaign
    as_of: datetime | None  # None: live (open)
    chosen: list[Any]  # the functions it asks, when chosen; empty: every function mapped
    mapped: int  # how many functions it asks
    figures: PeopleFigures
    totals: Tally
    people: Page  # of PersonProgress
    without_account: list[PersonProgress]
    without_account_count: int
    burnup: BurnUp

    @property
    def without_account_more(self) -> int:
        return max(self.without_account_count - len(self.without_account), 0)


def campaign_page(campaign: ReviewCampaign, *, page: Any = 1, now: datetime | None = None) -> CampaignPage:
    now = now or timezone.now()
    closed = campaign.status == ReviewCampaign.Status.CLOSED and campaign.closed_at is not None
    as_of = min(campaign.closed_at, campaign.deadline) if closed else None
    chosen = list(campaign.functions.order_by("name"))
    functions = _function_scope(campaign, chosen)
    people = Stakeholder.objects.filter(organization_id=campaign.organization_id, function_id__in=functions)
    if as_of is None:
        totals, figures = campaign_totals_of([campaign])[campaign.pk], _live_figures(campaign, functions, people)
    else:
        totals, figures = _stored_totals(campaign), _stored_figures(campaign)
    listed = Paginator(people.select_related("function").order_by("full_name", "pk"), PAGE_SIZE).get_page(page)
    shown = list(listed.object_list)
    without_account = people.filter(user__isnull=True)
    without = list(without_account.select_related("function").order_by("full_name", "pk")[:NO_ACCOUNT_SHOWN])
    progress = _progress_of(campaign, [*shown, *without], as_of=as_of)
    listed.object_list = [progress[p.pk] for p in shown]
    return CampaignPage(
        campaign=campaign,
        as_of=as_of,
        chosen=chosen,
        mapped=len(chosen)
        or Assignment.objects.filter(product_id=campaign.product_id).values("function_id").distinct().count(),
        figures=figures,
        totals=totals,
        people=listed,
        without_account=[progress[p.pk] for p in without],
        without_account_count=without_account.count(),
        burnup=_burnup(campaign, functions, totals, now=as_of or now),
    )


def _function_scope(campaign: ReviewCampaign, chosen: list[Any]) -> Any:
    """The ids of the functions it asks, as a subquery: the chosen ones, or every function mapped."""
    if chosen:
        return [f.pk for f in chosen]
    return Assignment.objects.filter(product_id=campaign.product_id).values("function_id")


def _pairs(campaign: ReviewCampaign, functions: Any) -> QuerySet[ReviewPair]:
    return ReviewPair.objects.filter(
        organization_id=campaign.organization_id, product_id=campaign.product_id, function_id__in=functions
    )


# --- live, from the read model ---------------------------------------------------------------------


def _live_figures(campaign: ReviewCampaign, functions: Any, people: QuerySet[Stakeholder]) -> PeopleFigures:
    """The people figures of `selectors_reviews.people_figures`, counted in the database: a
    person is reached with an account or a current review, done when every pair is current,
    and disputed when done with a current disagreement."""
    heads = people.aggregate(people=Count("pk"), without=Count("pk", filter=Q(user__isnull=True)))
    current = Q(state=PairStatus.CURRENT)
    per_person = (
        _pairs(campaign, functions)
        .order_by()
        .values("stakeholder_id")
        .annotate(
            n_pairs=Count("pk"),
            n_current=Count("pk", filter=current),
            n_disagreed=Count("pk", filter=current & Q(verdict=DISAGREE)),
            account=Max("stakeholder__user_id"),
        )
    )
    done = Q(n_pairs=F("n_current"))
    counted = per_person.aggregate(
        agreed=Count("stakeholder_id", filter=done & Q(n_disagreed=0)),
        disputed=Count("stakeholder_id", filter=done & Q(n_disagreed__gt=0)),
        reviewed_without=Count("stakeholder_id", filter=Q(account__isnull=True, n_current__gt=0)),
    )
    no_account = heads["without"] - (counted["reviewed_without"] or 0)
    return PeopleFigures(
        people=heads["people"],
        reached=heads["people"] - no_account,
        agreed=counted["agreed"] or 0,
        disputed=counted["disputed"] or 0,
        no_account=no_account,
    )


def _live_people(campaign: ReviewCampaign, people: list[Stakeholder]) -> dict[int, PersonProgress]:
    ids = [p.pk for p in people]
    current = Q(state=PairStatus.CURRENT)
    rows = {
        row.pop("stakeholder_id"): row
        for row in ReviewPair.objects.filter(
            organization_id=campaign.organization_id, product_id=campaign.product_id, stakeholder_id__in=ids
        )
        .order_by()
        .values("stakeholder_id")
        .annotate(
            pairs=Count("pk"),
            current=Count("pk", filter=current),
            pending=Count("pk", filter=Q(state=PairStatus.PENDING)),
            stale=Count("pk", filter=Q(state=PairStatus.STALE)),
            agreed=Count("pk", filter=current & ~Q(verdict=DISAGREE)),
            disagreed=Count("pk", filter=current & Q(verdict=DISAGREE)),
            open=Count("pk", filter=Q(is_open=True)),
            stale_since=Max("cutoff", filter=Q(state=PairStatus.STALE)),
        )
    }
    reminded = _reminded(campaign, ids)
    progress = {}
    for person in people:
        row = rows.get(person.pk, {})
        since = row.pop("stale_since", None)
        progress[person.pk] = PersonProgress(person, Tally(**row), since, reminded.get(person.pk))
    return progress


# --- closed, as it stood -------------------------------------------------------------------------


def _stored_totals(campaign: ReviewCampaign) -> Tally:
    s = campaign.summary
    return Tally(
        pairs=s.get("pairs", 0),
        current=s.get("reviewed", 0),
        pending=s.get("pending", 0),
        stale=s.get("stale", 0),
        agreed=s.get("agreed", 0),
        disagreed=s.get("disputed", 0),
        open=s.get("open_disputes", 0),
    )


def _stored_figures(campaign: ReviewCampaign) -> PeopleFigures:
    s = campaign.summary
    return PeopleFigures(
        people=s.get("people", 0),
        reached=s.get("reached", 0),
        agreed=s.get("people_agreed", 0),
        disputed=s.get("people_disputed", 0),
        no_account=s.get("no_account", 0),
    )


def _people_as_of(campaign: ReviewCampaign, people: list[Stakeholder], as_of: datetime) -> dict[int, PersonProgress]:
    """These people's pairs as they stood at `as_of`, from the raw rows of these people only."""
    function_ids = {p.function_id for p in people}
    assignments = list(
        Assignment.objects.filter(product_id=campaign.product_id, function_id__in=function_ids).only(
            "id", "function_id", "changed_at", "created_at"
        )
    )
    reviews = review_facts(
        Review.objects.filter(
            organization_id=campaign.organization_id,
            assignment_id__in=[a.pk for a in assignments],
            stakeholder_id__in=[p.pk for p in people],
            created_at__lte=as_of,
        )
    )
    by_function: dict[int, list[int]] = defaultdict(list)
    for person in people:
        by_function[person.function_id].append(person.pk)
    pairs = evaluate_pairs(
        assignments=[AssignmentFact(a.pk, a.function_id, a.changed_at, a.created_at) for a in assignments],
        people=by_function,
        reviews=reviews,
        disruptions=disruption_times(function_ids, now=as_of),
        now=as_of,
    )
    by_person: dict[int, list[PairFact]] = defaultdict(list)
    for pair in pairs:
        by_person[pair.stakeholder_id].append(pair)
    reminded = _reminded(campaign, [p.pk for p in people])
    progress = {}
    for person in people:
        own = by_person[person.pk]
        since = max((p.cutoff for p in own if p.status == PairStatus.STALE), default=None)
        progress[person.pk] = PersonProgress(person, tally(own), since, reminded.get(person.pk))
    return progress


def _progress_of(
    campaign: ReviewCampaign, people: list[Stakeholder], *, as_of: datetime | None
) -> dict[int, PersonProgress]:
    unique = list({p.pk: p for p in people}.values())
    if not unique:
        return {}
    return _live_people(campaign, unique) if as_of is None else _people_as_of(campaign, unique, as_of)


def _reminded(campaign: ReviewCampaign, ids: list[int]) -> dict[int, datetime]:
    return dict(
        CampaignReminder.objects.filter(campaign=campaign, stakeholder_id__in=ids)
        .values("stakeholder_id")
        .annotate(last=Max("sent_at"))
        .values_list("stakeholder_id", "last")
    )


# --- the burn-up -----------------------------------------------------------------------------------


def burnup_values(progress: CampaignProgress, *, as_of: datetime) -> dict[str, Any]:
    """What a closing campaign stores to draw its burn-up later: its first day and the number of
    pairs current at the end of each day to `as_of`, from the reviews (the one rule)."""
    tz = timezone.get_current_timezone()
    days = campaign_days(progress.campaign, now=as_of, tz=tz)
    values = reviewed_over_time(progress, days, tz)
    return {"start": days[0].isoformat(), "values": values}


def _burnup(campaign: ReviewCampaign, functions: Any, totals: Tally, *, now: datetime) -> BurnUp:
    tz = timezone.get_current_timezone()
    days = campaign_days(campaign, now=now, tz=tz)
    stored = campaign.summary.get("burnup") if campaign.status == ReviewCampaign.Status.CLOSED else None
    if stored and stored.get("start") == days[0].isoformat() and len(stored.get("values", [])) == len(days):
        values = list(stored["values"])
    elif campaign.status == ReviewCampaign.Status.CLOSED:
        # Closed before the burn-up was stored: computed once more from the reviews.
        values = reviewed_over_time(campaign_progress(campaign, now=now), days, tz)
    else:
        values = _live_values(campaign, functions, days, tz)
    return burnup_chart(
        start=days[0],
        deadline=max(timezone.localtime(campaign.deadline, tz).date(), days[0]),
        today=timezone.localtime(now, tz).date(),
        values=values,
        total=totals.pairs,
    )


def _live_values(campaign: ReviewCampaign, functions: Any, days: list[date], tz: Any) -> list[int]:
    """Pairs current now, counted by the day of their review, summed to the end of each day."""
    by_day = dict(
        _pairs(campaign, functions)
        .filter(state=PairStatus.CURRENT)
        .annotate(day=TruncDate("reviewed_at", tzinfo=tz))
        .order_by()
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    values, running = [], sum(n for day, n in by_day.items() if day < days[0])
    for day in days:
        running += by_day.get(day, 0)
        values.append(running)
    return values
