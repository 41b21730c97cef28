"""The activity log (issue 16): every write to members, invitations, people and functions is
recorded with who and when (django-simple-history), and admins read it in plain words."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from roles.models import Function, Invite, Membership, Stakeholder
from roles.selectors.activity import PAGE_SIZE
from roles.services import invites as invite_services
from roles.services import members as member_services
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LOG = "/o/acme/activity/"
STRONG = "violet-harbour-trumpet-42"


def lines(client: Client, query: str = "") -> list[str]:
    """The log's rows as "who | what", newest first."""
    page = client.get(LOG + query).text
    rows = re.findall(r"<tr>\s*<td[^>]*><time[^>]*>[^<]*</time></td>\s*<td>([^<]*)</td>\s*<td>(.*?)</td>", page, re.S)
    return [html.unescape(f"{who} | {re.sub(r'<[^>]+>', '', what).strip()}") for who, what in rows]


def name(user) -> str:
    return user.get_full_name() or user.email


def test_people_and_function_writes_from_the_pages_are_recorded_with_who(admin_client_, leader, cs_function):
    leader_client = client_for(leader)
    leader_client.post("/o/acme/functions/new/", {"name": "Legal", "category": "cross_functional"})
    legal = Function.objects.get(name="Legal")
    leader_client.post(
        "/o/acme/people/new/", {"full_name": "Robin Reviewer", "email": "robin@acme.test", "function": cs_function.pk}
    )
    robin = Stakeholder.objects.get(email="robin@acme.test")
    leader_client.post(
        f"/o/acme/people/{robin.pk}/edit/",
        {"full_name": "Robin Reviewer", "email": "robin.r@acme.test", "function": legal.pk, "title": "Counsel"},
    )
    log = lines(admin_client_)
    assert log[:3] == [
        f"{name(leader)} | Person Changed Robin Reviewer: email “robin@acme.test” → “robin.r@acme.test”; "
        "title “—” → “Counsel”; moved from Customer Success to Legal",
        f"{name(leader)} | Person Added Robin Reviewer (robin@acme.test) to Customer Success",
        f"{name(leader)} | Function Added the function Legal",
    ]
    assert robin.history.count() == 2 and robin.history.first().history_user == leader


def test_invitations_and_memberships_are_recorded_from_sending_to_joining(
    admin_user, admin_client_, org, cs_function, eager_tasks, django_capture_on_commit_callbacks
):
    robin = Stakeholder.objects.create(
        organization=org, function=cs_function, full_name="Robin Reviewer", email="robin@acme.test"
    )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post("/o/acme/invites/new/", {"scope": "person", "email": "robin@acme.test"})
    link = re.search(r"http://testserver(/invite/[^/\s]+/)", mail.outbox[-1].body).group(1)
    invite = Invite.objects.get()
    admin_client_.post(f"/o/acme/invites/{invite.pk}/resend/")
    Client().post(link, {"new_password1": STRONG, "new_password2": STRONG})
    robin.refresh_from_db()
    member = Membership.objects.get(user=robin.user)
    admin_client_.post(f"/o/acme/members/{member.pk}/access/", {"access": "leader"})
    log, admin = lines(admin_client_), name(admin_user)
    assert log[:6] == [
        f"{admin} | Member Changed Robin Reviewer's access from stakeholder to leader",
        "Robin Reviewer | Invitation robin@acme.test accepted the invitation",
        "Robin Reviewer | Member Gave Robin Reviewer stakeholder access",
        "Robin Reviewer | Person Changed Robin Reviewer: linked to the account Robin Reviewer",
        f"{admin} | Invitation Sent the invitation of robin@acme.test again",
        f"{admin} | Invitation Invited robin@acme.test",
    ]
    # Narrowed to one kind.
    assert lines(admin_client_, "?kind=member")[:2] == [
        f"{admin} | Member Changed Robin Reviewer's access from stakeholder to leader",
        "Robin Reviewer | Member Gave Robin Reviewer stakeholder access",
    ]


def test_revoking_by_an_email_change_and_removing_a_member_are_recorded(
    admin_user, admin_client_, leader, org, stakeholder_user
):
    casey = stakeholder_user.stakeholders.get()
    member = Membership.objects.get(user=stakeholder_user)
    member_services.membership_remove(membership=member, by=admin_user)
    someone = Stakeholder.objects.create(
        organization=org, function=casey.function, full_name="Sam", email="s@acme.test"
    )
    invite_services.invite_create(stakeholder=someone, by=admin_user)
    client_for(leader).post(
        f"/o/acme/people/{someone.pk}/edit/",
        {"full_name": "Sam", "email": "sam@acme.test", "function": casey.function_id, "title": ""},
    )
    log, admin = lines(admin_client_), name(admin_user)
    assert log[:4] == [
        f"{name(leader)} | Invitation Revoked the invitation of s@acme.test",
        f"{name(leader)} | Person Changed Sam: email “s@acme.test” → “sam@acme.test”",
        f"{admin} | Invitation Invited s@acme.test",
        "The system | Person Added Sam (s@acme.test) to Customer Success",
    ]
    assert log[4:6] == [
        f"{admin} | Member Removed {name(stakeholder_user)} from the members",
        f"{admin} | Person Changed Casey Success: unlinked from their account",
    ]


def test_the_log_is_paged(admin_client_, org, cs_function):
    for i in range(PAGE_SIZE + 3):
        Function.objects.create(organization=org, name=f"Team {i:02d}", category="building")
    first, second = lines(admin_client_), lines(admin_client_, "?page=2")
    assert len(first) == PAGE_SIZE and len(second) == 5  # 53 teams, Customer Success, the admin's membership
    assert first[0] == "The system | Function Added the function Team 52"
    assert "The system | Function Added the function Customer Success" in second
    assert "Page 1 of 2" in admin_client_.get(LOG).text
    assert lines(admin_client_, "?page=999") == second  # past the end: the last page
    assert lines(admin_client_, "?page=x") == first


def test_the_page_costs_the_same_queries_whatever_the_log_holds(admin_client_, org, django_assert_max_num_queries):
    for i in range(120):
        Function.objects.create(organization=org, name=f"Team {i}", category="building")
        Function.objects.filter(name=f"Team {i}").first().save()
    with django_assert_max_num_queries(20):
        assert admin_client_.get(LOG).status_code == 200


def test_only_admins_read_the_log(leader_client, stakeholder_client, outsider_client, admin_client_):
    assert admin_client_.get(LOG).status_code == 200
    assert leader_client.get(LOG).status_code == 403
    assert stakeholder_client.get(LOG).status_code == 403
    assert outsider_client.get(LOG).status_code == 404
    assert Client().get(LOG).status_code == 302


def test_an_unknown_kind_shows_everything(admin_client_, cs_function):
    assert lines(admin_client_, "?kind=<script>") == lines(admin_client_)


def test_the_log_never_holds_an_invitations_secret(admin_user, cs_function, org):
    person = Stakeholder.objects.create(organization=org, function=cs_function, full_name="N", email="n@acme.test")
    invite = invite_services.invite_create(stakeholder=person, by=admin_user)
    record = invite.history.first()
    assert not hasattr(record, "nonce")


def test_members_page_links_to_the_log(admin_client_):
    assert f'href="{LOG}"' in admin_client_.get("/o/acme/members/").text


def test_another_organizations_changes_are_not_shown(admin_client_, other_org):
    Function.objects.create(organization=other_org, name="Globex Secret Ops", category="building")
    UserFactory(email="x@globex.test")
    assert "Globex Secret Ops" not in admin_client_.get(LOG).text
    assert timezone.now() - timedelta(minutes=1) < Function.history.first().history_date


def test_an_import_records_who_created_its_people_and_functions(admin_client_, leader, org):
    from roles.services import imports
    from tests.roles.test_import_service import table_of

    content = b"Name,Email,Department\nIvy Import,ivy@acme.test,Field Ops\n"
    table = table_of(content, "people.csv")
    imports.import_table(organization=org, table=table, mapping=imports.recognize(table.headers), by=leader)
    ivy = Stakeholder.objects.get(email="ivy@acme.test")
    assert ivy.created_by == leader and ivy.function.created_by == leader
    assert lines(admin_client_)[:2] == [
        f"{name(leader)} | Person Added Ivy Import (ivy@acme.test) to Field Ops",
        f"{name(leader)} | Function Added the function Field Ops",
    ]
