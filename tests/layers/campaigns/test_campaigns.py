"""Review campaigns (issue 4): starting, reminding (idempotent, throttled), closing, the burn-up."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from domain import review_pairs
from layers.models import Assignment, CampaignReminder, ReviewCampaign
from layers.selectors import campaigns
from layers.services import campaigns as services
from layers.tasks import reviews as tasks
from roles.models import Disruption, Invite
from shared import charts
from tests.conftest import client_for
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    ProductFactory,
    StakeholderFactory,
    layer,
)
from tests.layers.campaigns.conftest import recipients, review_at, run
from wholeproduct.errors import DomainError

pytestmark = pytest.mark.django_db


# --- starting -----------------------------------------------------------------------------------


def test_a_leader_starts_a_campaign_and_everyone_pending_is_asked(
    leader_client, world, eager_tasks, django_capture_on_commit_callbacks
):
    deadline = timezone.localdate() + timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(
            "/o/acme/campaigns/new/",
            {"product": world["product"].pk, "name": "Q3 review", "deadline": deadline.isoformat()},
        )
    campaign = ReviewCampaign.objects.get()
    assert response.status_code == 302 and response.url == f"/o/acme/campaigns/{campaign.pk}/"
    assert (campaign.name, campaign.status, campaign.created_by.email) == ("Q3 review", "open", "leader@acme.test")
    assert timezone.localtime(campaign.deadline).date() == deadline
    # Noah has no account yet: a campaign never invites (DESIGN §5), so nothing goes to him.
    # (Changed on purpose in issue 16: campaigns used to send him an invitation.)
    assert recipients() == ["cs@acme.test", "dana@acme.test", "eve@acme.test"]
    by_person = {m.to[0]: m for m in mail.outbox}
    assert "http://testserver/o/acme/me/" in by_person["cs@acme.test"].body
    assert "Q3 review" in by_person["cs@acme.test"].body and "Insights Cloud" in by_person["cs@acme.test"].subject
    # The first email asks for a review; it is not a reminder.
    assert by_person["cs@acme.test"].subject.startswith("Please review your part of Insights Cloud by ")
    assert "/invite/" not in by_person["eve@acme.test"].body
    assert not Invite.objects.exists()
    html, kind = by_person["cs@acme.test"].alternatives[0]
    assert kind == "text/html" and "Review my part" in html


def test_a_campaign_can_ask_some_functions_only(world, cs_function, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.campaign_start(
            product=world["product"],
            deadline=timezone.now() + timedelta(days=3),
            functions=[cs_function],
            by=world["leader"],
        )
    assert recipients() == ["cs@acme.test", "dana@acme.test"]
    assert [f.name for f in campaigns.campaign_progress(campaign).functions] == ["Customer Success"]
    assert campaign.name.startswith("Insights Cloud review, ")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deadline": "2001-01-01"}, "Choose today or a later day."),
        ({"deadline": ""}, "This field is required."),
        ({"product": ""}, "This field is required."),
        ({"product": "999999"}, "Select a valid choice"),
        ({"name": "x" * 201}, "at most 200 characters"),
    ],
)
def test_bad_campaign_input_is_explained_and_writes_nothing(leader_client, world, change, message):
    data = {
        "product": world["product"].pk,
        "deadline": (timezone.localdate() + timedelta(days=3)).isoformat(),
        **change,
    }
    response = leader_client.post("/o/acme/campaigns/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert ReviewCampaign.objects.count() == 0


def test_the_service_refuses_a_second_open_campaign_and_an_unmapped_scope(world, org):
    services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=3), by=None)
    with pytest.raises(DomainError, match="is still open"):
        services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=3), by=None)
    empty = ProductFactory(organization=org)
    with pytest.raises(DomainError, match="Nothing to review yet"):
        services.campaign_start(product=empty, deadline=timezone.now() + timedelta(days=3), by=None)
    other = ProductFactory(organization=org)
    AssignmentFactory(product=other, function=world["eng_function"])
    with pytest.raises(DomainError, match="has no assignment on"):
        services.campaign_start(
            product=other,
            deadline=timezone.now() + timedelta(days=3),
            functions=[world["casey"].function],
            by=None,
        )
    with pytest.raises(DomainError, match="deadline in the future"):
        services.campaign_start(product=other, deadline=timezone.now() - timedelta(minutes=1), by=None)
    assert ReviewCampaign.objects.count() == 1


def test_a_scope_with_nobody_in_it_is_refused(org, world):
    product = ProductFactory(organization=org)
    AssignmentFactory(product=product, function=FunctionFactory(organization=org, name="Board"))
    with pytest.raises(DomainError, match="Nobody works in these functions yet"):
        services.campaign_start(product=product, deadline=timezone.now() + timedelta(days=3), by=None)


# --- reminders ----------------------------------------------------------------------------------


def test_reminders_are_idempotent_throttled_and_stop_when_people_review(world, org):
    base = timezone.now() + timedelta(hours=1)

    def day(n: float) -> datetime:
        return base + timedelta(days=n)

    campaign = services.campaign_start(product=world["product"], deadline=day(10), by=world["leader"], now=base)
    review_at(world["cs"], world["casey"], day(0) + timedelta(minutes=1))

    # Noah has no account: campaigns never email him (issue 16 — they used to send him an invite).
    assert run(campaign, day(1)) == ["dana@acme.test", "eve@acme.test"]
    assert mail.outbox[0].subject.startswith("Please review")  # the first email of the campaign to them
    assert run(campaign, day(1) + timedelta(hours=1)) == []  # the same day: nothing twice
    assert CampaignReminder.objects.count() == 2
    assert run(campaign, day(2)) == []  # at most one every 3 days
    assert run(campaign, day(4)) == ["dana@acme.test", "eve@acme.test"]
    assert all(m.subject.startswith("Reminder: review your part") for m in mail.outbox)
    review_at(world["cs"], world["dana"], day(4) + timedelta(hours=1))
    assert run(campaign, day(7)) == ["eve@acme.test"]  # none to those who reviewed
    # Eve reviews, then a disruption touches Engineering: she is asked again the next day.
    review_at(world["eng"], world["eve"], day(7) + timedelta(hours=1))
    Disruption.objects.create(
        organization=org,
        kind="reorg",
        title="Platform reorg",
        occurred_on=day(7).date(),
        effective_at=day(7) + timedelta(hours=2),
        applied_at=day(7) + timedelta(hours=2),  # as the beat task applies it on its date
    ).functions.add(world["eng_function"])
    assert run(campaign, day(8)) == ["eve@acme.test"]
    assert "changed, or your function was disrupted" in mail.outbox[0].body
    assert run(campaign, day(8) + timedelta(hours=2)) == []
    # After the deadline: closed, nobody reminded.
    assert run(campaign, day(11)) == []  # the summary to the leader is queued on commit
    campaign.refresh_from_db()
    assert campaign.status == "closed"
    assert {k: campaign.summary[k] for k in ("pairs", "reviewed", "agreed", "disputed", "no_answer")} == {
        "pairs": 4,
        "reviewed": 2,
        "agreed": 2,
        "disputed": 0,
        "no_answer": 2,
    }
    assert run(campaign, day(12)) == []


def test_two_runs_on_the_same_day_send_one_email_each(world, eager_tasks):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    mail.outbox.clear()
    tasks.campaign_remind.delay(campaign.pk, "http://testserver/")
    tasks.campaign_remind.delay(campaign.pk, "http://testserver/")
    assert recipients() == ["cs@acme.test", "dana@acme.test", "eve@acme.test"]  # Noah: no account


def test_a_failed_email_releases_its_claim_so_a_retry_sends_it(world, monkeypatch):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    real = services.invites.send_templated_email

    def flaky(**kwargs):
        if kwargs["to"] == "eve@acme.test":
            raise OSError("mailbox unavailable")
        real(**kwargs)

    monkeypatch.setattr(services.invites, "send_templated_email", flaky)
    with pytest.raises(services.ReminderDeliveryFailed):
        services.campaign_send_reminders(campaign_id=campaign.pk)
    assert not CampaignReminder.objects.filter(stakeholder=world["eve"]).exists()
    assert CampaignReminder.objects.count() == 2  # Casey and Dana; Noah has no account
    monkeypatch.setattr(services.invites, "send_templated_email", real)
    mail.outbox.clear()
    assert services.campaign_send_reminders(campaign_id=campaign.pk) == 1
    assert recipients() == ["eve@acme.test"]


def test_a_revoked_person_without_an_account_is_not_reminded(world):
    from roles.services import invites

    invites.invite_revoke(invite=invites.invite_create(stakeholder=world["noah"], by=None), by=None)
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    mail.outbox.clear()
    services.campaign_send_reminders(campaign_id=campaign.pk)
    assert "noah@acme.test" not in recipients()
    assert not CampaignReminder.objects.filter(stakeholder=world["noah"]).exists()


def test_the_daily_task_closes_what_is_due_and_reminds_the_rest(
    world, org, eager_tasks, django_capture_on_commit_callbacks
):
    due = services.campaign_start(
        product=world["product"], deadline=timezone.now() + timedelta(days=1), by=world["leader"]
    )
    ReviewCampaign.objects.filter(pk=due.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    other = ProductFactory(organization=org, name="Second", slug="second")
    AssignmentFactory(product=other, function=world["eng_function"], layer=layer("potential"))
    live = services.campaign_start(product=other, deadline=timezone.now() + timedelta(days=4), by=None)
    hour_ago = timezone.now() - timedelta(hours=1)
    Assignment.objects.filter(product=world["product"]).update(created_at=hour_ago, changed_at=hour_ago)
    review_at(world["cs"], world["casey"], timezone.now() - timedelta(minutes=10), verdict="disagree")
    review_at(world["cs"], world["dana"], timezone.now(), verdict="agree")  # after the deadline: not counted
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.campaigns_daily.delay()
    due.refresh_from_db()
    assert due.status == "closed" and due.closed_at is not None
    assert due.summary["disputed"] == 1 and due.summary["reviewed"] == 1 and due.summary["no_answer"] == 3
    summary = [m for m in mail.outbox if m.to == ["leader@acme.test"]]
    assert len(summary) == 1 and "is closed" in summary[0].subject and "No answer:       3" in summary[0].body
    # In people too: Casey disputed; Dana's review came after the deadline; Eve pending; Noah has no account.
    assert "People reached:  3" in summary[0].body and "reviewed:      1 (0 agreed, 1 disputed)" in summary[0].body
    assert "Not reached:     1 (no account and no review" in summary[0].body
    assert sorted(m.to[0] for m in mail.outbox if m.to != ["leader@acme.test"]) == ["eve@acme.test"]
    assert CampaignReminder.objects.filter(campaign=live).count() == 1  # Eve; Noah has no account
    assert not CampaignReminder.objects.filter(campaign=due).exists()
    # The summary email is sent once, however often the task is delivered.
    mail.outbox.clear()
    assert services.send_summary(campaign_id=due.pk) is False
    assert mail.outbox == []


def test_the_beat_entry_runs_daily_at_eight(db):
    from django_celery_beat.models import PeriodicTask

    entry = PeriodicTask.objects.select_related("crontab").get(name="campaign reminders")
    assert entry.task == "layers.campaigns_daily" and entry.enabled
    assert (entry.crontab.minute, entry.crontab.hour, entry.crontab.day_of_week) == ("0", "8", "*")
    from wholeproduct.celery import app

    assert "layers.campaigns_daily" in app.tasks


# --- pages --------------------------------------------------------------------------------------


def _client(request, who):
    if who == "anonymous":
        return Client()
    fixture = {"outsider": "outsider", "stakeholder": "stakeholder_user", "leader": "leader", "admin": "admin_user"}
    return client_for(request.getfixturevalue(fixture[who]))


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 200), ("admin", 200)]
)
@pytest.mark.parametrize("page", ["list", "new", "detail"])
def test_who_may_open_the_campaign_pages(request, world, who, status, page):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    url = {"list": "/o/acme/campaigns/", "new": "/o/acme/campaigns/new/", "detail": f"/o/acme/campaigns/{campaign.pk}/"}
    assert _client(request, who).get(url[page]).status_code == status


@pytest.mark.parametrize(
    ("who", "status", "closed"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("stakeholder", 403, False),
        ("leader", 302, True),
        ("admin", 302, True),
    ],
)
def test_who_may_close_a_campaign(request, world, who, status, closed):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    assert _client(request, who).post(f"/o/acme/campaigns/{campaign.pk}/close/").status_code == status
    campaign.refresh_from_db()
    assert (campaign.status == "closed") is closed


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 302)]
)
def test_who_may_send_reminders_now(request, world, who, status, eager_tasks):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    assert _client(request, who).post(f"/o/acme/campaigns/{campaign.pk}/remind/").status_code == status
    assert CampaignReminder.objects.count() == (3 if who == "leader" else 0)  # not Noah: no account


def test_stakeholders_cannot_start_a_campaign(stakeholder_client, world):
    data = {"product": world["product"].pk, "deadline": (timezone.localdate() + timedelta(days=3)).isoformat()}
    assert stakeholder_client.post("/o/acme/campaigns/new/", data).status_code == 403
    assert ReviewCampaign.objects.count() == 0


def test_another_organizations_campaign_answers_404(leader_client, other_org):
    product = ProductFactory(organization=other_org)
    a = AssignmentFactory(product=product)
    StakeholderFactory(function=a.function)
    campaign = services.campaign_start(product=product, deadline=timezone.now() + timedelta(days=5), by=None)
    assert leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").status_code == 404
    assert leader_client.post(f"/o/acme/campaigns/{campaign.pk}/close/").status_code == 404


def test_the_campaign_page_shows_progress_and_a_burn_up(leader_client, world):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    review_at(world["cs"], world["casey"], timezone.now())
    html = leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").content.decode()
    assert 'class="burnup"' in html and "<polyline" in html
    # Its words are the page's: reviews, not "pairs" (issue 15 item 5).
    assert "all 4 reviews" in html and "Reviews done over time" in html and "pairs" not in html
    # Counted in people: Casey, Dana and Eve have an account (reached); Noah has none.
    assert "1 of 3 people reached has reviewed their part" in html and "33%" in html
    assert "1 of 4 reviews done" in html
    assert "Noah Newcomer" in html and "no account yet: not emailed" in html


def test_the_progress_figures_and_bar_come_from_the_same_people_and_disputes_are_not_green(leader_client, world):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    review_at(world["cs"], world["casey"], timezone.now())
    review_at(world["eng"], world["eve"], timezone.now(), verdict="disagree")
    review_at(world["eng"], world["noah"], timezone.now())  # reviewed without an account: counts as reached
    figures = campaigns.campaign_progress(campaign).figures
    assert (figures.people, figures.reached, figures.reviewed, figures.agreed, figures.disputed) == (4, 4, 3, 2, 1)
    assert (figures.pending, figures.no_account, figures.percent) == (1, 0, 75)
    assert figures.segments == [("agreed", 0.0, 50.0), ("disputed", 50.0, 25.0), ("pending", 75.0, 25.0)]
    html = " ".join(leader_client.get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    assert "3 of 4 people reached have reviewed their part" in html and "75%" in html
    assert 'aria-label="3 of 4 people reviewed: 2 agreed, 1 disputed"' in html
    assert '<rect class="seg-disputed" x="50.0" y="0" width="25.0" height="10"/>' in html
    assert "Disputed (1)" in html and '<span class="state state-open">Disputed</span>' in html


def test_reviewed_never_exceeds_reached():
    from domain.review_pairs import Tally
    from layers.selectors.campaigns import PersonProgress, people_figures
    from roles.models import Stakeholder

    def person(user_id, current, pairs, disagreed=0):
        tally = Tally(pairs=pairs, current=current, pending=pairs - current, disagreed=disagreed)
        return PersonProgress(Stakeholder(user_id=user_id), tally, None)

    figures = people_figures([person(None, 0, 2), person(1, 2, 2, 1), person(2, 1, 2), person(None, 2, 2)])
    assert (figures.reached, figures.reviewed, figures.pending, figures.no_account) == (3, 2, 1, 1)
    assert figures.reviewed <= figures.reached


def test_the_form_lists_the_functions_mapped_on_the_chosen_product(leader_client, world):
    html = leader_client.get("/o/acme/campaigns/new/?product=insights").content.decode()
    assert "Customer Success" in html and "Engineering" in html and 'name="functions"' in html
    assert 'name="functions"' not in leader_client.get("/o/acme/campaigns/new/").content.decode()


def test_the_list_shows_live_progress_and_closed_summaries(leader_client, world):
    campaign = services.campaign_start(product=world["product"], deadline=timezone.now() + timedelta(days=5), by=None)
    assert "0%" in leader_client.get("/o/acme/campaigns/").content.decode()
    services.campaign_close(campaign=campaign)
    html = leader_client.get("/o/acme/campaigns/").content.decode()
    assert "0 of 4" in html and "4 no answer" in html


# --- the burn-up --------------------------------------------------------------------------------


def test_reviewed_pairs_are_counted_at_the_end_of_each_day(world):
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(2030, 3, 1, 9, 0), tz)
    Assignment.objects.filter(pk__in=[world["cs"].pk, world["eng"].pk]).update(
        created_at=start - timedelta(days=30), changed_at=start - timedelta(days=30)
    )
    campaign = ReviewCampaign.objects.create(
        product=world["product"], name="March", starts_at=start, deadline=start + timedelta(days=6)
    )
    review_at(world["cs"], world["casey"], start + timedelta(hours=1))  # day 0
    review_at(world["cs"], world["dana"], start + timedelta(days=2))  # day 2
    Assignment.objects.filter(pk=world["cs"].pk).update(changed_at=start + timedelta(days=3))  # day 3: both stale
    review_at(world["cs"], world["casey"], start + timedelta(days=4))  # day 4: Casey again
    progress = campaigns.campaign_progress(campaign, now=start + timedelta(days=6))
    days = [date(2030, 3, d) for d in range(1, 8)]
    assert campaigns.reviewed_over_time(progress, days, tz) == [1, 1, 2, 0, 1, 1, 1]
    chart = charts.burnup_chart(start=days[0], deadline=days[-1], today=days[4], values=[1, 1, 2, 0, 1], total=4)
    assert chart.points[0].x == chart.left and chart.deadline_x == chart.right
    assert chart.points[2].y < chart.points[0].y < chart.points[3].y == chart.bottom
    assert chart.total_y == chart.top and chart.today_x is not None
    assert chart.line.count(",") == 5
    # "today" reads away from the nearer edge, so it never sits on the value axis's top label.
    assert chart.today_anchor == "end"
    first_day = charts.burnup_chart(start=days[0], deadline=days[-1], today=days[0], values=[1], total=4)
    assert first_day.today_x == first_day.left and first_day.today_anchor == "start"


def test_the_segments_of_a_bar_add_up_to_the_whole():
    # A disagreement has its own segment, not the green of agreement (issue 15: disputes shown green).
    tally = review_pairs.Tally(pairs=8, current=4, stale=1, pending=3, agreed=3, disagreed=1)
    assert tally.segments == [
        ("agreed", 0.0, 37.5),
        ("disputed", 37.5, 12.5),
        ("stale", 50.0, 12.5),
        ("pending", 62.5, 37.5),
    ]
    assert tally.bar_label == "4 of 8 reviewed, 1 disputed, 1 to re-confirm, 3 not reviewed"
    assert review_pairs.Tally().segments == []
