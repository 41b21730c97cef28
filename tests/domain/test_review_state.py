"""The state of one review pair (DESIGN §2): pending, current or stale, and open disputes."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.review_state import PairStatus, ReviewFact, format_day, latest_review, pair_state
from layers.models import Review


def nov(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2025, 11, day, hour, minute, tzinfo=UTC)


def agree(day: int, **kw) -> ReviewFact:
    return ReviewFact(verdict="agree", created_at=nov(day), **kw)


def disagree(day: int, **kw) -> ReviewFact:
    return ReviewFact(verdict="disagree", created_at=nov(day), **kw)


# --- pending / current / stale ------------------------------------------------------------------


def test_a_pair_without_a_review_is_pending():
    state = pair_state(reviews=[], changed_at=nov(1))

    assert state.state == PairStatus.PENDING == "pending"
    assert state.verdict is None
    assert not state.is_open
    assert state.needs_review
    assert state.reason == "Not reviewed yet."
    assert state.reviewed_at is None and state.stale_since is None


def test_a_review_newer_than_the_last_change_is_current():
    state = pair_state(reviews=[agree(3)], changed_at=nov(1))

    assert state.state == "current"
    assert state.agrees and not state.disagrees
    assert not state.needs_review
    assert state.reason == "You agreed on 3 Nov 2025."
    assert state.reviewed_at == nov(3)


def test_it_is_stale_after_the_assignment_changes():
    state = pair_state(reviews=[agree(3)], changed_at=nov(5))

    assert state.state == "stale"
    assert state.needs_review
    assert state.stale_since == nov(5)
    assert state.reason == "You agreed on 3 Nov 2025; the assignment changed on 5 Nov 2025, so it needs re-confirming."


def test_it_is_stale_after_a_disruption_touching_the_function():
    state = pair_state(reviews=[agree(3)], changed_at=nov(1), disruptions=[nov(2), nov(5)])

    assert state.state == "stale"
    assert state.stale_since == nov(5)
    assert state.reason == (
        "You agreed on 3 Nov 2025; a disruption touched the function on 5 Nov 2025, so it needs re-confirming."
    )


def test_disruptions_before_the_review_leave_it_current():
    assert pair_state(reviews=[agree(3)], changed_at=nov(1), disruptions=[nov(2)]).state == "current"


def test_the_reason_names_the_latest_of_a_change_and_a_disruption():
    after_both = pair_state(reviews=[agree(3)], changed_at=nov(6), disruptions=[nov(5)])
    assert after_both.stale_since == nov(6)
    assert "the assignment changed on 6 Nov 2025" in after_both.reason

    disruption_last = pair_state(reviews=[agree(3)], changed_at=nov(5), disruptions=[nov(7)])
    assert disruption_last.stale_since == nov(7)
    assert "a disruption touched the function on 7 Nov 2025" in disruption_last.reason


def test_a_re_review_after_the_change_makes_it_current_again():
    reviews = [agree(3), agree(6)]

    state = pair_state(reviews=reviews, changed_at=nov(5), disruptions=[nov(4)])

    assert state.state == "current"
    assert state.reviewed_at == nov(6)
    assert state.reason == "You agreed on 6 Nov 2025."


def test_only_the_latest_review_counts_whatever_the_order_given():
    reviews = [disagree(3, id=1), agree(6, id=2), agree(4, id=3)]
    random.Random(7).shuffle(reviews)

    state = pair_state(reviews=reviews, changed_at=nov(5))

    assert state.state == "current"
    assert state.reviewed_at == nov(6)
    assert not state.is_open  # the newer agreement replaces the dispute


# --- tie rules ----------------------------------------------------------------------------------


def test_a_review_made_in_the_same_instant_as_the_change_is_stale():
    # DESIGN: current = *newer than* the last change; a tie cannot say which came first.
    assert pair_state(reviews=[agree(5)], changed_at=nov(5)).state == "stale"
    one_microsecond_later = ReviewFact(verdict="agree", created_at=nov(5) + timedelta(microseconds=1))
    assert pair_state(reviews=[one_microsecond_later], changed_at=nov(5)).state == "current"


def test_a_review_made_in_the_same_instant_as_a_disruption_is_stale():
    assert pair_state(reviews=[agree(5)], changed_at=nov(1), disruptions=[nov(5)]).state == "stale"
    later = ReviewFact(verdict="agree", created_at=nov(5) + timedelta(microseconds=1))
    assert pair_state(reviews=[later], changed_at=nov(1), disruptions=[nov(5)]).state == "current"


def test_a_tie_between_two_reviews_goes_to_the_higher_id():
    first = ReviewFact(verdict="disagree", created_at=nov(3), id=10)
    second = ReviewFact(verdict="agree", created_at=nov(3), id=11)

    assert latest_review([first, second]) is second
    assert latest_review([second, first]) is second
    assert pair_state(reviews=[second, first], changed_at=nov(1)).verdict == "agree"


def test_a_tie_between_the_change_and_a_disruption_is_reported_as_the_change():
    state = pair_state(reviews=[agree(3)], changed_at=nov(5), disruptions=[nov(5)])
    assert "the assignment changed on 5 Nov 2025" in state.reason


def test_a_disruption_after_now_does_not_count_yet():
    planned = [nov(25)]

    assert pair_state(reviews=[agree(3)], changed_at=nov(1), disruptions=planned, now=nov(20)).state == "current"
    assert pair_state(reviews=[agree(3)], changed_at=nov(1), disruptions=planned, now=nov(25)).state == "stale"
    assert pair_state(reviews=[agree(3)], changed_at=nov(1), disruptions=planned).state == "stale"  # no `now`


# --- disputes -----------------------------------------------------------------------------------


def test_a_current_disagreement_is_open():
    state = pair_state(reviews=[disagree(3)], changed_at=nov(1))

    assert state.state == "current"
    assert state.disagrees
    assert state.is_open
    assert state.reason == "You disagreed on 3 Nov 2025; the dispute is open until a leader resolves it."


def test_a_stale_disagreement_stays_open():
    # A disruption outdates the review but resolves nothing: only a leader does.
    state = pair_state(reviews=[disagree(3)], changed_at=nov(1), disruptions=[nov(5)])

    assert state.state == "stale"
    assert state.is_open
    assert state.reason == (
        "You disagreed on 3 Nov 2025; a disruption touched the function on 5 Nov 2025, so it needs re-confirming."
        " The dispute stays open until a leader resolves it."
    )


def test_a_dispute_kept_with_a_note_is_resolved_and_still_current():
    review = disagree(3, resolved_at=nov(4), resolution="kept")

    state = pair_state(reviews=[review], changed_at=nov(1))

    assert state.state == "current"
    assert state.verdict == "disagree"
    assert not state.is_open
    assert state.reason == "You disagreed on 3 Nov 2025; a leader kept the assignment on 4 Nov 2025."


def test_a_dispute_resolved_by_changing_the_assignment_is_closed_and_stale():
    # The leader's change stamps both the review's resolution and the assignment's changed_at.
    review = disagree(3, resolved_at=nov(4), resolution="changed")

    state = pair_state(reviews=[review], changed_at=nov(4))

    assert state.state == "stale"
    assert not state.is_open
    assert state.reason == (
        "You disagreed on 3 Nov 2025; the assignment changed on 4 Nov 2025, so it needs re-confirming."
    )


def test_a_resolution_without_a_known_kind_still_reads_well():
    state = pair_state(reviews=[disagree(3, resolved_at=nov(4))], changed_at=nov(1))
    assert state.reason == "You disagreed on 3 Nov 2025; a leader resolved it on 4 Nov 2025."


# --- the sentence and the inputs ----------------------------------------------------------------


def test_the_sentence_can_name_someone_else():
    state = pair_state(reviews=[agree(3)], changed_at=nov(5), who="Casey Success")
    assert state.reason.startswith("Casey Success agreed on 3 Nov 2025; the assignment changed")


def test_dates_are_written_in_the_zone_asked_for():
    late = ReviewFact(verdict="agree", created_at=nov(3, hour=23, minute=30))
    paris_winter = timezone(timedelta(hours=1))

    assert pair_state(reviews=[late], changed_at=nov(1)).reason == "You agreed on 3 Nov 2025."
    assert pair_state(reviews=[late], changed_at=nov(1), tz=paris_winter).reason == "You agreed on 4 Nov 2025."


def test_format_day_is_locale_independent():
    assert format_day(datetime(2026, 1, 9, tzinfo=UTC)) == "9 Jan 2026"
    assert format_day(nov(30).date()) == "30 Nov 2025"


def test_it_reads_unsaved_review_model_instances():
    # Views can pass Review rows straight in: the function reads only attributes.
    reviews = [
        Review(verdict=Review.Verdict.DISAGREE, comment="Sales sets expectations", created_at=nov(3)),
        Review(verdict=Review.Verdict.AGREE, created_at=nov(6)),
    ]

    state = pair_state(reviews=reviews, changed_at=nov(5))

    assert state.state == "current"
    assert state.verdict == "agree"


def test_it_rejects_an_unknown_verdict():
    with pytest.raises(ValueError, match="Unknown review verdict 'maybe'"):
        pair_state(reviews=[ReviewFact(verdict="maybe", created_at=nov(3))], changed_at=nov(1))


def test_the_state_is_immutable():
    state = pair_state(reviews=[agree(3)], changed_at=nov(1))
    with pytest.raises(AttributeError):
        state.state = PairStatus.STALE  # type: ignore[misc]
