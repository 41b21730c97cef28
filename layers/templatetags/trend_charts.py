"""`{% trend_points line %}`: the points of one line of a trend chart (`shared.charts.TrendLine`),
each a circle with its reading as a tooltip. The dashboard's chart draws ten products of 30
snapshots (300 points); the template's loop over them was most of the chart's cost. Numbers are
written unlocalized, as the chart's `{% localize off %}` writes them."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from shared.charts import TrendLine
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
