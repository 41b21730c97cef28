"""A table row's trust trend (`roles.selectors.web.with_trends`) reads a link's last `TREND_POINTS`
check-ins only, and draws what the whole history draws: its sparkline, its summary and its last
move. One query for a page, whatever each link's history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.models import PartnershipCheckIn
from roles.selectors import web as selectors
from roles.selectors.web import TREND_POINTS, Trend, with_trends
from roles.services import partnerships as services
from tests.factories import FunctionFactory

pytestmark = pytest.mark.django_db

START = date(2024, 1, 1)


def _link(org, history: list[tuple[int, int]]):
    """A link with check-ins (days after START, trust), recorded in the order given."""
    a, b = FunctionFactory(organization=org), FunctionFactory(organization=org)
    p = services.partnership_create(
        organization=org, function_a=a, function_b=b, trust=3, cadence="weekly", shared_goal="", feedback_carried=""
    )
    PartnershipCheckIn.objects.filter(partnership=p).update(checked_on=START - timedelta(days=1))
    for days, trust in history:
        PartnershipCheckIn.objects.create(
            organization=org, partnership=p, trust=trust, checked_on=START + timedelta(days=days)
        )
    return p


def _whole(p) -> Trend:
    """The trend of every check-in `p` ever had, oldest first (by day, then as recorded)."""
    readings = sorted(p.check_ins.all(), key=lambda c: (c.checked_on, c.pk))
    return Trend(points=tuple((c.checked_on, c.trust) for c in readings))


def _drawn(trend):
    return (trend.sparkline, trend.summary, trend.direction)


def test_each_row_draws_what_its_whole_history_draws(org):
    links = [
        _link(org, []),  # the first reading only
        _link(org, [(3, 5)]),
        _link(org, [(7 * i, 1 + i % 5) for i in range(TREND_POINTS - 1)]),  # exactly TREND_POINTS in all
        _link(org, [(7 * i, 1 + (i * 3) % 5) for i in range(60)]),  # a weekly reading for over a year
        _link(org, [(40, 2), (40, 5), (40, 1), (10, 4), (200, 3), (200, 2)]),  # same days: recorded order decides
        _link(org, [(500 - 7 * i, 1 + i % 5) for i in range(20)]),  # recorded newest first
    ]
    rows = selectors.web_links(org, now=timezone.now(), disrupted_on={})
    rows = [row for row in rows if row.partnership.pk in {p.pk for p in links}]

    drawn = with_trends(org, rows)

    assert len(drawn) == len(links)
    for row in drawn:
        whole = _whole(row.partnership)
        assert _drawn(row.trend) == _drawn(whole)
        assert row.trend.points == whole.points[-TREND_POINTS:]


def test_a_page_reads_its_trends_in_one_query_whatever_the_history(org):
    short = [_link(org, [(1, 4)]) for _ in range(3)]
    rows = list(selectors.web_links(org, now=timezone.now(), disrupted_on={}))
    with CaptureQueriesContext(connection) as before:
        with_trends(org, rows)
    for p in short:
        for i in range(30):
            day = START + timedelta(days=i)
            PartnershipCheckIn.objects.create(organization=org, partnership=p, trust=2, checked_on=day)
    with CaptureQueriesContext(connection) as after:
        again = with_trends(org, rows)
    assert len(before.captured_queries) == len(after.captured_queries) == 1
    assert all(len(row.trend.points) == TREND_POINTS for row in again)


def test_no_row_reads_nothing(org):
    with CaptureQueriesContext(connection) as queries:
        assert with_trends(org, []) == []
    assert not queries.captured_queries
