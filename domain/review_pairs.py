"""The review pair engine (DESIGN §5), pure: the state of every (assignment, stakeholder) pair
from plain facts, and their tallies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from .review_state import (
    AGREE,
    DISAGREE,
    PairStatus,
    ReviewFact,
    is_open,
    last_disruption,
    latest_review,
    pair_status,
    staleness_cutoff,
)

PairKey = tuple[int, int]  # (assignment id, stakeholder id)


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
