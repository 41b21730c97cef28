"""The state of one review pair (DESIGN §2, "Review"), as a pure function: no database.

A review pair is (assignment, stakeholder of that assignment's function). Its state is:

- ``pending``: the stakeholder has not reviewed the assignment;
- ``current``: their latest review is strictly newer than the assignment's last change
  (``changed_at``) and than every disruption touching the function;
- ``stale``: there is a review, but the assignment changed or a disruption happened at or
  after it, so it "needs re-confirming".

Rules decided here, and why:

- **Ties count as stale.** DESIGN says a current review is *newer than* the change; when two
  timestamps are equal we cannot tell which came first, and asking again is cheaper than
  counting a confirmation of something the stakeholder may not have seen.
- **The latest review is the one with the greatest** ``(created_at, id)``: the id breaks a tie
  between two reviews saved in the same instant (the later insert wins), so the answer does
  not depend on the order the rows arrive in.
- **A disruption counts once it has taken effect** (``Disruption.applied_at``): logging a past
  one applies it at once; one dated in the future is applied on its date by the beat task
  ``roles.apply_due_disruptions``. Callers pass only applied disruptions, so no page asks
  "is it past yet"; ``now`` remains as a guard for callers holding raw dates.
- **The pairs** are (assignment, stakeholder of that assignment's function), nothing else: a
  review by someone who has since left the function no longer counts (``pair_keys``).
- **Openness is independent of currency.** "A disagreement stays open until a leader resolves
  it": a stale disagreement is still open, because a change or a disruption is not a
  resolution. A leader resolves it by changing the assignment or keeping it with a note; the
  service that does either stamps ``resolved_at`` (and ``resolution``) on the review. Only the
  stakeholder's *latest* review can be open: a newer review of theirs replaces their earlier
  verdict, so a dispute they have withdrawn by agreeing needs nobody to resolve it.

All datetimes passed in must be comparable (all timezone-aware, as Django stores them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Protocol, TypeVar

AGREE = "agree"
DISAGREE = "disagree"
VERDICTS = frozenset({AGREE, DISAGREE})

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class PairStatus(StrEnum):
    PENDING = "pending"
    CURRENT = "current"
    STALE = "stale"


class ReviewLike(Protocol):
    """What this module reads from a review: a ``layers.models.Review`` fits, so does ``ReviewFact``."""

    @property
    def verdict(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def resolved_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """A review as plain data, for callers that do not hold model instances."""

    verdict: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolution: str = ""  # "changed" | "kept" | "" (Review.Resolution)
    id: int = 0


@dataclass(frozen=True, slots=True)
class PairState:
    state: PairStatus
    verdict: str | None  # the latest review's verdict; None when pending
    is_open: bool  # the latest review is an unresolved disagreement (even when stale)
    reason: str  # one human sentence explaining the state
    reviewed_at: datetime | None = None  # when the latest review was made
    stale_since: datetime | None = None  # the change or disruption that made it stale

    @property
    def needs_review(self) -> bool:
        return self.state != PairStatus.CURRENT

    @property
    def agrees(self) -> bool:
        return self.verdict == AGREE

    @property
    def disagrees(self) -> bool:
        return self.verdict == DISAGREE


# --- the shared core (coverage.py calls these in its hot loop, so they stay tiny) ---------------


R = TypeVar("R", bound=ReviewLike)


def latest_review(reviews: Iterable[R]) -> R | None:
    """The stakeholder's latest review: greatest (created_at, id); see the module docstring."""
    return max(reviews, key=_review_order, default=None)


def _review_order(review: ReviewLike) -> tuple[datetime, int]:
    return review.created_at, getattr(review, "id", 0) or 0


def last_disruption(disruptions: Iterable[datetime], now: datetime | None = None) -> datetime | None:
    """The most recent disruption that has happened by ``now`` (all of them when ``now`` is None)."""
    return max((d for d in disruptions if now is None or d <= now), default=None)


def staleness_cutoff(changed_at: datetime, disruption: datetime | None) -> datetime:
    """A review must be strictly newer than this instant to be current."""
    return changed_at if disruption is None or disruption < changed_at else disruption


def is_current(reviewed_at: datetime, cutoff: datetime) -> bool:
    # Strictly newer: a tie is stale (module docstring).
    return reviewed_at > cutoff


def pair_status(latest: ReviewLike | None, cutoff: datetime) -> PairStatus:
    """Pending without a review, current when the latest is strictly newer than ``cutoff``, else stale."""
    if latest is None:
        return PairStatus.PENDING
    return PairStatus.CURRENT if is_current(latest.created_at, cutoff) else PairStatus.STALE


def pair_keys(assignments: Iterable[tuple[int, int]], people: Iterable[tuple[int, int]]) -> Iterable[tuple[int, int]]:
    """The review pairs: (assignment id, stakeholder id) for each assignment (id, function id)
    and each person (id, function id) of that function."""
    by_function: dict[int, list[int]] = {}
    for person, function_id in people:
        by_function.setdefault(function_id, []).append(person)
    for assignment, function_id in assignments:
        for person in by_function.get(function_id, ()):
            yield assignment, person


def is_open(review: ReviewLike) -> bool:
    return review.verdict == DISAGREE and review.resolved_at is None


def check_verdict(verdict: str) -> str:
    if verdict not in VERDICTS:
        raise ValueError(f"Unknown review verdict {verdict!r}: expected 'agree' or 'disagree'.")
    return verdict


# --- the pair's state, with its sentence --------------------------------------------------------


def pair_state(
    *,
    reviews: Iterable[ReviewLike],
    changed_at: datetime,
    disruptions: Iterable[datetime] = (),
    now: datetime | None = None,
    who: str = "You",
    tz: tzinfo | None = None,
) -> PairState:
    """The state of one (assignment, stakeholder) pair.

    ``reviews`` are this stakeholder's reviews of this assignment (any order); ``disruptions``
    the dates of the disruptions touching the assignment's function. ``who`` starts the
    sentence ("You agreed …" on the stakeholder's own page, "Casey Success agreed …" in a
    leader's inbox); ``tz`` is the zone the dates in it are written in (as given when None).
    """
    latest = latest_review(reviews)
    cutoff = staleness_cutoff(changed_at, last_disruption(disruptions, now))
    return stated_pair(latest, cutoff=cutoff, changed_at=changed_at, who=who, tz=tz)


def stated_pair(
    latest: ReviewLike | None, *, cutoff: datetime, changed_at: datetime, who: str = "You", tz: tzinfo | None = None
) -> PairState:
    """The state of a pair whose latest review and cutoff are known (the read model's `ReviewPair`
    stores both): what `pair_state` says once it has found them. The cutoff is the assignment's
    change unless a later disruption moved it, so `cutoff == changed_at` names the change."""
    if latest is None:
        return PairState(state=PairStatus.PENDING, verdict=None, is_open=False, reason="Not reviewed yet.")
    verdict = check_verdict(latest.verdict)
    current = is_current(latest.created_at, cutoff)
    open_ = is_open(latest)
    said = f"{who} {'agreed' if verdict == AGREE else 'disagreed'} on {format_day(latest.created_at, tz)}"
    if current:
        return PairState(
            state=PairStatus.CURRENT,
            verdict=verdict,
            is_open=open_,
            reason=said + _current_tail(latest, open_, tz),
            reviewed_at=latest.created_at,
        )
    # Name the latest event that outdated the review; on a tie, the assignment's own change.
    by_change = cutoff == changed_at
    since = cutoff
    what = "the assignment changed" if by_change else "a disruption touched the function"
    reason = f"{said}; {what} on {format_day(since, tz)}, so it needs re-confirming."
    if open_:
        reason += " The dispute stays open until a leader resolves it."
    return PairState(
        state=PairStatus.STALE,
        verdict=verdict,
        is_open=open_,
        reason=reason,
        reviewed_at=latest.created_at,
        stale_since=since,
    )


def _current_tail(review: ReviewLike, open_: bool, tz: tzinfo | None) -> str:
    if review.verdict == AGREE:
        return "."
    if open_:
        return "; the dispute is open until a leader resolves it."
    resolution = getattr(review, "resolution", "")
    resolved_at = review.resolved_at
    assert resolved_at is not None  # a disagreement that is not open has been resolved
    how = {"kept": "kept the assignment", "changed": "changed the assignment"}.get(resolution, "resolved it")
    return f"; a leader {how} on {format_day(resolved_at, tz)}."


def format_day(value: date | datetime, tz: tzinfo | None = None) -> str:
    """A day as '3 Nov 2025', locale-independent, so sentences read the same on every server."""
    if isinstance(value, datetime) and tz is not None and value.tzinfo is not None:
        value = value.astimezone(tz)
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
