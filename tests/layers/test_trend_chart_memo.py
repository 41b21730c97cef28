"""A trend chart is laid out and drawn once per different chart (`shared.charts.trend_chart`,
`{% trend_svg %}`): what a page shows is what the chart's arguments give, memo or not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone, translation

from shared import charts
from shared.charts import trend_chart

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # 1 December in Tokyo


def _series(shift: int = 0) -> list[tuple[str, list[tuple[datetime, int]]]]:
    return [
        ("Insights", [(START + timedelta(days=i), 50 + i + shift) for i in range(5)]),
        ("Ledger <beta>", [(START + timedelta(days=i, hours=3), 70 - i) for i in range(4)]),
    ]


def test_a_chart_in_a_zone_is_the_chart_of_its_moments_taken_to_that_zone():
    markers = [(START + timedelta(days=2), "Reorg")]
    in_zone = trend_chart(_series(), markers=markers, zone=TOKYO)
    by_hand = trend_chart(
        [(name, [(m.astimezone(TOKYO), s) for m, s in values]) for name, values in _series()],
        markers=[(m.astimezone(TOKYO), label) for m, label in markers],
    )
    assert in_zone == by_hand
    assert in_zone.lines[0].points[0].label == "01 Dec"  # Tokyo's day, not UTC's 30 Nov
    assert trend_chart(_series(), markers=markers).lines[0].points[0].label == "30 Nov"


def test_the_same_arguments_give_the_same_chart_and_any_change_another():
    first = trend_chart(_series(), zone=TOKYO)
    assert trend_chart(_series(), zone=TOKYO) is first  # laid out once
    assert trend_chart(_series(shift=1), zone=TOKYO) != first  # a new score
    assert trend_chart(_series(), zone=UTC) != first  # another zone's days
    assert trend_chart(_series(), zone=TOKYO, width=500) != first


def test_a_sparkline_is_the_same_for_the_same_scores():
    assert charts.sparkline([40, 55, 52]) is charts.sparkline((40, 55, 52))
    assert charts.sparkline([40, 55, 52]).points[-1].value == 52
    assert charts.sparkline([40, 55]) != charts.sparkline([40, 56])


def test_trend_svg_draws_what_the_partial_draws():
    chart = trend_chart(_series(), markers=[(START + timedelta(days=1), "Q4 <push>")], zone=TOKYO)
    context = Context({"chart": chart, "title": "Score trend of Ledger <beta>"})
    included = Template(
        '{% include "layers/_partials/report_trend.html" with chart=chart chart_id="t" chart_title=title %}'
    ).render(context)
    tagged = Template('{% load trend_charts %}{% trend_svg chart "t" title %}').render(context)
    assert tagged == included
    assert "Score trend of Ledger &lt;beta&gt;" in tagged and "Q4 &lt;push&gt;" in tagged
    untitled = Template('{% load trend_charts %}{% trend_svg chart "t" %}').render(context)
    assert '<title id="t-title">Score trend: Insights 54: Ledger &lt;beta&gt; 67</title>' in untitled


def test_trend_svg_draws_a_changed_chart_anew():
    template = Template('{% load trend_charts %}{% trend_svg chart "t" %}')
    before = template.render(Context({"chart": trend_chart(_series(), zone=TOKYO)}))
    after = template.render(Context({"chart": trend_chart(_series(shift=3), zone=TOKYO)}))
    assert before != after and "Insights 57" in after


def test_trend_svg_is_drawn_per_language():
    chart = trend_chart(_series(), zone=TOKYO)
    template = Template('{% load trend_charts %}{% trend_svg chart "t" %}')
    with translation.override("en"):
        english = template.render(Context({"chart": chart}))
    with translation.override("de"):
        german = template.render(Context({"chart": chart}))
    assert english == german  # the partial has no words of its own to translate, but is drawn in each
    with timezone.override(TOKYO):
        assert template.render(Context({"chart": chart})) == english  # the chart's own zone decides
