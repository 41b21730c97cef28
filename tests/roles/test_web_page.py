"""The partnership web and disruption pages: who may do what, bad input, the filter, query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.models import Disruption, Function, Partnership, PartnershipCheckIn
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, ReviewFactory, StakeholderFactory

WEB = "/o/acme/web/"
NEW = WEB + "partnerships/new/"
DISRUPTIONS = WEB + "disruptions/"
LOG = DISRUPTIONS + "new/"


def edit_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/edit/"


def delete_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/delete/"


def checkin_url(p: Partnership) -> str:
    return f"{WEB}partnerships/{p.pk}/check-in/"


def make(org, name: str, category: str = Function.Category.BUILDING) -> Function:
    return FunctionFactory(organization=org, name=name, category=category)


def link(org, a, b, trust=3, checked_days_ago: int | None = 10, **extra) -> Partnership:
    first, second = sorted((a, b), key=lambda f: f.pk)
    checked = timezone.localdate() - timedelta(days=checked_days_ago) if checked_days_ago is not None else None
    return Partnership.objects.create(
        organization=org, function_a=first, function_b=second, trust=trust, last_checked_on=checked, **extra
    )


@pytest.fixture
def engineering(org):
    return make(org, "Engineering")


@pytest.fixture
def sales(org):
    return make(org, "Sales & Account Management", Function.Category.CUSTOMER_FACING)


@pytest.fixture
def partnership(org, engineering, sales):
    return link(org, engineering, sales, trust=3, shared_goal="Win deals")


def new_data(a, b, **overrides) -> dict:
    data = {"function_a": a.pk, "function_b": b.pk, "trust": "4", "cadence": "weekly", "shared_goal": "Ship"}
    data.update(overrides)
    return data


def edit_data(p: Partnership, **overrides) -> dict:
    data = {
        "function_a": p.function_a_id,
        "function_b": p.function_b_id,
        "cadence": "quarterly",
        "shared_goal": "New goal",
        "feedback_carried": "Onboarding challenges",
        "version": p.version,
    }
    data.update(overrides)
    return data


def log_data(*functions, **overrides) -> dict:
    data = {
        "kind": "reorg",
        "title": "Sales reorganized",
        "occurred_on": timezone.localdate().isoformat(),
        "functions": [f.pk for f in functions],
        "note": "Regional pods",
    }
    data.update(overrides)
    return data


ALL_PAGES = ["web", "new", "edit", "delete", "checkin", "disruptions", "log"]
WRITES = ["new", "edit", "delete", "checkin", "log"]


def url_of(name: str, p: Partnership) -> str:
    return {
        "web": WEB,
        "new": NEW,
        "edit": edit_url(p),
        "delete": delete_url(p),
        "checkin": checkin_url(p),
        "disruptions": DISRUPTIONS,
        "log": LOG,
    }[name]


def post_data(name: str, p: Partnership, sales: Function) -> dict:
    return {
        "new": new_data(p.function_a, make(p.organization, "Legal")) if name == "new" else {},
        "edit": edit_data(p),
        "delete": {"version": p.version},
        "checkin": {"trust": "5", "checked_on": timezone.localdate().isoformat()},
        "log": log_data(sales),
    }.get(name, {})


def snapshot(p: Partnership) -> tuple:
    p.refresh_from_db()
    return (p.trust, p.cadence, p.shared_goal, p.version, p.needs_trust_check, p.check_ins.count())


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_PAGES)
def test_it_sends_anonymous_visitors_to_login(client, partnership, name):
    response = client.get(url_of(name, partnership))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", ALL_PAGES)
def test_it_answers_404_to_outsiders(outsider_client, partnership, sales, name, method):
    before = snapshot(partnership)
    data = post_data(name, partnership, sales) if method == "post" else None
    response = getattr(outsider_client, method)(url_of(name, partnership), data)
    assert response.status_code == 404
    assert snapshot(partnership) == before
    assert Partnership.objects.count() == 1
    assert not Disruption.objects.exists()


@pytest.mark.parametrize("name", ["edit", "delete", "checkin"])
def test_a_partnership_of_another_organization_is_404(leader_client, other_org, name):
    theirs = link(other_org, make(other_org, "Engineering"), make(other_org, "Sales"))
    before = snapshot(theirs)
    assert leader_client.get(url_of(name, theirs)).status_code == 404
    assert leader_client.post(url_of(name, theirs), {"trust": "1", "version": 1}).status_code == 404
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name", ["web", "disruptions"])
def test_stakeholders_see_the_web_and_the_timeline_read_only(stakeholder_client, partnership, name):
    Disruption.objects.create(
        organization=partnership.organization,
        kind="reorg",
        title="A reorg",
        occurred_on=timezone.localdate(),
        effective_at=timezone.now(),
    )
    response = stakeholder_client.get(url_of(name, partnership))
    assert response.status_code == 200
    for write in WRITES:
        assert url_of(write, partnership) not in response.text
    assert "Partnership web" in response.text and "Disruptions" in response.text  # the nav


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", WRITES)
def test_it_refuses_writes_to_stakeholders(stakeholder_client, partnership, sales, name, method):
    before = snapshot(partnership)
    data = post_data(name, partnership, sales) if method == "post" else None
    response = getattr(stakeholder_client, method)(url_of(name, partnership), data)
    assert response.status_code == 403
    assert snapshot(partnership) == before
    assert Partnership.objects.count() == 1
    assert not Disruption.objects.exists()


# --- leaders (and admins) edit --------------------------------------------------------------------------


def test_a_leader_adds_a_partnership(leader_client, leader, org, engineering, sales):
    response = leader_client.post(NEW, new_data(sales, engineering, feedback_carried="What prospects need"))
    p = Partnership.objects.get()
    assert response.status_code == 302
    assert response.url == f"{WEB}#link-{p.pk}"
    assert (p.function_a, p.function_b, p.trust, p.cadence) == (engineering, sales, 4, "weekly")
    assert p.feedback_carried == "What prospects need"
    assert p.check_ins.get().by == leader
    page = leader_client.get(WEB)
    assert "Linked Engineering and Sales &amp; Account Management at trust 4/5." in page.text


def test_an_admin_adds_a_partnership_too(admin_client_, engineering, sales):
    assert admin_client_.post(NEW, new_data(engineering, sales)).status_code == 302
    assert Partnership.objects.count() == 1


def test_the_new_form_starts_from_the_filtered_function(leader_client, sales):
    response = leader_client.get(f"{NEW}?function={sales.pk}")
    assert response.status_code == 200
    assert re.search(rf'<option value="{sales.pk}" selected>', response.text)


def test_a_leader_edits_a_partnership(leader_client, partnership):
    response = leader_client.post(edit_url(partnership), edit_data(partnership))
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.cadence, partnership.shared_goal, partnership.feedback_carried) == (
        "quarterly",
        "New goal",
        "Onboarding challenges",
    )
    assert (partnership.version, partnership.trust) == (2, 3)


def test_the_edit_form_sends_trust_changes_to_a_check_in(leader_client, partnership):
    response = leader_client.get(edit_url(partnership))
    assert 'name="trust"' not in response.text
    assert checkin_url(partnership) in response.text


def test_a_stale_edit_is_refused_with_the_current_state_and_can_be_resubmitted(leader_client, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(cadence="weekly", version=2)

    response = leader_client.post(edit_url(partnership), edit_data(partnership, version=1))

    assert response.status_code == 200
    assert "Someone changed the partnership between Engineering and Sales" in response.text
    assert "Saved now" in response.text
    assert 'name="version" value="2"' in response.text  # the leader's edits, under the current version
    partnership.refresh_from_db()
    assert (partnership.cadence, partnership.version) == ("weekly", 2)
    assert leader_client.post(edit_url(partnership), edit_data(partnership, version=2)).status_code == 302
    partnership.refresh_from_db()
    assert (partnership.cadence, partnership.version) == ("quarterly", 3)


def test_a_leader_deletes_a_partnership(leader_client, partnership):
    assert "1 check-in" not in leader_client.get(delete_url(partnership)).text  # none recorded here
    response = leader_client.post(delete_url(partnership), {"version": partnership.version})
    assert response.status_code == 302
    assert not Partnership.objects.exists()


def test_a_stale_delete_is_refused(leader_client, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(version=5)
    response = leader_client.post(delete_url(partnership), {"version": 1})
    assert response.status_code == 200
    assert "after you opened it" in response.text
    assert Partnership.objects.filter(pk=partnership.pk).exists()


def test_a_leader_checks_in(leader_client, leader, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(needs_trust_check=True)
    day = timezone.localdate() - timedelta(days=1)
    response = leader_client.post(
        checkin_url(partnership), {"trust": "5", "checked_on": day.isoformat(), "note": "Good"}
    )
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.trust, partnership.last_checked_on, partnership.needs_trust_check) == (5, day, False)
    reading = PartnershipCheckIn.objects.get()
    assert (reading.trust, reading.note, reading.by) == (5, "Good", leader)


def test_the_check_in_page_shows_the_history_and_why_it_is_due(leader_client, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(needs_trust_check=True)
    for days, trust in [(200, 2), (100, 3)]:
        PartnershipCheckIn.objects.create(
            partnership=partnership,
            trust=trust,
            checked_on=timezone.localdate() - timedelta(days=days),
            note=f"t{trust}",
        )
    response = leader_client.get(checkin_url(partnership))
    assert response.status_code == 200
    assert "A trust check is due" in response.text
    assert 'class="trend-chart"' in response.text
    assert response.text.count('class="trend-dot') == 2
    assert "t2" in response.text and "t3" in response.text


def test_a_leader_logs_a_disruption_and_the_page_says_what_it_did(leader_client, leader, org, engineering, sales):
    product = ProductFactory(organization=org)
    cell = AssignmentFactory(product=product, function=sales)
    person = StakeholderFactory(function=sales)
    ReviewFactory(assignment=cell, stakeholder=person)
    link(org, engineering, sales)
    link(org, make(org, "Legal", Function.Category.CROSS_FUNCTIONAL), sales)

    response = leader_client.post(LOG, log_data(sales), follow=True)

    d = Disruption.objects.get()
    assert response.redirect_chain[-1][0] == f"{DISRUPTIONS}#disruption-{d.pk}"
    assert (d.title, d.created_by, list(d.functions.all())) == ("Sales reorganized", leader, [sales])
    assert Partnership.objects.filter(needs_trust_check=True).count() == 2
    assert (
        "1 review of Sales &amp; Account Management now needs re-confirming; "
        "2 partnerships flagged for a trust check." in response.text
    )
    assert f'id="disruption-{d.pk}"' in response.text


def test_the_log_form_groups_the_functions_by_category(leader_client, engineering, sales):
    response = leader_client.get(LOG)
    text = response.text
    assert (
        text.index("Building") < text.index("Engineering") < text.index("Customer-facing") < text.index("Sales &amp;")
    )
    assert 'type="checkbox" name="functions"' in text


# --- bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"function_b": "same"}, "cannot be its own partner"),
        ({"trust": "9"}, "Select a valid choice"),
        ({"trust": ""}, "This field is required"),
        ({"cadence": "hourly"}, "Select a valid choice"),
        ({"shared_goal": "x" * 301}, "Ensure this value has at most 300 characters"),
    ],
)
def test_a_bad_new_partnership_is_refused_with_a_message(leader_client, engineering, sales, overrides, message):
    if overrides.get("function_b") == "same":
        overrides = {"function_b": engineering.pk}
    response = leader_client.post(NEW, new_data(engineering, sales, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Partnership.objects.exists()


def test_the_same_pair_reversed_is_refused(leader_client, partnership, engineering, sales):
    response = leader_client.post(NEW, new_data(sales, engineering))
    assert response.status_code == 200
    assert "Engineering and Sales &amp; Account Management are already partners" in response.text
    assert Partnership.objects.count() == 1


def test_a_function_of_another_organization_is_refused(leader_client, other_org, engineering):
    foreign = make(other_org, "Globex Sales")
    response = leader_client.post(NEW, new_data(engineering, foreign))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Partnership.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"trust": "5", "checked_on": "2999-01-01"}, "The check-in date cannot be in the future."),
        ({"trust": "0", "checked_on": "2025-01-01"}, "Select a valid choice"),
        ({"trust": "4", "checked_on": "not a date"}, "Enter a valid date"),
    ],
)
def test_a_bad_check_in_is_refused_with_a_message(leader_client, partnership, data, message):
    before = snapshot(partnership)
    response = leader_client.post(checkin_url(partnership), data)
    assert response.status_code == 200
    assert message in response.text
    assert snapshot(partnership) == before


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"functions": []}, "Choose at least one function the disruption touches."),
        ({"title": ""}, "This field is required"),
        ({"kind": "earthquake"}, "Select a valid choice"),
        ({"occurred_on": "yesterday"}, "Enter a valid date"),
    ],
)
def test_a_bad_disruption_is_refused_with_a_message(leader_client, partnership, sales, overrides, message):
    response = leader_client.post(LOG, log_data(sales, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Disruption.objects.exists()
    assert not Partnership.objects.filter(needs_trust_check=True).exists()


def test_a_disruption_touching_another_organization_is_refused(leader_client, other_org, partnership, sales):
    foreign = make(other_org, "Globex Sales")
    response = leader_client.post(LOG, log_data(sales, foreign))
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Disruption.objects.exists()


# --- the web page ----------------------------------------------------------------------------------------


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
    many = count()
    assert many == few
    assert few <= 12


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


# --- a large web: clustered picture, filters, paged table, cached layout (issue 13 item 9) ----------


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
    rows = response.context["page"].paginator.object_list
    assert rows and all("partner" in f.categories and (f.weak or f.overdue) for f in rows)
    names = leader_client.get(WEB, {"q": made[7].name}).context["page"].paginator.object_list
    assert names and all(made[7].pk in (f.function_a_id, f.function_b_id) for f in names)
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
