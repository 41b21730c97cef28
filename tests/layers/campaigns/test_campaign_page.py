"""A campaign's page from the read model (issue 13): equal to the one rule over raw rows while it
is open, as it stood at its close afterwards, and at the same cost with 4 people or 120."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from layers.models import Assignment, Review
from layers.readmodel.oracle import rebuild_everything
from layers.selectors import campaign_page as selectors_campaign
from layers.selectors import campaigns as selectors
from layers.services import campaigns as services
from layers.services import reviews as review_services
from tests.factories import AssignmentFactory, StakeholderFactory, UserFactory, layer
from tests.layers.campaigns.conftest import review_at

pytestmark = pytest.mark.django_db


def _start(world, **kwargs):
    return services.campaign_start(
        product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None, **kwargs
    )


def _busy(world):
    """Current, stale, disputed, pending pairs and a reviewer without an account."""
    now = timezone.now()
    Assignment.objects.filter(product=world["product"]).update(
        created_at=now - timedelta(days=1), changed_at=now - timedelta(days=1)
    )
    review_at(world["cs"], world["casey"], now - timedelta(hours=3))
    review_at(world["cs"], world["dana"], now - timedelta(hours=2), verdict="disagree")
    review_at(world["eng"], world["noah"], now - timedelta(hours=2))
    review_at(world["eng"], world["eve"], now - timedelta(hours=4))
    # Eve's and Noah's pairs go stale: their assignment changed after their reviews.
    Assignment.objects.filter(pk=world["eng"].pk).update(changed_at=now - timedelta(hours=1))
    rebuild_everything()  # a raw change, behind the services that keep the read model


def _same_people(page, oracle):
    by_pk = {p.stakeholder.pk: p for p in oracle.people}
    assert page.people.paginator.count == len(oracle.people)
    for person in page.people:
        expected = by_pk[person.stakeholder.pk]
        assert person.tally == expected.tally, person.stakeholder.full_name
        assert person.asked_since == expected.asked_since and person.done == expected.done


def test_an_open_campaign_reads_what_the_rule_computes_from_raw_rows(world):
    campaign = _start(world)
    _busy(world)
    page = selectors_campaign.campaign_page(campaign)
    oracle = selectors.campaign_progress(campaign)
    assert page.as_of is None
    assert page.totals == oracle.totals and page.totals.stale == 2 and page.totals.disagreed == 1
    assert page.figures == oracle.figures and page.figures.no_account == 1  # Noah's review went stale
    _same_people(page, oracle)
    assert page.mapped == 2 and page.chosen == []
    # The burn-up ends today at the pairs current now.
    assert page.burnup.last.value == page.totals.current == 2


def test_a_campaign_of_chosen_functions_counts_only_them(world):
    campaign = _start(world, functions=[world["eng_function"]])
    _busy(world)
    page = selectors_campaign.campaign_page(campaign)
    oracle = selectors.campaign_progress(campaign)
    assert page.totals == oracle.totals and page.figures == oracle.figures
    assert [f.name for f in page.chosen] == ["Engineering"] and page.people.paginator.count == 2
    _same_people(page, oracle)


def test_a_closed_campaign_is_shown_as_it_stood_when_it_closed(world, leader_client):
    campaign = _start(world)
    _busy(world)
    campaign = services.campaign_close(campaign=campaign)
    as_of = min(campaign.closed_at, campaign.deadline)
    assert campaign.summary["burnup"]["values"][-1] == 2
    # Later reviews change the live model, not the closed campaign's page.
    review_services.review_submit(assignment=world["eng"], stakeholder=world["eve"], verdict="agree")
    review_services.review_submit(assignment=world["cs"], stakeholder=world["dana"], verdict="agree")
    page = selectors_campaign.campaign_page(campaign)
    oracle = selectors.campaign_progress(campaign, now=as_of)
    assert page.as_of == as_of
    assert page.totals == oracle.totals and page.figures == oracle.figures
    _same_people(page, oracle)
    assert page.burnup.last.value == 2
    html = " ".join(leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    assert "3 of 4 people reached have reviewed their part" not in html
    figures = oracle.figures
    assert f"{figures.reviewed} of {figures.reached} people reached" in html and "Summary" in html


def test_a_campaign_closed_before_its_burn_up_was_stored_still_draws_one(world):
    campaign = _start(world)
    _busy(world)
    campaign = services.campaign_close(campaign=campaign)
    stored = campaign.summary.pop("burnup")
    campaign.save(update_fields=["summary"])
    assert selectors_campaign.campaign_page(campaign).burnup.last.value == stored["values"][-1]


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_page_reads_as_many_queries_for_120_people_as_for_4_and_pages_them(world, leader_client, org):
    campaign = _start(world)
    _busy(world)
    url = f"/o/acme/campaigns/{campaign.pk}/"
    few, _ = _queries(leader_client, url)
    cs = world["casey"].function
    for n in range(116):
        user = UserFactory(email=f"many{n}@acme.test") if n % 2 else None
        StakeholderFactory(function=cs, full_name=f"Many {n:03}", email=f"many{n}@acme.test", user=user)
    AssignmentFactory(product=world["product"], function=cs, layer=layer("expected"))
    many, html = _queries(leader_client, url)
    assert many == few
    assert "Showing 1\N{EN DASH}50 of 120 people" in html and html.count('<td class="num">') >= 50
    assert "And 9 more without an account" in html  # 59 without an account, 50 named
    page2 = leader_client.get(url + "?page=3").content.decode()
    assert "Showing 101\N{EN DASH}120 of 120 people" in page2
    closed = services.campaign_close(campaign=campaign)
    closed_many, _ = _queries(leader_client, f"/o/acme/campaigns/{closed.pk}/")
    assert closed_many <= many + 1


def test_someone_who_reviewed_without_an_account_is_reached_and_the_page_says_so(world, leader_client):
    # Noah has no account but reviewed (as the demo's people do): he is reached, not counted among
    # the people the campaign cannot reach, and still listed with those who have no account.
    campaign = _start(world)
    review_at(world["eng"], world["noah"], timezone.now())
    html = " ".join(leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    page = selectors_campaign.campaign_page(campaign)
    assert (page.figures.reached, page.figures.no_account, page.without_account_count) == (4, 0, 1)
    assert "have an account, so the campaign emails them, or reviewed without one" in html
    assert "not reached" not in html and "no account and is not emailed" not in html
    assert "Noah Newcomer" in html.split("No account yet")[-1]
    # Without his review he is not reached, and the sentence counts him.
    Review.objects.filter(stakeholder=world["noah"]).delete()
    rebuild_everything()
    html = " ".join(leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    assert "1 person is not reached: no account and no review." in html
