"""Score bands (domain.coverage.bands): the thresholds every badge and the dial read."""

from __future__ import annotations

import pytest

from domain.coverage.bands import FAIR, GOOD, POOR, score_band


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, GOOD), (75, GOOD), (74, FAIR), (50, FAIR), (49, POOR), (0, POOR)],
)
def test_a_score_falls_in_one_band(score, band):
    assert score_band(score) == band
