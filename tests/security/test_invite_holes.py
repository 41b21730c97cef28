"""Issue 16's two HIGH holes, replayed step by step as a leader would try them, and refused.

1. A leader creates a person with an outsider's email through the API, starts a review campaign,
   and its reminders used to send that address an account invitation.
2. A leader edits a person's email to their own, then a campaign or a resend used to send the
   person's invitation link to the new address, and its holder took over the account.

Each test asserts what matters: no invitation row, no email to the address, no user, no membership.
"""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from layers.models import ReviewCampaign
from layers.tasks import reviews as tasks
from roles.models import Invite, Membership, Stakeholder
from roles.services import invites as invite_services
from roles.services import people as people_services
from tests.api.conftest import token_client
from tests.conftest import client_for
from tests.factories import AssignmentFactory, ProductFactory, StakeholderFactory, UserFactory, layer
from wholeproduct.errors import DomainError, Forbidden

pytestmark = pytest.mark.django_db
User = get_user_model()
MALLORY = "mallory@evil.test"


@pytest.fixture
def product(org, cs_function):
    product = ProductFactory(organization=org, name="Insights Cloud", slug="insights")
    AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"), emphasis="lead")
    return product


def start_campaign(leader, product, captured) -> ReviewCampaign:
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    with captured(execute=True):
        response = client_for(leader).post("/o/acme/campaigns/new/", {"product": product.pk, "deadline": deadline})
    assert response.status_code == 302
    return ReviewCampaign.objects.get(product=product, status=ReviewCampaign.Status.OPEN)


def sent_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address.lower() in (t.lower() for t in m.to)]


def test_a_leader_cannot_bring_an_outsider_in_through_the_api_and_a_campaign(
    leader, org, cs_function, product, eager_tasks, django_capture_on_commit_callbacks
):
    # Step 1: the leader creates a person with the outsider's address through the API.
    api = token_client(leader)
    body = {"full_name": "Mallory Outsider", "email": MALLORY, "function": cs_function.pk}
    response = api.post("/api/v1/orgs/acme/stakeholders/", body, format="json")
    assert response.status_code == 201
    mallory = Stakeholder.objects.get(email=MALLORY)
    assert mallory.created_by == leader  # and the row says who did it

    # Step 2: they start a campaign, remind now, and the daily run goes by.
    campaign = start_campaign(leader, product, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(leader).post(f"/o/acme/campaigns/{campaign.pk}/remind/").status_code == 302
        tasks.campaigns_daily.delay()

    # Refused: nothing went to the outsider, and nothing was created for them.
    assert sent_to(MALLORY) == []
    assert not Invite.objects.exists()
    assert not User.objects.filter(email__iexact=MALLORY).exists()
    assert Membership.objects.filter(organization=org).count() == 1  # the leader alone

    # Step 3: the leader tries the invite page and the service directly: both refuse.
    response = client_for(leader).post("/o/acme/invites/new/", {"scope": "person", "email": MALLORY})
    assert response.status_code == 403
    with pytest.raises(Forbidden, match="Only an admin"):
        invite_services.invite_create(stakeholder=mallory, by=leader)
    with pytest.raises(Forbidden):
        invite_services.invite_everyone(organization=org, by=leader)
    assert not Invite.objects.exists() and sent_to(MALLORY) == []


def test_the_campaign_page_lists_people_without_an_account_with_the_invite_action_for_admins_only(
    leader, admin_user, cs_function, product, django_capture_on_commit_callbacks
):
    StakeholderFactory(function=cs_function, full_name="Noah Newcomer", email="noah@acme.test")
    campaign = start_campaign(leader, product, django_capture_on_commit_callbacks)
    admin_page = " ".join(client_for(admin_user).get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    leader_page = " ".join(client_for(leader).get(f"/o/acme/campaigns/{campaign.pk}/").text.split())
    assert "No account yet" in admin_page and "Noah Newcomer" in admin_page
    assert "/o/acme/invites/new/?email=noah%40acme.test" in admin_page
    assert "No account yet" in leader_page and "/o/acme/invites/new/" not in leader_page
    assert "only an admin can invite them" in leader_page


def test_a_leader_cannot_take_over_an_account_by_editing_an_email(
    leader, admin_user, org, cs_function, product, eager_tasks, django_capture_on_commit_callbacks
):
    # Vera has an invitation for vera@ (sent by an admin) that she has not used yet.
    vera = StakeholderFactory(function=cs_function, full_name="Vera Valid", email="vera@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        invite = invite_services.invite_create(stakeholder=vera, by=admin_user, base_url="http://testserver/")
    link = re.search(r"http://testserver(/invite/[^/\s]+/)", mail.outbox[-1].body).group(1)
    mail.outbox.clear()

    # Step 1: the leader edits Vera's email to mallory@ (the form; the API would do the same).
    response = client_for(leader).post(
        f"/o/acme/people/{vera.pk}/edit/",
        {"full_name": "Vera Valid", "email": MALLORY, "function": cs_function.pk, "title": ""},
    )
    assert response.status_code == 302
    invite.refresh_from_db()
    assert invite.revoked_at is not None and invite.email == "vera@acme.test"  # bound to the old address

    # Step 2: a campaign, a reminder run and an admin's resend of the old invitation.
    campaign = start_campaign(leader, product, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(leader).post(f"/o/acme/campaigns/{campaign.pk}/remind/")
        tasks.campaign_remind.delay(campaign.pk, "http://testserver/")
    with pytest.raises(DomainError, match="revoked"):
        invite_services.invite_resend(invite=invite, by=admin_user)
    assert client_for(admin_user).post(f"/o/acme/invites/{invite.pk}/resend/").status_code == 302
    assert sent_to(MALLORY) == [] and sent_to("vera@acme.test") == []
    assert Invite.objects.filter(stakeholder=vera).count() == 1

    # Step 3: mallory (who saw the link somehow) opens it: withdrawn, no account made.
    response = client_for(UserFactory(email="someone@else.test")).get(link)
    assert response.status_code == 410
    from django.test import Client

    response = Client().post(link, {"new_password1": "violet-harbour-42", "new_password2": "violet-harbour-42"})
    assert response.status_code == 410
    assert not User.objects.filter(email__iexact=MALLORY).exists()
    assert not User.objects.filter(email__iexact="vera@acme.test").exists()
    vera.refresh_from_db()
    assert vera.user_id is None
    assert Membership.objects.filter(organization=org).count() == 2  # admin and leader only


def test_a_queued_invite_is_not_delivered_after_the_email_changes(
    admin_user, leader, cs_function, eager_tasks, django_capture_on_commit_callbacks
):
    vera = StakeholderFactory(function=cs_function, full_name="Vera Valid", email="vera@acme.test")
    invite = invite_services.invite_create(stakeholder=vera, by=admin_user)  # its send waits for the commit
    people_services.stakeholder_update(
        stakeholder=vera, full_name="Vera Valid", email=MALLORY, function=cs_function, title="", by=leader
    )
    assert invite_services.invite_deliver(invite_id=invite.pk, expected_count=0) is False
    assert mail.outbox == []


@pytest.mark.parametrize("way", ["form", "api", "service"])
def test_a_linked_persons_email_cannot_be_changed_by_a_leader(leader, org, stakeholder_user, cs_function, way):
    casey = stakeholder_user.stakeholders.get()
    data = {"full_name": "Casey Success", "email": MALLORY, "function": cs_function.pk, "title": ""}
    message = "has an account, so their email is the account's (cs@acme.test)"
    if way == "form":
        response = client_for(leader).post(f"/o/acme/people/{casey.pk}/edit/", data)
        assert response.status_code == 200 and message in html.unescape(response.text)
    elif way == "api":
        response = token_client(leader).patch(
            f"/api/v1/orgs/acme/stakeholders/{casey.pk}/", {"email": MALLORY}, format="json"
        )
        assert response.status_code == 400 and message in response.json()["fields"]["email"][0]
    else:
        with pytest.raises(DomainError, match="has an account"):
            people_services.stakeholder_update(
                stakeholder=casey, full_name="Casey", email=MALLORY, function=cs_function, title="", by=leader
            )
    casey.refresh_from_db()
    stakeholder_user.refresh_from_db()
    assert (casey.email, stakeholder_user.email) == ("cs@acme.test", "cs@acme.test")


def test_the_person_form_shows_a_linked_email_as_read_only(leader, stakeholder_user):
    casey = stakeholder_user.stakeholders.get()
    html = client_for(leader).get(f"/o/acme/people/{casey.pk}/edit/").text
    assert re.search(r'<input[^>]*name="email"[^>]*readonly', html)
    assert "Linked to their account: only they can change it." in html


def test_a_changed_case_only_is_not_an_email_change(leader, stakeholder_user, cs_function):
    casey = stakeholder_user.stakeholders.get()
    people_services.stakeholder_update(
        stakeholder=casey, full_name="Casey S", email="CS@acme.test", function=cs_function, title="", by=leader
    )
    casey.refresh_from_db()
    assert casey.full_name == "Casey S"


def test_invitations_are_limited_per_organization_with_a_clear_message(
    settings, admin_user, admin_client_, org, cs_function
):
    settings.INVITES_PER_HOUR = 2
    people = [StakeholderFactory(function=cs_function, email=f"p{i}@acme.test") for i in range(3)]
    invite_services.invite_create(stakeholder=people[0], by=admin_user)
    with pytest.raises(invite_services.InviteLimitReached, match="limited to 2 an hour"):
        invite_services.invite_everyone(organization=org, by=admin_user)  # two more would make three
    assert Invite.objects.count() == 1
    invite_services.invite_create(stakeholder=people[1], by=admin_user)
    response = admin_client_.post("/o/acme/invites/new/", {"scope": "person", "email": "p2@acme.test"})
    assert response.status_code == 200
    assert "Invitations are limited to 2 an hour for an organization" in response.text
    assert Invite.objects.count() == 2
    # An hour later the organization may invite again.
    hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    Invite.objects.update(requested_at=hour_ago)
    Invite.history.update(requested_at=hour_ago)  # the sends are counted from the history's stamps
    invite_services.invite_create(stakeholder=people[2], by=admin_user)
    assert Invite.objects.count() == 3


def test_every_service_records_who_created_people_functions_products_and_invites(admin_user, leader, org, cs_function):
    from layers.services.products import product_create
    from roles.services.functions import function_create

    person = people_services.stakeholder_create(
        organization=org, full_name="Ann", email="ann@acme.test", function=cs_function, by=leader
    )
    function = function_create(organization=org, name="Legal", category="cross_functional", by=leader)
    product = product_create(organization=org, name="Atlas", by=leader)
    invite = invite_services.invite_create(stakeholder=person, by=admin_user)
    assert [x.created_by for x in (person, function, product, invite)] == [leader, leader, leader, admin_user]


# --- what else a leader could try ------------------------------------------------------------------


def test_a_leader_cannot_flood_inboxes_by_closing_and_restarting_campaigns(
    leader, stakeholder_user, product, eager_tasks, django_capture_on_commit_callbacks
):
    from layers.services import campaigns

    for _ in range(3):
        campaign = start_campaign(leader, product, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            client_for(leader).post(f"/o/acme/campaigns/{campaign.pk}/remind/")
        campaigns.campaign_close(campaign=campaign)
    assert len(sent_to("cs@acme.test")) == 1  # the first campaign's request only
    # Once REMIND_EVERY has passed, a new campaign asks again.
    later = timezone.now() + campaigns.REMIND_EVERY + timedelta(hours=1)
    campaign = campaigns.campaign_start(product=product, deadline=later + timedelta(days=3), by=leader, now=later)
    mail.outbox.clear()
    campaigns.campaign_send_reminders(campaign_id=campaign.pk, now=later)
    assert [m.to for m in mail.outbox] == [["cs@acme.test"]]


def test_a_resolution_notice_never_goes_to_an_address_a_leader_typed(
    leader, org, cs_function, product, eager_tasks, django_capture_on_commit_callbacks
):
    """A person without an account (imported, say) who has a review: a leader edits their email,
    then resolves the dispute. The notice would carry the review to the new address: not sent."""
    from layers.models import Assignment, Review
    from layers.services import reviews

    unlinked = StakeholderFactory(function=cs_function, full_name="Una Linked", email="una@acme.test")
    review = Review.objects.create(
        assignment=Assignment.objects.get(product=product), stakeholder=unlinked, verdict="disagree", comment="No."
    )
    people_services.stakeholder_update(
        stakeholder=unlinked, full_name="Una Linked", email=MALLORY, function=cs_function, title="", by=leader
    )
    Review.objects.filter(pk=review.pk).update(resolved_at=timezone.now(), resolution="kept", resolved_by=leader)
    assert reviews.notify_resolution(review_id=review.pk) is False
    assert sent_to(MALLORY) == []


def test_a_leader_cannot_link_a_person_to_an_account_through_the_api(leader, stakeholder_user, cs_function):
    person = StakeholderFactory(function=cs_function, full_name="Pat", email="pat@acme.test")
    response = token_client(leader).patch(
        f"/api/v1/orgs/acme/stakeholders/{person.pk}/", {"user": stakeholder_user.pk, "is_linked": True}, format="json"
    )
    assert response.status_code in (200, 400)
    person.refresh_from_db()
    assert person.user_id is None


def test_resending_one_invitation_over_and_over_counts_against_the_hourly_limit(
    settings, admin_user, cs_function, eager_tasks, django_capture_on_commit_callbacks
):
    """Each send is an invitation sent (settings: "created or resent"): resending the same row
    again and again must not mail one address past the organization's limit."""
    settings.INVITES_PER_HOUR = 3
    vera = StakeholderFactory(function=cs_function, full_name="Vera Valid", email="vera@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        invite = invite_services.invite_create(stakeholder=vera, by=admin_user)
    for _ in range(2):  # two more requests, each delivered before the next
        with django_capture_on_commit_callbacks(execute=True):
            invite_services.invite_resend(invite=invite, by=admin_user)
    with pytest.raises(invite_services.InviteLimitReached, match="limited to 3 an hour"):
        invite_services.invite_resend(invite=invite, by=admin_user)
    assert len(sent_to("vera@acme.test")) == 3
    # An hour later the same invitation may be sent again.
    hour_ago = timezone.now() - timedelta(hours=1, minutes=1)
    Invite.objects.update(requested_at=hour_ago)
    Invite.history.update(requested_at=hour_ago)
    with django_capture_on_commit_callbacks(execute=True):
        invite_services.invite_resend(invite=invite, by=admin_user)
    assert len(sent_to("vera@acme.test")) == 4
