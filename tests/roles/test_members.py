"""The members page (issue 4): admins only; change access, remove, never the last admin nor yourself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from roles.models import Membership, Stakeholder
from roles.services import invites
from roles.services import members as services
from tests.conftest import client_for
from tests.factories import FunctionFactory, MembershipFactory, StakeholderFactory, UserFactory
from wholeproduct.errors import DomainError

pytestmark = pytest.mark.django_db
Access = Membership.Access


def membership(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def _client(request, who):
    if who == "anonymous":
        return Client()
    fixture = {"outsider": "outsider", "stakeholder": "stakeholder_user", "leader": "leader", "admin": "admin_user"}
    return client_for(request.getfixturevalue(fixture[who]))


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 403), ("admin", 200)]
)
def test_only_admins_open_the_members_page(request, org, who, status):
    response = _client(request, who).get("/o/acme/members/")
    assert response.status_code == status
    if who == "anonymous":
        assert response.url.startswith("/accounts/login/")


def test_the_page_lists_members_their_person_and_the_invites(admin_client_, stakeholder_user, leader, cs_function):
    pending = StakeholderFactory(function=cs_function, full_name="Pat Pending", email="pat@acme.test")
    invites.invite_create(stakeholder=pending, by=None)
    html = admin_client_.get("/o/acme/members/").content.decode()
    for text in ("cs@acme.test", "leader@acme.test", "admin@acme.test", "Casey Success", "Pat Pending", "Pending"):
        assert text in html
    assert "That's you" in html  # the admin's own row has no actions
    assert "Invite everyone not invited yet (0)" in html


def test_the_nav_shows_members_to_admins_only(admin_client_, leader_client):
    assert 'href="/o/acme/members/"' in admin_client_.get("/o/acme/").content.decode()
    assert 'href="/o/acme/members/"' not in leader_client.get("/o/acme/").content.decode()


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_page_runs_the_same_queries_for_few_or_many_members(admin_client_, org, django_assert_num_queries):
    def add(n: int) -> None:
        for i in range(n):
            user = UserFactory(email=f"m{n}-{i}@acme.test")
            MembershipFactory(user=user, organization=org, access=Access.STAKEHOLDER)
            person = StakeholderFactory(
                function=FunctionFactory(organization=org), email=f"p{n}-{i}@acme.test", user=user
            )
            invites.invite_create(stakeholder=StakeholderFactory(function=person.function), by=None)

    add(2)
    with CaptureQueriesContext(connection) as small:
        admin_client_.get("/o/acme/members/")
    add(12)
    with django_assert_num_queries(len(small.captured_queries)):
        admin_client_.get("/o/acme/members/")


# --- change access ------------------------------------------------------------------------------


def test_an_admin_changes_a_members_access(admin_client_, org, leader):
    response = admin_client_.post(f"/o/acme/members/{membership(leader, org).pk}/access/", {"access": "admin"})
    assert response.status_code == 302
    assert membership(leader, org).access == Access.ADMIN


@pytest.mark.parametrize(("who", "status"), [("outsider", 404), ("stakeholder", 403), ("leader", 403)])
def test_non_admins_cannot_change_access(request, org, stakeholder_user, who, status):
    target = membership(stakeholder_user, org)
    response = _client(request, who).post(f"/o/acme/members/{target.pk}/access/", {"access": "admin"})
    assert response.status_code == status
    assert membership(stakeholder_user, org).access == Access.STAKEHOLDER


def test_a_bad_access_value_changes_nothing(admin_client_, org, leader):
    response = admin_client_.post(
        f"/o/acme/members/{membership(leader, org).pk}/access/", {"access": "owner"}, follow=True
    )
    assert "Choose admin, leader or stakeholder." in response.content.decode()
    assert membership(leader, org).access == Access.LEADER


def test_an_admin_cannot_change_their_own_access(admin_client_, org, admin_user, leader):
    response = admin_client_.post(
        f"/o/acme/members/{membership(admin_user, org).pk}/access/", {"access": "stakeholder"}, follow=True
    )
    assert "You cannot change your own membership" in response.content.decode()
    assert membership(admin_user, org).access == Access.ADMIN


def test_the_last_admin_cannot_be_demoted_or_removed(org, admin_user):
    last = membership(admin_user, org)
    with pytest.raises(DomainError, match="last admin"):
        services.membership_set_access(membership=last, access=Access.LEADER, by=None)
    with pytest.raises(DomainError, match="last admin"):
        services.membership_remove(membership=last, by=None)
    assert membership(admin_user, org).access == Access.ADMIN


def test_with_a_second_admin_one_may_demote_the_other(org, admin_user, leader):
    services.membership_set_access(membership=membership(leader, org), access=Access.ADMIN, by=admin_user)
    services.membership_set_access(membership=membership(admin_user, org), access=Access.LEADER, by=leader)
    assert membership(admin_user, org).access == Access.LEADER


def test_another_organizations_membership_answers_404(admin_client_, outsider, other_org):
    target = membership(outsider, other_org)
    assert admin_client_.post(f"/o/acme/members/{target.pk}/access/", {"access": "stakeholder"}).status_code == 404
    assert admin_client_.post(f"/o/acme/members/{target.pk}/remove/").status_code == 404
    assert membership(outsider, other_org).access == Access.LEADER


# --- remove -------------------------------------------------------------------------------------


def test_removing_a_member_unlinks_their_person_record(admin_client_, org, stakeholder_user):
    response = admin_client_.post(f"/o/acme/members/{membership(stakeholder_user, org).pk}/remove/")
    assert response.status_code == 302
    assert not Membership.objects.filter(user=stakeholder_user, organization=org).exists()
    person = Stakeholder.objects.get(email="cs@acme.test")
    assert person.user is None  # can be invited again
    assert client_for(stakeholder_user).get("/o/acme/").status_code == 404


def test_an_admin_cannot_remove_themselves(admin_client_, org, admin_user):
    response = admin_client_.post(f"/o/acme/members/{membership(admin_user, org).pk}/remove/", follow=True)
    assert "You cannot remove your own membership" in response.content.decode()
    assert Membership.objects.filter(user=admin_user, organization=org).exists()


@pytest.mark.parametrize(
    ("who", "status"), [("anonymous", 302), ("outsider", 404), ("stakeholder", 403), ("leader", 403)]
)
def test_non_admins_cannot_remove(request, org, stakeholder_user, who, status):
    target = membership(stakeholder_user, org)
    assert _client(request, who).post(f"/o/acme/members/{target.pk}/remove/").status_code == status
    assert Membership.objects.filter(pk=target.pk).exists()


def test_a_get_on_an_action_is_refused(admin_client_, org, leader):
    assert admin_client_.get(f"/o/acme/members/{membership(leader, org).pk}/remove/").status_code == 405


# --- a page whatever the organization's size (issue 13 item 9) -----------------------------------


def test_the_members_page_searches_by_name_or_email_and_pages_the_matches(admin_client_, org, leader):
    for i in range(3):
        MembershipFactory(user=UserFactory(email=f"finder-{i}@acme.test"), organization=org)
    html = admin_client_.get("/o/acme/members/", {"q": "FINDER-"}).content.decode()
    assert html.count('<tr id="member-') == 3 and "leader@acme.test" not in html
    assert 'aria-label="Member pages"' in html and "Showing 1\u20133 of 3 members matching the filter" in html
    name = leader.get_full_name().split()[0] if leader.get_full_name() else "leader"
    assert "leader@acme.test" in admin_client_.get("/o/acme/members/", {"q": name}).content.decode()


def test_the_function_to_invite_is_picked_with_an_autocomplete_not_a_list_of_every_function(
    admin_client_, org, cs_function, other_org
):
    for i in range(5):
        FunctionFactory(organization=org, name=f"Team {i}")
    FunctionFactory(organization=other_org, name="Team elsewhere")
    html = admin_client_.get("/o/acme/members/").content.decode()
    assert "Team 3" not in html and 'role="combobox"' in html and "/o/acme/functions/search/" in html
    options = admin_client_.get("/o/acme/functions/search/", {"q": "team"}).content.decode()
    assert options.count('role="option"') == 5 and "Team elsewhere" not in options
    assert "Type a function" in admin_client_.get("/o/acme/functions/search/").content.decode()


def test_a_function_invite_without_javascript_takes_the_typed_name(
    admin_client_, cs_function, eager_tasks, django_capture_on_commit_callbacks
):
    StakeholderFactory(function=cs_function, email="typed@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_.post(
            "/o/acme/invites/new/", {"scope": "function", "function_text": "customer success"}, follow=True
        )
    assert "Invites sent to 1 person in Customer Success." in response.content.decode()
    response = admin_client_.post("/o/acme/invites/new/", {"scope": "function", "function_text": "Nobody here"})
    assert response.status_code == 200 and "No function is called “Nobody here”" in response.content.decode()


def test_the_people_counts_equal_the_bulk_invite_rule(org, cs_function, stakeholder_user):
    person = StakeholderFactory(function=cs_function)
    fresh = StakeholderFactory(function=cs_function)
    expired, revoked = StakeholderFactory(function=cs_function), StakeholderFactory(function=cs_function)
    invites.invite_create(stakeholder=person, by=None)
    invites.invite_create(stakeholder=fresh, by=None)
    invites.invite_create(stakeholder=fresh, by=None)  # twice: still one person held back
    old = invites.invite_create(stakeholder=expired, by=None)
    old.expires_at = old.created_at
    old.save(update_fields=["expires_at"])
    invites.invite_revoke(invite=invites.invite_create(stakeholder=revoked, by=None), by=None)
    people = Stakeholder.objects.filter(organization=org)
    assert invites.counts(org) == {
        "total": people.count(),
        "joined": people.filter(user__isnull=False).count(),
        "invitable": invites.invitable(people).count(),
    }


def test_a_members_row_escapes_their_name_and_email_and_offers_the_other_accesses(admin_client_, org):
    user = UserFactory(email="o'brien@acme.test", first_name="<b>Pat</b>", last_name="O'Brien")
    membership = MembershipFactory(user=user, organization=org, access=Membership.Access.LEADER)
    html = admin_client_.get("/o/acme/members/").content.decode()
    row = html[html.index(f'<tr id="member-{membership.pk}">') :]
    row = row[: row.index("</tr>")]
    assert "<b>" not in row and "&lt;b&gt;Pat&lt;/b&gt; O&#x27;Brien" in row
    assert 'data-confirm="Remove o&#x27;brien@acme.test from Acme Analytics? They can be invited again."' in row
    assert '<option value="leader" selected>' in row and 'action="/o/acme/members/' in row
    assert row.count('name="csrfmiddlewaretoken"') == 2


@pytest.mark.parametrize(("zone", "day"), [("UTC", "5 Dec 2026"), ("Europe/Berlin", "6 Dec 2026")])
def test_a_members_row_says_the_day_they_joined_in_the_sites_time_zone(admin_client_, org, settings, zone, day):
    """The row's date is the site's calendar day, as a template's date filter gives it."""
    settings.TIME_ZONE = zone
    membership = MembershipFactory(organization=org, access=Membership.Access.LEADER)
    Membership.objects.filter(pk=membership.pk).update(created_at=datetime(2026, 12, 5, 23, 30, tzinfo=UTC))
    html = admin_client_.get("/o/acme/members/").content.decode()
    row = html[html.index(f'<tr id="member-{membership.pk}">') :]
    assert f'<td class="nowrap muted small">{day}</td>' in row[: row.index("</tr>")]
