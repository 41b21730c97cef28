"""Invites (issue 4): sending, the signed single-use link, accepting, resending, revoking."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from roles.models import Invite, Membership, Stakeholder
from roles.services import invites as services
from tests.conftest import PASSWORD, client_for
from tests.factories import FunctionFactory, MembershipFactory, StakeholderFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
STRONG = "violet-harbour-trumpet-42"


@pytest.fixture
def person(org, cs_function):
    return StakeholderFactory(function=cs_function, full_name="Robin Reviewer", email="Robin@Acme.test")


@pytest.fixture
def sent(person, admin_user, eager_tasks, django_capture_on_commit_callbacks):
    """An invite for `person`, sent; returns (invite, accept path)."""
    with django_capture_on_commit_callbacks(execute=True):
        invite = services.invite_create(stakeholder=person, by=admin_user, base_url="http://testserver/")
    return invite, accept_path_from(mail.outbox[-1].body)


def accept_path_from(body: str) -> str:
    match = re.search(r"http://testserver(/invite/[^/\s]+/)", body)
    assert match, body
    return match.group(1)


def link_payload(path: str) -> dict:
    return signing.loads(path.split("/")[2], salt=services.SALT)


def no_account_for(email: str) -> bool:
    return not User.objects.filter(email__iexact=email).exists()


# --- sending ------------------------------------------------------------------------------------


def test_an_admin_invites_one_person_and_the_email_carries_the_link(
    admin_client_, person, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post("/o/acme/invites/new/", {"scope": "person", "email": "robin@acme.test"})
    assert response.status_code == 302
    invite = Invite.objects.get(stakeholder=person)
    assert invite.email == "Robin@Acme.test"
    assert invite.send_count == 1 and invite.sent_at is not None
    assert timedelta(days=6, hours=23) < invite.expires_at - timezone.now() <= timedelta(days=7)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Robin@Acme.test"]
    assert "Acme Analytics" in message.subject
    assert "Hello Robin Reviewer" in message.body and "Customer Success" in message.body
    path = accept_path_from(message.body)
    # The link's token names this invite (a signed token carries the second it was made in, so
    # one made again a second later differs: compare what it says, and that it opens the invite).
    assert re.fullmatch(r"/invite/[^/]+/", path) and link_payload(path) == {"i": invite.pk, "n": invite.nonce}
    assert services.invite_for_token(path.split("/")[2]) == invite
    html, kind = message.alternatives[0]
    assert kind == "text/html" and path in html and "Set my password and join" in html


def test_inviting_someone_who_already_joined_sends_nothing(admin_client_, stakeholder_user, eager_tasks):
    response = admin_client_.post("/o/acme/invites/new/", {"scope": "person", "email": "cs@acme.test"}, follow=True)
    assert "already has access" in response.content.decode()
    assert Invite.objects.count() == 0 and mail.outbox == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scope": "person", "email": "nobody@acme.test"}, "Nobody in Acme Analytics has the email nobody@acme.test"),
        ({"scope": "person", "email": ""}, "Give the email of the person to invite."),
        ({"scope": "person", "email": "not-an-email"}, "Enter a valid email address."),
        ({"scope": "function"}, "Choose the function whose people you want to invite."),
        ({"scope": "somebody"}, "Select a valid choice."),
    ],
)
def test_bad_invite_input_is_explained_and_writes_nothing(admin_client_, person, data, message):
    response = admin_client_.post("/o/acme/invites/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Invite.objects.count() == 0


def test_a_function_invite_reaches_only_the_people_not_invited_yet(
    admin_client_, org, cs_function, stakeholder_user, person, eager_tasks, django_capture_on_commit_callbacks
):
    StakeholderFactory(function=cs_function, email="fresh@acme.test")
    expired = StakeholderFactory(function=cs_function, email="expired@acme.test")
    revoked = StakeholderFactory(function=cs_function, email="revoked@acme.test")
    elsewhere = StakeholderFactory(function=FunctionFactory(organization=org, name="Sales"), email="sales@acme.test")
    services.invite_create(stakeholder=person, by=None)  # pending: skipped
    old = services.invite_create(stakeholder=expired, by=None)
    Invite.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    services.invite_revoke(invite=services.invite_create(stakeholder=revoked, by=None), by=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/o/acme/invites/new/", {"scope": "function", "function": cs_function.pk}, follow=True
        )
    assert "Invites sent to 2 people in Customer Success. 3 people skipped" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["expired@acme.test", "fresh@acme.test"]
    assert not Invite.objects.filter(stakeholder=elsewhere).exists()
    assert Invite.objects.filter(stakeholder=person).count() == 1


def test_everyone_not_invited_yet_spans_the_organization(
    admin_client_, org, cs_function, person, eager_tasks, django_capture_on_commit_callbacks
):
    sales = StakeholderFactory(function=FunctionFactory(organization=org, name="Sales"), email="sales@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post("/o/acme/invites/new/", {"scope": "everyone"})
    assert {m.to[0] for m in mail.outbox} == {person.email, sales.email}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post("/o/acme/invites/new/", {"scope": "everyone"}, follow=True)
    assert "Invites sent to 0 people" in response.content.decode()
    assert len(mail.outbox) == 2


def test_a_delivery_redelivered_sends_one_email(person, eager_tasks):
    invite = services.invite_create(stakeholder=person, by=None)
    assert services.invite_deliver(invite_id=invite.pk, expected_count=0) is True
    assert services.invite_deliver(invite_id=invite.pk, expected_count=0) is False
    assert len(mail.outbox) == 1
    invite.refresh_from_db()
    assert invite.send_count == 1


def test_a_failed_send_gives_its_claim_back(person, monkeypatch):
    invite = services.invite_create(stakeholder=person, by=None)

    def broken(**kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(services, "send_templated_email", broken)
    with pytest.raises(OSError):
        services.invite_deliver(invite_id=invite.pk, expected_count=0)
    invite.refresh_from_db()
    assert invite.send_count == 0 and invite.sent_at is None


# --- accepting ----------------------------------------------------------------------------------


def test_a_valid_link_sets_a_password_links_the_person_and_lands_on_my_role(client, sent, person):
    invite, path = sent
    page = client.get(path)
    assert page.status_code == 200
    assert "Join Acme Analytics" in page.content.decode() and "Robin@Acme.test" in page.content.decode()
    response = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302 and response.url == "/o/acme/me/"
    user = User.objects.get(username="robin@acme.test")
    assert user.email == "Robin@acme.test" and user.check_password(STRONG)  # Django lowercases the domain
    assert (user.first_name, user.last_name) == ("Robin", "Reviewer")
    person.refresh_from_db()
    assert person.user == user
    assert Membership.objects.get(user=user).access == Membership.Access.STAKEHOLDER
    invite.refresh_from_db()
    assert invite.accepted_at is not None
    assert client.get("/o/acme/me/").status_code == 200  # signed in


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("short", "short", "This password is too short"),
        ("password123", "password123", "This password is too common"),
        ("robin-reviewer", "robin-reviewer", "too similar"),
        (STRONG, STRONG + "x", "The two password fields"),
    ],
)
def test_a_weak_or_mistyped_password_changes_nothing(client, sent, person, first, second, message):
    invite, path = sent
    response = client.post(path, {"new_password1": first, "new_password2": second})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert no_account_for(person.email)
    invite.refresh_from_db()
    assert invite.accepted_at is None


def test_an_expired_link_says_so_and_changes_nothing(client, sent, person):
    invite, path = sent
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for response in (client.get(path), client.post(path, {"new_password1": STRONG, "new_password2": STRONG})):
        assert response.status_code == 410
        assert "This invite has expired" in response.content.decode()
    assert no_account_for(person.email)


def test_a_used_link_cannot_be_used_again(client, sent, person):
    _, path = sent
    client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    other = client_for(UserFactory(email="someone@else.test"))
    response = other.post(path, {"new_password1": "another-" + STRONG, "new_password2": "another-" + STRONG})
    assert response.status_code == 410
    assert "already used" in response.content.decode()
    assert User.objects.filter(email__iexact=person.email).count() == 1
    assert User.objects.get(email__iexact=person.email).check_password(STRONG)


def test_a_tampered_link_is_not_valid(client, sent, person):
    invite, path = sent
    token = path.split("/")[2]
    forged = signing.dumps({"i": invite.pk, "n": "guessed"}, salt="another-salt")
    altered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (altered, forged, "nonsense", signing.dumps({"i": invite.pk, "n": "guessed"}, salt=services.SALT)):
        response = client.post(f"/invite/{bad}/", {"new_password1": STRONG, "new_password2": STRONG})
        assert response.status_code == 404
        assert "not valid" in response.content.decode()
    assert no_account_for(person.email)


def test_a_revoked_link_is_withdrawn(client, admin_client_, sent, person):
    invite, path = sent
    admin_client_.post(f"/o/acme/invites/{invite.pk}/revoke/")
    response = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert no_account_for(person.email)


def test_a_member_of_another_organization_joins_with_their_own_password(outsider, org, eager_tasks):
    # The outsider (a leader of Globex) is also a person of Acme, under the same email.
    person = StakeholderFactory(function=FunctionFactory(organization=org), email="LEADER@globex.test")
    invite = services.invite_create(stakeholder=person, by=None)
    path = f"/invite/{services.token_for(invite)}/"
    client = client_for(UserFactory(email="visitor@nowhere.test"))
    client.logout()
    page = client.get(path)
    assert "You already have an account" in page.content.decode()
    wrong = client.post(path, {"password": "not-it"})
    assert "That is not the password of this account." in wrong.content.decode()
    assert Membership.objects.filter(user=outsider).count() == 1
    response = client.post(path, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == "/o/acme/me/"
    outsider.refresh_from_db()
    assert outsider.check_password(PASSWORD)  # the link never changes an existing password
    assert {m.organization.slug: m.access for m in outsider.memberships.all()} == {
        "globex": "leader",
        "acme": "stakeholder",
    }
    person.refresh_from_db()
    assert person.user == outsider


def test_an_invite_to_one_organization_opens_no_other(other_org, org, eager_tasks):
    person = StakeholderFactory(function=FunctionFactory(organization=other_org), email="new@globex.test")
    invite = services.invite_create(stakeholder=person, by=None)
    client = client_for(UserFactory(email="placeholder@x.test"))
    client.logout()
    client.post(f"/invite/{services.token_for(invite)}/", {"new_password1": STRONG, "new_password2": STRONG})
    assert client.get("/o/globex/me/").status_code == 200
    assert client.get("/o/acme/").status_code == 404
    assert client.get("/o/acme/me/").status_code == 404


def test_a_signed_in_account_joins_with_one_click_and_keeps_higher_access(admin_user, org):
    person = StakeholderFactory(function=FunctionFactory(organization=org), email=admin_user.email)
    invite = services.invite_create(stakeholder=person, by=None)
    client = client_for(admin_user)
    response = client.post(f"/invite/{services.token_for(invite)}/")
    assert response.status_code == 302
    assert Membership.objects.get(user=admin_user, organization=org).access == Membership.Access.ADMIN
    assert Stakeholder.objects.get(pk=person.pk).user == admin_user


def test_signed_in_as_someone_else_the_page_asks_to_sign_out(sent, leader):
    _, path = sent
    User.objects.create_user(username="robin@acme.test", email="robin@acme.test", password=PASSWORD)
    page = client_for(leader).get(path)
    assert "but you are signed in as leader@acme.test" in page.content.decode()


# --- resend and revoke --------------------------------------------------------------------------


def test_resend_extends_the_same_link_and_sends_it_again(
    admin_client_, sent, eager_tasks, django_capture_on_commit_callbacks
):
    invite, path = sent
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(f"/o/acme/invites/{invite.pk}/resend/")
    assert response.status_code == 302
    invite.refresh_from_db()
    assert invite.expires_at > timezone.now() + timedelta(days=6)
    assert invite.send_count == 2
    # The same link in what it names (invite and nonce), so the one first sent still works; its
    # text may differ by the signature's timestamp when a second ticks between the two sends.
    resent = accept_path_from(mail.outbox[1].body)
    assert len(mail.outbox) == 2 and link_payload(resent) == link_payload(path) == {"i": invite.pk, "n": invite.nonce}


def test_resend_refuses_a_revoked_or_accepted_invite(admin_client_, client, sent, person, eager_tasks):
    invite, _ = sent
    admin_client_.post(f"/o/acme/invites/{invite.pk}/revoke/")
    response = admin_client_.post(f"/o/acme/invites/{invite.pk}/resend/", follow=True)
    assert "This invite was revoked" in response.content.decode()
    invite.refresh_from_db()
    assert invite.send_count == 1
    fresh = services.invite_create(stakeholder=person, by=None)
    client.post(f"/invite/{services.token_for(fresh)}/", {"new_password1": STRONG, "new_password2": STRONG})
    response = admin_client_.post(f"/o/acme/invites/{fresh.pk}/resend/", follow=True)
    assert "already has access" in response.content.decode()


def test_revoking_an_accepted_invite_is_refused(admin_client_, client, sent):
    invite, path = sent
    client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    response = admin_client_.post(f"/o/acme/invites/{invite.pk}/revoke/", follow=True)
    assert "already accepted" in response.content.decode()
    invite.refresh_from_db()
    assert invite.revoked_at is None


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 403), ("admin", 200)],
)
def test_who_may_open_the_invite_page(request, who, status):
    client = _client(request, who)
    response = client.get("/o/acme/invites/new/")
    assert response.status_code == status
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "status", "sent_again"),
    [("outsider", 404, False), ("stakeholder", 403, False), ("leader", 403, False), ("admin", 302, True)],
)
def test_only_admins_resend(request, person, who, status, sent_again):
    """DESIGN §5: managing invites is an admin's; a leader asks an admin."""
    invite = services.invite_create(stakeholder=person, by=None)
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = _client(request, who).post(f"/o/acme/invites/{invite.pk}/resend/")
    assert response.status_code == status
    invite.refresh_from_db()
    assert (invite.expires_at > timezone.now()) is sent_again


def test_leaders_cannot_send_invites(request, person):
    response = _client(request, "leader").post("/o/acme/invites/new/", {"scope": "everyone"})
    assert response.status_code == 403
    assert Invite.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status", "revoked"),
    [
        ("anonymous", 302, False),
        ("outsider", 404, False),
        ("stakeholder", 403, False),
        ("leader", 403, False),
        ("admin", 302, True),
    ],
)
def test_only_admins_revoke(request, person, who, status, revoked):
    invite = services.invite_create(stakeholder=person, by=None)
    response = _client(request, who).post(f"/o/acme/invites/{invite.pk}/revoke/")
    assert response.status_code == status
    invite.refresh_from_db()
    assert (invite.revoked_at is not None) is revoked


def test_another_organizations_invite_answers_404(admin_client_, other_org):
    person = StakeholderFactory(function=FunctionFactory(organization=other_org))
    invite = services.invite_create(stakeholder=person, by=None)
    assert admin_client_.post(f"/o/acme/invites/{invite.pk}/revoke/").status_code == 404
    assert admin_client_.post(f"/o/acme/invites/{invite.pk}/resend/").status_code == 404


def test_stakeholders_cannot_send_invites(stakeholder_client, person):
    response = stakeholder_client.post("/o/acme/invites/new/", {"scope": "everyone"})
    assert response.status_code == 403
    assert Invite.objects.count() == 0


def _client(request, who):
    from django.test import Client

    if who == "anonymous":
        return Client()
    fixture = {"outsider": "outsider", "stakeholder": "stakeholder_user", "leader": "leader", "admin": "admin_user"}
    return client_for(request.getfixturevalue(fixture[who]))


# --- the people page's selector -----------------------------------------------------------------


def test_invite_states_name_every_kind_in_constant_queries(org, cs_function, stakeholder_user):
    def build(n: int) -> dict[str, Stakeholder]:
        people = {
            kind: StakeholderFactory(function=cs_function, email=f"{kind}{n}@acme.test")
            for kind in ("invited", "expired", "revoked", "none")
        }
        services.invite_create(stakeholder=people["invited"], by=None)
        old = services.invite_create(stakeholder=people["expired"], by=None)
        Invite.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(hours=1))
        services.invite_revoke(invite=services.invite_create(stakeholder=people["revoked"], by=None), by=None)
        return people

    people = build(1)
    joined = Stakeholder.objects.get(user=stakeholder_user)
    with CaptureQueriesContext(connection) as small:
        states = services.invite_states(org)
    assert states[joined.pk] == "joined"
    assert {kind: states.get(p.pk, "not_invited") for kind, p in people.items()} == {
        "invited": "invited",
        "expired": "expired",
        "revoked": "revoked",
        "none": "not_invited",
    }
    for n in range(2, 6):
        build(n)
    with CaptureQueriesContext(connection) as large:
        services.invite_states(org)
    assert len(small.captured_queries) == len(large.captured_queries) == 2
    assert services.invite_states(org, [people["invited"]]) == {people["invited"].pk: "invited"}


def test_a_signed_in_leader_who_accepts_keeps_the_leader_access(org):
    user = UserFactory(email="hand@acme.test")
    MembershipFactory(user=user, organization=org, access=Membership.Access.LEADER)
    person = StakeholderFactory(function=FunctionFactory(organization=org), email="hand@acme.test")
    invite = services.invite_create(stakeholder=person, by=None)
    services.invite_accept(token=services.token_for(invite), user=user)
    assert Membership.objects.get(user=user, organization=org).access == Membership.Access.LEADER


def test_a_new_address_opened_while_signed_in_as_someone_else_asks_to_sign_out_first(sent, leader):
    """Issue 16: the page used to create Robin's account and switch the leader's session to it."""
    _, path = sent
    client = client_for(leader)
    page = client.get(path)
    assert page.status_code == 200
    text = " ".join(page.text.split())
    assert "This invitation is for <strong>Robin@Acme.test</strong>, but you are signed in as leader@acme.test" in text
    assert 'name="new_password1"' not in text and f'name="next" value="{path}"' in text
    response = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 409
    assert no_account_for("robin@acme.test")
    assert int(client.session["_auth_user_id"]) == leader.pk  # still the leader
    assert Invite.objects.get().accepted_at is None
    # Signing out (back to the link) shows the password form.
    response = client.post("/accounts/logout/", {"next": path})
    assert response.status_code == 302 and response.url == path
    assert 'name="new_password1"' in client.get(path).text
