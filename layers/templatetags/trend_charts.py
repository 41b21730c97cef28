"""`{% trend_svg chart chart_id title %}`: a trend chart (`shared.charts.TrendChart`) drawn as the
partial `layers/_partials/report_trend.html` draws it, once per chart: a chart is a value (the
same chart draws the same SVG), so the drawing is kept in a bounded memo and a page whose chart
has not changed since it was last drawn (no report built, no disruption logged) writes it again
without the partial's loops — 38 KB of SVG, 250 points, on a dashboard of ten products.

`{% trend_points line %}`: the points of one line of a trend chart (`shared.charts.TrendLine`),
each a circle with its reading as a tooltip. The dashboard's chart draws ten products of 30
snapshots (300 points); the template's loop over them was most of the chart's cost. Numbers are
written unlocalized, as the chart's `{% localize off %}` writes them."""

from __future__ import annotations

import functools

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from shared.charts import TrendChart, TrendLine
from shared.markup import esc

register = template.Library()


@register.simple_tag
def trend_points(line: TrendLine) -> SafeString:
    name, colour = esc(line.name), esc(line.colour)
    last = len(line.points) - 1
    return mark_safe(  # noqa: S308 (every value in it is escaped or a number)
        "".join(
            f'<circle cx="{p.x}" cy="{p.y}" r="{"4" if i == last else "2.4"}" '
            f'fill="{colour if i == last else "#ffffff"}" stroke="{colour}" stroke-width="1.6">'
            f"<title>{name}: {esc(p.value)} on {esc(p.label)}</title></circle>"
            for i, p in enumerate(line.points)
        )
    )


@register.simple_tag
def trend_svg(chart: TrendChart, chart_id: str, title: str = "") -> SafeString:
    return _drawn(chart, chart_id, title, get_language())


@functools.lru_cache(maxsize=64)
def _drawn(chart: TrendChart, chart_id: str, title: str, language: str | None) -> SafeString:
    """The partial's drawing of `chart` (`language` is part of the key: the partial is drawn in it)."""
    context = {"chart": chart, "chart_id": chart_id, "chart_title": title}
    return mark_safe(render_to_string("layers/_partials/report_trend.html", context))  # noqa: S308 (a template's own output)
