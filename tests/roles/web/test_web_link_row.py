"""`{% web_link_row %}`: a partnership's row of the web's table, for an editor and for a reader."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from roles.selectors.web import Link, Trend

from .conftest import checkin_url, edit_url, link, make

HOSTILE = '<script>alert("x")</script> Ops'


def row(partnership, first, second, *, can_edit: bool, org, **facts) -> str:
    shown = Link(
        partnership=partnership,
        first=first,
        second=second,
        trend=facts.pop("trend", Trend(points=())),
        reasons=facts.pop("reasons", []),
        days_since_check=facts.pop("days", None),
    )
    template = Template("{% load web_rows %}{% web_link_row link %}")
    return template.render(Context({"link": shown, "ctx": SimpleNamespace(can_edit=can_edit), "org": org}))


@pytest.fixture
def hostile(org):
    return make(org, HOSTILE)


def test_an_editor_gets_the_links_facts_and_both_actions(org, engineering, hostile):
    p = link(org, engineering, hostile, trust=2, checked_days_ago=None, feedback_carried="<b>Loud</b> customers")
    trend = Trend(points=((date(2026, 1, 1), 4), (date(2026, 2, 1), 2)))
    html = row(p, engineering, hostile, can_edit=True, org=org, trend=trend, reasons=["never checked"])
    assert f'<tr id="link-{p.pk}" data-link="{p.pk}" class="is-due">' in html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Ops</a>" in html
    assert 'value="2" aria-label="Trust 2 out of 5">2/5</meter>' in html
    assert 'class="trend-spark trend-down"' in html and 'aria-label="Trust over time: 4 → 2"' in html
    assert '<span class="muted">Never</span>' in html
    assert '<div class="feedback">&lt;b&gt;Loud&lt;/b&gt; customers</div>' in html
    assert '<span class="badge badge-danger">Weak trust</span>' in html
    assert '<span class="badge badge-warn" title="A trust check is due">Never checked</span>' in html
    assert f'<a class="btn btn-small btn-primary" href="{checkin_url(p)}">Check in' in html
    assert f'<a class="btn btn-small" href="{edit_url(p)}">Edit' in html


def test_a_reader_sees_no_action_and_a_healthy_link_says_ok(org, engineering, sales):
    p = link(org, engineering, sales, trust=4, checked_days_ago=1, shared_goal="Win deals")
    html = row(p, engineering, sales, can_edit=False, org=org, days=1)
    assert 'class="">' in html and "btn" not in html
    checked = p.last_checked_on
    assert f'<time datetime="{checked:%Y-%m-%d}">{checked.day} {checked:%b %Y}</time>' in html
    assert '<div class="muted small">yesterday</div>' in html
    assert '<div class="muted small goal">Goal: Win deals</div>' in html
    assert '<span class="badge badge-ok">OK</span>' in html and "trend-spark" not in html


@pytest.mark.parametrize(("days", "words"), [(0, "today"), (12, "12 days ago")])
def test_the_last_check_is_told_in_days(org, engineering, sales, days, words):
    p = link(org, engineering, sales, checked_days_ago=days)
    assert f'<div class="muted small">{words}</div>' in row(p, engineering, sales, can_edit=False, org=org, days=days)


def test_a_link_with_neither_feedback_nor_goal_shows_a_dash(org, engineering, sales):
    p = link(org, engineering, sales)
    assert '<td class="description"><span class="muted">—</span></td>' in row(
        p, engineering, sales, can_edit=False, org=org, days=10
    )
