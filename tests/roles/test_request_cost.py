"""The fixed cost of a signed-in request (issue 13 item 8): the session comes from the cache, the
organization context (membership, organization, whether the user is a person there) from one
query, and the organization switcher's list only when it is opened."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roles.models import Membership
from roles.permissions import org_context

from ..factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _sql(client, url: str) -> tuple[int, list[str]]:
    client.get(url)  # warm: the session lands in the cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, [q["sql"] for q in captured.captured_queries]


def test_sessions_are_cached_and_written_through_to_the_database():
    assert settings.SESSION_ENGINE == "wholeproduct.sessions"


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_a_signed_in_page_reads_no_session_and_the_context_in_one_query(leader_client):
    response, sql = _sql(leader_client, reverse("disruption-list", kwargs={"org": "acme"}))
    assert not [q for q in sql if "django_session" in q]
    assert len([q for q in sql if "roles_membership" in q]) == 1
    assert not [q for q in sql if q.startswith('SELECT "roles_stakeholder"')]  # known from the membership
    # the user with the context (one statement), and the page's own count of disruptions (none:
    # no page to read)
    assert len(sql) == 2, sql
    assert sql[0].lstrip().startswith('SELECT u."id"') and "roles_membership" in sql[0]
    assert b"My role" not in response.content  # the leader is nobody's person here


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_navigation_offers_my_role_to_a_leader_who_is_also_a_person(leader_client, leader, cs_function):
    from ..factories import StakeholderFactory

    StakeholderFactory(function=cs_function, email=leader.email, user=leader)
    response, sql = _sql(leader_client, reverse("disruption-list", kwargs={"org": "acme"}))
    assert b"My role" in response.content and len(sql) == 2


def test_the_context_knows_the_person_and_loads_it_only_when_asked(stakeholder_user, leader):
    with CaptureQueriesContext(connection) as captured:
        ctx = org_context(stakeholder_user, "acme")
        assert ctx.has_person
    assert len(captured.captured_queries) == 1
    assert ctx.stakeholder.email == "cs@acme.test" and ctx.stakeholder.function.name == "Customer Success"
    ctx = org_context(leader, "acme")
    with CaptureQueriesContext(connection) as captured:
        assert not ctx.has_person and ctx.stakeholder is None
    assert captured.captured_queries == []


def test_pages_do_not_list_the_users_organizations_the_switcher_loads_them_when_opened(leader_client, leader):
    MembershipFactory(
        user=leader, organization=OrganizationFactory(name="Zeta Corp", slug="zeta"), access="stakeholder"
    )
    page = leader_client.get(reverse("disruption-list", kwargs={"org": "acme"})).content.decode()
    switcher = reverse("org-switcher", kwargs={"org": "acme"})
    assert f'hx-get="{switcher}"' in page and 'hx-trigger="toggle once"' in page
    assert "Zeta Corp" not in page
    listed = leader_client.get(switcher, HTTP_HX_REQUEST="true").content.decode()
    assert listed.index("Acme Analytics") < listed.index("Zeta Corp")
    assert 'href="/o/zeta/"' in listed and 'aria-current="true">Acme Analytics' in listed
    assert "Stakeholder" in listed and "Leader" in listed


def test_the_switcher_reads_the_same_queries_for_one_organization_as_for_five(leader_client, leader):
    switcher = reverse("org-switcher", kwargs={"org": "acme"})
    _, one = _sql(leader_client, switcher)
    for n in range(4):
        MembershipFactory(user=leader, organization=OrganizationFactory(slug=f"more-{n}"), access="leader")
    response, five = _sql(leader_client, switcher)
    assert len(one) == len(five) and response.content.decode().count("<li>") == 5


def test_the_switcher_of_another_organization_is_not_found(outsider_client, org):
    assert outsider_client.get(reverse("org-switcher", kwargs={"org": "acme"})).status_code == 404
    assert Membership.objects.filter(organization=org).count() == 0


def test_the_switcher_sends_an_anonymous_visitor_to_sign_in(client, org):
    response = client.get(reverse("org-switcher", kwargs={"org": "acme"}))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_context_is_the_membership_the_orm_would_load(stakeholder_user, cs_function, org, other_org):
    """org_context reads its one row with SQL written once (not built per request): the objects
    it makes are the ORM's own, and any field it did not read loads when first used."""
    from ..factories import StakeholderFactory

    # A second person of the same user here, later by name: the context names the first.
    StakeholderFactory(function=cs_function, email="cs2@acme.test", full_name="Zed Second", user=stakeholder_user)
    MembershipFactory(user=stakeholder_user, organization=other_org, access="leader")
    ctx = org_context(stakeholder_user, "acme")
    expected = Membership.objects.select_related("organization").get(user=stakeholder_user, organization=org)
    assert ctx.membership.pk == expected.pk and ctx.membership.access == "stakeholder"
    assert ctx.organization == expected.organization and ctx.organization.name == "Acme Analytics"
    assert ctx.organization.go_to_market == expected.organization.go_to_market
    assert ctx.membership.user is stakeholder_user and ctx.membership.organization is ctx.organization
    assert ctx.stakeholder.full_name == "Casey Success"
    assert ctx.membership.created_at == expected.created_at  # a field not read: loaded on use
    assert ctx.organization.created_at == expected.organization.created_at
    assert org_context(stakeholder_user, "globex").access == "leader"


def test_the_context_is_not_found_for_a_non_member_or_an_unknown_slug(outsider, leader):
    from django.http import Http404

    for user, slug in ((outsider, "acme"), (leader, "nowhere"), (leader, "globex")):
        with pytest.raises(Http404):
            org_context(user, slug)


def test_the_navigation_is_drawn_for_the_page_and_the_access_it_is_asked_for(
    leader_client, stakeholder_client, admin_client_
):
    """The links are rendered once per kind of page and reused: each page still marks itself
    and shows only what the requester's access allows."""
    url = reverse("disruption-list", kwargs={"org": "acme"})
    leader_page = leader_client.get(url).content.decode()
    assert leader_page.count('href="/o/acme/web/disruptions/" aria-current="page"') == 2
    assert leader_page.count('aria-label="Organization menu"') == 1 and 'class="sidenav"' in leader_page
    assert "/o/acme/import/" in leader_page and "/o/acme/members/" not in leader_page
    dashboard = leader_client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert dashboard.count('href="/o/acme/" aria-current="page"') == 2
    assert 'href="/o/acme/web/disruptions/" aria-current' not in dashboard
    stakeholder_page = stakeholder_client.get(url).content.decode()
    assert "/o/acme/me/" in stakeholder_page and "/o/acme/import/" not in stakeholder_page
    assert "/o/acme/reviews/" not in stakeholder_page
    assert "/o/acme/members/" in admin_client_.get(url).content.decode()


# --- the user read with the context (roles.permissions.read_ahead) ----------------------------


def test_the_user_read_with_the_context_is_the_one_the_orm_reads(leader):
    from django.contrib.auth import SESSION_KEY
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    from roles.permissions import read_ahead

    leader.last_login = leader.date_joined
    leader.save()
    request = RequestFactory().get("/")
    request.session = {SESSION_KEY: str(leader.pk)}
    ahead = read_ahead(request, "acme")
    expected = User.objects.get(pk=leader.pk)
    for field in User._meta.concrete_fields:
        assert getattr(ahead.user, field.attname) == getattr(expected, field.attname), field.name
    assert ahead.user.is_active is True and ahead.user.is_superuser is False  # booleans, not 0 and 1
    assert ahead.user.get_deferred_fields() == set()
    assert org_context(ahead.user, "acme", row=ahead.row).membership.access == "leader"
    # Another organization's slug: the user still, an empty context (no membership there).
    other = read_ahead(request, "globex")
    assert other.user.pk == leader.pk
    from django.http import Http404

    with pytest.raises(Http404):
        org_context(other.user, "globex", row=other.row)
    # No user in the session, or one that is gone: nothing read ahead.
    request.session = {}
    assert read_ahead(request, "acme") is None
    request.session = {SESSION_KEY: "not a number"}
    assert read_ahead(request, "acme") is None
    request.session = {SESSION_KEY: str(leader.pk + 1000)}
    assert read_ahead(request, "acme") is None


@pytest.mark.usefixtures("drawn")
def test_a_session_whose_password_changed_is_signed_out_as_before(leader_client, leader):
    """Django still decides who is signed in: the session's hash of an old password signs no one in."""
    url = reverse("disruption-list", kwargs={"org": "acme"})
    assert leader_client.get(url).status_code == 200
    leader.set_password("a new password, elsewhere")
    leader.save()
    response = leader_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert leader_client.get(url).status_code == 302  # the session was flushed


@pytest.mark.usefixtures("drawn")
def test_a_deactivated_user_is_signed_out_and_a_non_member_finds_nothing(leader_client, leader, outsider_client):
    url = reverse("disruption-list", kwargs={"org": "acme"})
    assert outsider_client.get(url).status_code == 404
    with CaptureQueriesContext(connection) as captured:
        assert outsider_client.get(url).status_code == 404
    assert len(captured.captured_queries) == 1  # the user and the (empty) context
    leader.is_active = False
    leader.save()
    response = leader_client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.usefixtures("drawn")
def test_a_user_read_before_the_page_is_not_read_again(leader_client, leader, monkeypatch):
    """When something asked who the requester is before the page (a middleware), the page reads the
    context alone, as it did before: no row is read twice, none is trusted that Django did not check."""
    from django.contrib.auth import get_user

    from roles import permissions

    original = permissions.read_ahead

    def asked_first(request, org_slug):
        request._cached_user = get_user(request)
        return original(request, org_slug)

    monkeypatch.setattr(permissions, "read_ahead", asked_first)
    _response, sql = _sql(leader_client, reverse("disruption-list", kwargs={"org": "acme"}))
    assert len(sql) == 3 and sql[0].startswith('SELECT "auth_user"'), sql
