"""The latest disruption per function and per partnership (domain.review_state, domain.partnerships)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.partnerships import partnership_disruption_day
from domain.review_state import last_disruption, latest_disruptions


def at(day: int) -> datetime:
    return datetime(2025, 11, day, 9, tzinfo=UTC)


def test_the_latest_disruption_per_function_ignores_what_has_not_happened_yet():
    moments = [(1, at(3)), (1, at(9)), (2, at(5)), (1, at(25)), (3, at(30))]
    assert latest_disruptions(moments, now=at(20)) == {1: at(9), 2: at(5)}
    assert latest_disruptions(moments) == {1: at(25), 2: at(5), 3: at(30)}


def test_it_agrees_with_the_rule_for_one_function():
    moments = [(1, at(3)), (1, at(9)), (1, at(25))]
    assert latest_disruptions(moments, now=at(20))[1] == last_disruption([m for _, m in moments], now=at(20))


def test_a_partnership_takes_the_later_day_of_its_two_functions():
    days = {1: date(2025, 11, 3), 2: date(2025, 11, 9)}
    assert partnership_disruption_day((1, 2), days) == date(2025, 11, 9)
    assert partnership_disruption_day((1, 7), days) == date(2025, 11, 3)
    assert partnership_disruption_day((7, None), days) is None
