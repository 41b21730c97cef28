"""Filters of the report pages: `{{ ratio|pct }}` → 63 (a stored 0.625, rounded half up like the score),
`{{ score|score_band }}` → good, fair or poor."""

from __future__ import annotations

from typing import Any

from django import template

from domain.coverage import bands
from layers.reporting import as_percent

register = template.Library()
MINUS = "\u2212"


@register.filter
def contributors_beyond(row: Any, shown: int) -> int:
    """How many contributors a layer row has beyond its first `shown`: a live row counts the ones it
    does not name (`LayerCoverage.contributors_more`), a snapshot's row names them all."""
    names = row.get("contributors", []) if isinstance(row, dict) else row.contributors
    more = row.get("contributors_more", 0) if isinstance(row, dict) else row.contributors_more
    return max(len(names) + more - int(shown), 0)


@register.filter
def pct(ratio: float | None) -> int | str:
    if ratio is None:
        return ""
    return as_percent(float(ratio))


@register.filter
def score_band(score: int) -> str:
    return bands.score_band(score)


@register.filter
def signed(value: int | None) -> str:
    """+3, -2 (with a true minus sign, U+2212) or ±0: deltas read as changes."""
    if value is None:
        return ""
    if value > 0:
        return f"+{value}"
    return f"{MINUS}{abs(value)}" if value < 0 else "±0"
