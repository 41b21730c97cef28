"""`{% trend_points %}`: a trend line's readings, the last one filled and larger."""

from __future__ import annotations

from django.template import Context, Template

from shared.charts import Point, TrendLine


def test_each_reading_is_a_circle_with_its_tooltip_and_the_last_stands_out():
    line = TrendLine("Insights <beta>", "#1570ef", (Point(10.0, 40.5, 61, "1 Dec"), Point(20.0, 30.0, 67, "2 Dec")))
    html = Template("{% load trend_charts %}{% trend_points line %}").render(Context({"line": line}))
    assert html == (
        '<circle cx="10.0" cy="40.5" r="2.4" fill="#ffffff" stroke="#1570ef" stroke-width="1.6">'
        "<title>Insights &lt;beta&gt;: 61 on 1 Dec</title></circle>"
        '<circle cx="20.0" cy="30.0" r="4" fill="#1570ef" stroke="#1570ef" stroke-width="1.6">'
        "<title>Insights &lt;beta&gt;: 67 on 2 Dec</title></circle>"
    )
