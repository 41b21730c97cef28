"""The partnership web's picture and timeline: every function and link drawn, filters, query counts,
and a large web clustered and cached (issue 13)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.models import Disruption, Function, Partnership, PartnershipCheckIn
from tests.roles.web.conftest import (
    DISRUPTIONS,
    NEW,
    WEB,
    link,
    make,
    reorgs,
)


def test_the_web_draws_every_function_and_link_and_lists_them(leader_client, org, engineering, sales):
    legal = make(org, "Legal", Function.Category.CROSS_FUNCTIONAL)
    ceo = make(org, "CEO", Function.Category.LEADERSHIP)
    make(org, "Channel Partners", Function.Category.PARTNER)
    strong = link(org, engineering, sales, trust=5, feedback_carried="What prospects find critical")
    weak = link(org, legal, sales, trust=1, checked_days_ago=120)
    flagged = link(org, ceo, engineering, trust=4, needs_trust_check=True)

    text = leader_client.get(WEB).text

    assert text.count('class="web-node ') == 5
    assert re.search(rf'id="edge-{strong.pk}" class="web-edge trust-5"', text)
    assert re.search(rf'id="edge-{weak.pk}" class="web-edge trust-1 is-due"', text)
    assert re.search(rf'id="edge-{flagged.pk}" class="web-edge trust-4 is-due"', text)
    assert len(re.findall(r'<g class="web-due[^"]*" transform=', text)) == 2  # on the lines (the legend has one too)
    assert text.count('<tr id="link-') == 3
    assert '<meter min="0" max="5" low="2.5" high="3.5" optimum="5" value="1"' in text
    assert "Unchecked for 120 days" in text and "Weak trust" in text and "Disrupted since the last check" in text
    assert "What prospects find critical" in text
    for caption in ("Building", "Customer-facing", "Cross-functional", "Leadership", "External partners"):
        assert f">{caption}</text>" in text


def test_filtering_to_one_function_shows_only_its_partners(leader_client, org, engineering, sales):
    legal = make(org, "Legal", Function.Category.CROSS_FUNCTIONAL)
    design = make(org, "UX & Design")
    mine = [link(org, sales, engineering), link(org, sales, legal)]
    other = link(org, engineering, design)

    text = leader_client.get(f"{WEB}?function={sales.pk}").text

    rows = re.findall(r'<tr id="link-(\d+)"', text)
    assert sorted(int(pk) for pk in rows) == sorted(p.pk for p in mine)
    assert f'id="edge-{other.pk}"' not in text
    assert re.search(rf'class="web-node cat-building is-dim"[^>]*data-id="{design.pk}"', text)
    assert re.search(rf'class="web-node cat-customer_facing is-focus"[^>]*data-id="{sales.pk}"', text)
    assert re.search(rf'class="web-node cat-building"[^>]*data-id="{engineering.pk}"', text)  # a partner: not dimmed
    assert "Showing the 2 partnerships of" in text


@pytest.mark.parametrize("value", ["999999", "abc", "foreign"])
def test_filtering_to_an_unknown_function_is_404(leader_client, other_org, partnership, value):
    if value == "foreign":
        value = str(make(other_org, "Globex Sales").pk)
    assert leader_client.get(f"{WEB}?function={value}").status_code == 404


def test_an_empty_organization_is_told_what_to_do(leader_client):
    text = leader_client.get(WEB).text
    assert "No functions to connect yet" in text


def test_a_web_without_links_invites_the_first_one(leader_client, engineering):
    text = leader_client.get(WEB).text
    assert "No partnerships yet" in text and NEW in text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_web_page_costs_the_same_queries_for_ten_or_a_hundred_and_fifty_links(leader_client, org):
    functions = [make(org, f"Function {i:02d}", Function.Category.values[i % 5]) for i in range(25)]
    pairs = [(a, b) for i, a in enumerate(functions) for b in functions[i + 1 :]]

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = leader_client.get(WEB)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for a, b in pairs[:10]:
        p = link(org, a, b, checked_days_ago=None if a.pk % 3 else 100)
        PartnershipCheckIn.objects.create(partnership=p, trust=3, checked_on=timezone.localdate())
    d = Disruption.objects.create(
        organization=org, kind="reorg", title="R", occurred_on=timezone.localdate(), effective_at=timezone.now()
    )
    d.functions.add(functions[0])
    few = count()
    for a, b in pairs[10:150]:
        p = link(org, a, b, trust=1 + a.pk % 5)
        PartnershipCheckIn.objects.create(partnership=p, trust=3, checked_on=timezone.localdate())
    assert Partnership.objects.count() == 150
    # The links' kept count (roles.rowcounts) got a row per insert above; the first read past 128
    # of them folds them into one (a write once in 128, as for every kept count): drawn once
    # first, so the page's own queries are what is compared.
    leader_client.get(WEB)
    many = count()
    assert many == few
    assert few <= 12


def test_a_small_web_draws_every_link_and_pages_its_table_attention_first(leader_client, org):
    from roles.views import web as views

    functions = [make(org, f"Function {i:02d}", Function.Category.values[i % 5]) for i in range(16)]
    pairs = [(a, b) for i, a in enumerate(functions) for b in functions[i + 1 :]][:120]
    today = timezone.localdate()
    made = []
    for n, (a, b) in enumerate(pairs):
        weak = n % 4 == 0  # 30 weak links, recently checked: they need attention for their trust alone
        p = link(org, a, b, trust=2 if weak else 4, checked_days_ago=1)
        PartnershipCheckIn.objects.create(partnership=p, trust=5, checked_on=today - timedelta(days=30))
        PartnershipCheckIn.objects.create(partnership=p, trust=p.trust, checked_on=today - timedelta(days=1))
        made.append(p)

    first = leader_client.get(WEB)
    text = first.text
    assert text.count('<path id="edge-') == 120  # the picture draws every link
    rows = [int(pk) for pk in re.findall(r'<tr id="link-(\d+)"', text)]
    assert len(rows) == views.LINKS_PER_PAGE and "Page 1 of 3" in text
    weak = {p.pk for p in made if p.trust == 2}
    assert set(rows[:30]) == weak and not weak & set(rows[30:])  # those needing attention first
    assert "30 partnerships · weak trust or a check due" in text and "90 partnerships · trust 3 or more" in text
    # Each row's trend is its own check-ins, read for the page's rows only.
    assert text.count('aria-label="Trust over time: 5 → 2"') == 30 and text.count("Trust over time: 5 → 4") == 20
    last = leader_client.get(WEB, {"page": 3})
    shown = [int(pk) for pk in re.findall(r'<tr id="link-(\d+)"', last.text)]
    seen = set(rows) | {int(pk) for pk in re.findall(r'<tr id="link-(\d+)"', leader_client.get(WEB, {"page": 2}).text)}
    assert len(shown) == 20 and seen | set(shown) == {p.pk for p in made} and "Page 3 of 3" in last.text
    # A focused function's 15 links fit on one page: no pager.
    focused = leader_client.get(WEB, {"function": functions[0].pk}).text
    assert focused.count('<tr id="link-') == 15 and "Page 1 of" not in focused
    assert leader_client.get(WEB, {"page": "x"}).status_code == 200


def test_a_focused_function_with_many_partners_keeps_its_focus_from_page_to_page(leader_client, org):
    hub = make(org, "Hub")
    partners = [make(org, f"Partner {i:02d}", Function.Category.values[i % 5]) for i in range(60)]
    for partner in partners:
        link(org, hub, partner, trust=4, checked_days_ago=2)
    first = leader_client.get(WEB, {"function": hub.pk}).text
    assert first.count('<tr id="link-') == 50 and "Page 1 of 2" in first
    assert f"?function={hub.pk}&amp;page=2" in first  # the pager keeps the focus
    second = leader_client.get(WEB, {"function": hub.pk, "page": 2}).text
    assert second.count('<tr id="link-') == 10 and "Page 2 of 2" in second
    assert second.count('<path id="edge-') == 60  # the picture still draws every link of the hub


def test_the_disruption_timeline_lists_them_newest_first_with_planned_ones_marked(leader_client, org, sales):
    today = timezone.localdate()
    for days, title in [(-30, "Planned reorg"), (5, "New VP of Sales"), (40, "Hiring wave")]:
        day = today - timedelta(days=days)
        d = Disruption.objects.create(
            organization=org,
            kind="leadership_change",
            title=title,
            occurred_on=day,
            effective_at=max(timezone.now(), timezone.now() - timedelta(days=days)),
        )
        d.functions.add(sales)
    text = leader_client.get(DISRUPTIONS).text
    assert text.index("Planned reorg") < text.index("New VP of Sales") < text.index("Hiring wave")
    assert text.count("Planned · counts from") == 1
    assert f"{WEB}?function={sales.pk}" in text


def test_the_timeline_costs_the_same_queries_for_few_or_many(leader_client, org, sales, engineering):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert leader_client.get(DISRUPTIONS).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            d = Disruption.objects.create(
                organization=org,
                kind="other",
                title=f"D{i}",
                occurred_on=timezone.localdate(),
                effective_at=timezone.now(),
            )
            d.functions.add(sales, engineering)

    add(2)
    few = count()
    add(18)
    assert count() == few


def _large_web(org, functions: int, links: int) -> list[Function]:
    """`functions` functions over the five categories and `links` partnerships between them, in bulk."""
    categories = [c for c, _ in Function.Category.choices]
    made = Function.objects.bulk_create(
        Function(organization=org, name=f"Team {n:05}", category=categories[n % 5]) for n in range(functions)
    )
    pairs = [(a, b) for step in range(1, functions) for a in range(functions - step) for b in (a + step,)][:links]
    today = timezone.localdate()
    Partnership.objects.bulk_create(
        Partnership(
            organization=org,
            function_a=made[a],
            function_b=made[b],
            trust=1 + (a + b) % 5,
            last_checked_on=today - timedelta(days=(a * 7) % 120),
            shared_goal="Customers adopt what we ship.",
        )
        for a, b in pairs
    )
    return made


def test_a_web_of_10000_links_is_clustered_paged_and_under_500_kb(leader_client, org):
    from roles.views import web as views

    _large_web(org, 2000, 10_000)
    response = leader_client.get(WEB)
    html = response.content.decode()
    assert response.status_code == 200 and len(response.content) < 500_000, len(response.content)
    assert response.context["stats"].links == 10_000 and response.context["page"].paginator.count == 10_000
    assert html.count('<tr id="link-') == views.LINKS_PER_PAGE and "Page 1 of 200" in html
    assert html.count('class="web-node web-cluster-node') == 5 and "10000 partnerships are more than" in html
    assert 'id="web-function"' not in html  # no <select> of every function
    cluster = response.context["cluster"]
    assert sum(n.links_inside for n in cluster.nodes) + sum(e.links for e in cluster.edges) == 10_000


def test_a_large_web_filters_its_table_by_category_attention_and_name(leader_client, org):
    made = _large_web(org, 100, 400)
    response = leader_client.get(WEB, {"category": "partner", "show": "attention"})
    rows = list(response.context["page"].paginator.object_list)
    categories = [{link.first.category, link.second.category} for link in rows]
    assert rows and all("partner" in both for both in categories) and all(f.weak or f.overdue for f in rows)
    names = list(leader_client.get(WEB, {"q": made[7].name}).context["page"].paginator.object_list)
    assert names and all(f.touches(made[7].pk) for f in names)
    assert leader_client.get(WEB, {"page": 3}).context["page"].number == 3
    bad = leader_client.get(WEB, {"category": "nope", "show": "nope", "page": "x"})
    assert bad.status_code == 200 and bad.context["page"].paginator.count == 400


def test_a_function_of_a_large_web_is_drawn_with_its_partners(leader_client, org):
    made = _large_web(org, 100, 400)
    focus = made[0]
    partners = Partnership.objects.filter(organization=org, function_a=focus).count()
    response = leader_client.get(WEB, {"function": focus.pk})
    assert response.status_code == 200 and "cluster" not in response.context
    assert len(response.context["edges"]) == partners and len(response.context["nodes"]) == partners + 1
    assert response.context["page"].paginator.count == partners


def test_a_large_web_does_not_focus_on_another_organizations_function(leader_client, org, other_org):
    _large_web(org, 100, 400)
    stranger = make(other_org, "Globex Sales")
    assert leader_client.get(WEB, {"function": stranger.pk}).status_code == 404
    assert leader_client.get(WEB, {"function": "x"}).status_code == 404


def test_a_large_web_reads_as_many_queries_at_400_links_as_at_1200(leader_client, org, other_org):
    def count() -> int:
        leader_client.get(WEB)
        with CaptureQueriesContext(connection) as captured:
            assert leader_client.get(WEB).status_code == 200
        return len(captured.captured_queries)

    _large_web(org, 100, 400)
    small = count()
    Partnership.objects.filter(organization=org).delete()
    Function.objects.filter(organization=org).delete()
    _large_web(org, 300, 1200)
    assert count() == small


def test_the_web_layout_is_cached_until_a_partnership_or_function_changes(
    leader_client, org, engineering, sales, monkeypatch, django_capture_on_commit_callbacks
):
    from domain.web import layout as web_layout
    from roles.services import functions as function_services
    from roles.services import partnerships as services

    link(org, engineering, sales)
    computed = []
    real = web_layout.layout_web
    monkeypatch.setattr(web_layout, "layout_web", lambda *a, **k: computed.append(1) or real(*a, **k))
    leader_client.get(WEB)
    leader_client.get(WEB)
    assert len(computed) == 1  # the second visit reads the cache
    ceo = make(org, "CEO", Function.Category.LEADERSHIP)
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_create(organization=org, function_a=ceo, function_b=sales, trust=4)
    response = leader_client.get(WEB)
    assert len(computed) == 2 and len(response.context["edges"]) == 2
    with django_capture_on_commit_callbacks(execute=True):
        function_services.function_update(
            function=ceo, name="Chief Executive", category="leadership", is_external=False, description="", parent=None
        )
    response = leader_client.get(WEB)
    assert len(computed) == 3 and "Chief Executive" in response.content.decode()


def test_a_large_webs_summary_and_pages_judged_in_sql_say_what_the_rule_says(org):
    """`large_web` judges the trust-check rule in SQL to sum and filter a large web: for every
    filter, its figures, its pictures' groups and its table's rows are those the rule
    (`trust_check_due`, worded per link by `link_facts`) gives, whatever the mix of trust, flags,
    check dates and disruptions (issue 13 item 9)."""
    from domain.web import cluster
    from roles.selectors import web as web_selectors

    categories = [c for c, _ in Function.Category.choices]
    functions = [make(org, f"{'Ops' if i % 3 else 'Team'} {i:02}", categories[i % 5]) for i in range(12)]
    checks = [None, 3, 200, 40, 3, 91, 89, 90, 0, 12, None, 150]
    for i, a in enumerate(functions):
        for step in (1, 4):
            b = functions[(i + step) % len(functions)]
            link(org, a, b, trust=1 + (i * step) % 5, checked_days_ago=checks[(i + step) % 12],
                 needs_trust_check=(i + step) % 7 == 0)  # fmt: skip
    reorgs(org, functions, ((10, [3, 4]), (95, [8]), (1, [10])))
    now = timezone.now()
    # Every link as the large web's table reads it, and as the small web's (`web_links`) does.
    facts = list(web_selectors.large_web(org, now=now, chosen=web_selectors.LinkFilter()).links)
    rows = {link.partnership.pk: (link.reasons, link.disrupted) for link in web_selectors.web_links(org, now=now)}
    assert {f.partnership.pk: (f.reasons, f.disrupted) for f in facts} == rows and len(facts) == 24
    assert len({tuple(reasons) for reasons, _ in rows.values()}) >= 4 and sum(d for _, d in rows.values()) >= 2
    assert [f.partnership.pk for f in facts] == list(
        Partnership.objects.filter(organization=org)
        .order_by("function_a__name", "function_b__name", "pk")
        .values_list("pk", flat=True)
    )
    captions = dict(Function.Category.choices)
    for focus in (None, functions[3]):
        for category in ("", "partner", "building"):
            for show in ("", "attention", "holding"):
                for query in ("", "ops", "TEAM 0", "%"):
                    chosen = web_selectors.LinkFilter(focus.pk if focus else None, category, show, query)
                    summary = web_selectors.large_web(org, now=now, chosen=chosen)
                    expected = [
                        f
                        for f in facts
                        if (focus is None or f.touches(focus.pk))
                        and (not category or category in (f.first.category, f.second.category))
                        and (not show or (f.weak or f.overdue) == (show == "attention"))
                        and (not query or any(query.casefold() in e.name.casefold() for e in (f.first, f.second)))
                    ]

                    def seen(links):
                        return [(f.partnership.pk, f.first.pk, f.reasons, f.disrupted) for f in links]

                    focused = [
                        replace(f, first=focus, second=f.second if f.first == focus else f.first) for f in expected
                    ]
                    wanted = seen(focused if focus else expected)
                    assert seen(summary.links) == wanted, chosen
                    assert seen(summary.links[2:5]) == wanted[2:5] and summary.links.count() == len(expected)
                    assert summary.stats == web_selectors.web_stats(expected), chosen
                    mine = [f for f in facts if focus is not None and f.touches(focus.pk)]
                    assert summary.total == len(facts) and summary.mine == len(mine)
                    summed = mine if focus is not None else facts
                    assert cluster.cluster_web(summary.groups, captions) == cluster.cluster_web(
                        [(f.first.category, f.second.category, f.trust, f.overdue, 1) for f in summed], captions
                    )


def test_the_disrupted_functions_read_from_the_moments_are_those_read_alone(org):
    """The small web reads its disruptions once (`disruption_moments`) for its links' flags and its
    picture's marks: what it derives equals what each selector reads on its own."""
    from roles.selectors import web as web_selectors

    functions = [make(org, f"Team {i}") for i in range(5)]
    reorgs(org, functions, ((200, [0]), (95, [1]), (89, [2]), (3, [2, 3]), (-5, [4])))  # the last one planned
    now = timezone.now()
    for days_ago in (200, 95, 89, 3):  # counted from these moments, not from when they were logged
        Disruption.objects.filter(organization=org, title=f"Reorg {days_ago}").update(
            effective_at=now - timedelta(days=days_ago)
        )
    moments = web_selectors.disruption_moments(org, now=now)
    recent = web_selectors.recently_disrupted(org, now=now)
    assert web_selectors.recently_disrupted(org, now=now, moments=moments) == recent
    assert recent == {functions[2].pk, functions[3].pk}
    days = web_selectors.disruption_days(org, now=now)
    assert web_selectors.disruption_days(org, now=now, moments=moments) == days and len(days) == 4
