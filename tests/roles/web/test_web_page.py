"""The partnership web and disruption pages: who may do what, bad input, the filter, query counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from roles.models import Disruption, Function, Partnership, PartnershipCheckIn
from tests.factories import AssignmentFactory, ProductFactory, ReviewFactory, StakeholderFactory
from tests.roles.web.conftest import (
    ALL_PAGES,
    DISRUPTIONS,
    LOG,
    NEW,
    WEB,
    WRITES,
    checkin_url,
    delete_url,
    edit_data,
    edit_url,
    link,
    log_data,
    make,
    new_data,
    post_data,
    snapshot,
    url_of,
)

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
