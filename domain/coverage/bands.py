"""Score bands (DESIGN §4): a coverage score of 75 or more is good, 50 or more fair, below that poor.

The one home of the thresholds: the report list's and dashboard's badges (the `score_band`
filter) and the report's dial colour all read them from here.
"""

from __future__ import annotations

GOOD_FROM = 75
FAIR_FROM = 50
GOOD, FAIR, POOR = "good", "fair", "poor"


def score_band(score: int) -> str:
    """ "good", "fair" or "poor": the band a score of 0 to 100 falls in."""
    if score >= GOOD_FROM:
        return GOOD
    return FAIR if score >= FAIR_FROM else POOR
