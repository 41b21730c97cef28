"""The people pages: search, filter and pages of stakeholders; add and edit a person."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from roles.models import Function, Stakeholder
from roles.services import people as services
from tests.factories import FunctionFactory, StakeholderFactory
from wholeproduct.errors import DomainError

LIST = "/o/acme/people/"
NEW = "/o/acme/people/new/"


def edit_url(person: Stakeholder) -> str:
    return f"/o/acme/people/{person.pk}/edit/"


@pytest.fixture
def ada(engineering):
    return StakeholderFactory(function=engineering, full_name="Ada Lovelace", title="Engineer", email="Ada@Acme.test")


def form_data(function: Function, overrides: dict[str, object] | None = None, **more: object) -> dict[str, object]:
    data = {"full_name": "Grace Hopper", "title": "Rear Admiral", "email": "grace@acme.test", "function": function.pk}
    data.update(overrides or {}, **more)
    return data


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["", "new/", "{pk}/edit/"])
def test_it_sends_anonymous_visitors_to_login(client, ada, path):
    response = client.get(LIST + path.format(pk=ada.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["", "new/", "{pk}/edit/"])
def test_it_answers_404_to_outsiders(outsider_client, ada, engineering, path, method):
    response = getattr(outsider_client, method)(LIST + path.format(pk=ada.pk), form_data(engineering))
    assert response.status_code == 404
    assert not Stakeholder.objects.filter(email="grace@acme.test").exists()


def test_it_answers_404_for_a_person_of_another_organization(leader_client, other_org, engineering):
    foreign = StakeholderFactory(function=FunctionFactory(organization=other_org), full_name="Globex Person")
    assert leader_client.get(edit_url(foreign)).status_code == 404
    assert leader_client.post(edit_url(foreign), form_data(engineering)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.full_name == "Globex Person"


def test_stakeholders_see_the_people_without_edit_buttons(stakeholder_client, ada):
    response = stakeholder_client.get(LIST)
    assert response.status_code == 200
    assert "Ada Lovelace" in response.text
    assert NEW not in response.text
    assert edit_url(ada) not in response.text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["new/", "{pk}/edit/"])
def test_it_refuses_edits_to_stakeholders(stakeholder_client, ada, engineering, path, method):
    response = getattr(stakeholder_client, method)(LIST + path.format(pk=ada.pk), form_data(engineering))
    assert response.status_code == 403
    ada.refresh_from_db()
    assert ada.full_name == "Ada Lovelace"
    assert not Stakeholder.objects.filter(email="grace@acme.test").exists()


# --- the list ---------------------------------------------------------------------------------


def test_it_lists_people_with_their_function_and_invite_state(leader_client, ada, stakeholder_user):
    response = leader_client.get(LIST)
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [p.full_name for p in rows] == ["Ada Lovelace", "Casey Success"]
    html = " ".join(response.text.split())
    assert "Ada@Acme.test" in html
    assert 'class="chip chip-sm cat-building" title="Building">Engineering</span>' in html
    assert '<span class="badge invite-joined badge-ok">Joined</span>' in html  # Casey signs in
    assert '<span class="badge invite-not_invited">Not invited</span>' in html  # Ada does not yet
    assert "/o/acme/invites/new/?email=Ada%40Acme.test" not in html, "invites are an admin's (DESIGN §5)"
    assert edit_url(ada) in html


def test_an_admin_is_offered_the_invite_of_someone_not_invited(admin_client_, ada):
    html = " ".join(admin_client_.get(LIST).text.split())
    assert "/o/acme/invites/new/?email=Ada%40Acme.test" in html


def test_it_shows_a_pending_invite_and_offers_the_exports(leader_client, org, ada, admin_user):
    from roles.services.invites import invite_create

    invite_create(stakeholder=ada, by=admin_user)  # invites are an admin's act (DESIGN §5)
    html = " ".join(leader_client.get(LIST).text.split())
    assert '<span class="badge invite-invited badge-access">Invited</span>' in html
    assert "/o/acme/invites/new/?email=Ada%40Acme.test" not in html, "no second invite while one is pending"
    assert 'href="/o/acme/people/export.csv"' in html and 'href="/o/acme/people/export.xlsx"' in html


def test_a_stakeholder_sees_no_invite_or_export_buttons(stakeholder_client, ada):
    html = stakeholder_client.get(LIST).text
    assert "export.csv" not in html and "invites/new" not in html


@pytest.mark.parametrize(("query", "found"), [("lovelace", True), ("ADA@acme", True), ("engin", True), ("zzz", False)])
def test_it_searches_names_emails_and_titles(leader_client, ada, stakeholder_user, query, found):
    response = leader_client.get(LIST, {"q": query})
    names = [p.full_name for p in response.context["page"].object_list]
    assert names == (["Ada Lovelace"] if found else [])
    if not found:
        assert "No one matches “zzz”" in response.text


def test_it_filters_by_function(leader_client, ada, stakeholder_user, cs_function):
    response = leader_client.get(LIST, {"function": cs_function.pk})
    assert [p.full_name for p in response.context["page"].object_list] == ["Casey Success"]


def test_it_ignores_a_function_filter_of_another_organization(leader_client, ada, other_org):
    foreign = FunctionFactory(organization=other_org)
    StakeholderFactory(function=foreign, full_name="Globex Person")
    response = leader_client.get(LIST, {"function": foreign.pk, "q": "ada"})
    assert response.status_code == 200
    assert [p.full_name for p in response.context["page"].object_list] == ["Ada Lovelace"]


def test_it_answers_the_live_search_with_the_table_body_only(leader_client, ada, stakeholder_user):
    response = leader_client.get(LIST, {"q": "ada"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert '<tr id="person-' in response.text
    assert "Casey Success" not in response.text
    assert 'id="people-pager" class="pager" aria-label="Pages" hx-swap-oob="true"' in response.text
    assert "HX-Request" in response["Vary"]


def test_the_page_has_a_plain_get_form_and_a_live_search(leader_client, ada):
    html = leader_client.get(LIST).text
    assert 'method="get"' in html
    assert 'hx-trigger="input changed delay:300ms, search"' in html
    assert 'hx-target="#people-rows"' in html
    assert '<tbody id="people-rows">' in html


def test_a_history_restore_gets_the_whole_page(leader_client, ada):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    response = leader_client.get(LIST, {"q": "ada"}, headers=headers)
    assert "<html" in response.text
    assert response.text.count('id="people-pager"') == 1
    assert "hx-swap-oob" not in response.text


def test_it_shows_50_people_a_page(leader_client, engineering):
    StakeholderFactory.create_batch(51, function=engineering)
    first = leader_client.get(LIST)
    assert len(first.context["page"].object_list) == 50
    assert "Showing 1\u201350 of 51 people" in first.text
    second = leader_client.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert leader_client.get(LIST, {"page": "nonsense"}).status_code == 200


def test_the_pages_keep_the_filter(leader_client, engineering):
    StakeholderFactory.create_batch(51, function=engineering, title="Engineer")
    response = leader_client.get(LIST, {"q": "engineer", "function": engineering.pk})
    assert f"?q=engineer&amp;function={engineering.pk}&amp;page=2" in response.text


def test_it_shows_a_helpful_empty_state(leader_client, org):
    response = leader_client.get(LIST)
    assert "No people yet" in response.text
    assert "Add the first person" in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_list_runs_the_same_number_of_queries_for_3_or_30_people(leader_client, org, django_assert_num_queries):
    def add(count: int) -> None:
        for _ in range(count):
            StakeholderFactory(function=FunctionFactory(organization=org))

    add(3)
    leader_client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        assert leader_client.get(LIST).status_code == 200
    add(27)
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get(LIST)
    assert len(response.context["page"].object_list) == 30


# --- create and edit --------------------------------------------------------------------------


def test_it_adds_a_person(leader_client, org, engineering):
    response = leader_client.post(NEW, form_data(engineering, email="Grace.Hopper@ACME.test"))
    assert response.status_code == 302
    person = Stakeholder.objects.get(organization=org, full_name="Grace Hopper")
    assert (person.email, person.title, person.function) == ("Grace.Hopper@ACME.test", "Rear Admiral", engineering)
    assert person.user is None


def test_it_preselects_the_function_named_in_the_link(leader_client, engineering):
    response = leader_client.get(NEW, {"function": engineering.pk})
    assert response.context["form"]["function"].value() == str(engineering.pk)


def test_it_rejects_a_duplicate_email_in_other_case(leader_client, org, ada, engineering):
    response = leader_client.post(NEW, form_data(engineering, email="ada@ACME.TEST"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "Ada Lovelace already uses the email Ada@Acme.test in this organization."
    ]
    assert Stakeholder.objects.filter(organization=org).count() == 1


def test_the_same_email_is_fine_in_another_organization(leader_client, org, other_org, engineering):
    StakeholderFactory(function=FunctionFactory(organization=other_org), email="grace@acme.test")
    assert leader_client.post(NEW, form_data(engineering)).status_code == 302
    assert Stakeholder.objects.filter(organization=org, email="grace@acme.test").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"function": ""}, "function", "This field is required."),
        ({"function": "999999"}, "function", "Select a valid choice. That choice is not one of the available choices."),
        ({"title": "t" * 201}, "title", "Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_it_rejects_bad_input_with_a_message(leader_client, org, engineering, data, field, message):
    response = leader_client.post(NEW, form_data(engineering, data))
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert not Stakeholder.objects.filter(organization=org).exists()


def test_it_offers_no_function_of_another_organization(leader_client, org, other_org):
    foreign = FunctionFactory(organization=other_org, name="Globex Sales")
    response = leader_client.post(NEW, form_data(foreign))
    assert "function" in response.context["form"].errors
    assert "Globex Sales" not in response.text
    assert not Stakeholder.objects.filter(organization=org).exists()


def test_it_edits_a_person(leader_client, ada, cs_function):
    data = form_data(cs_function, full_name="Ada King", email="ADA@acme.test", title="")
    response = leader_client.post(edit_url(ada), data)
    assert response.status_code == 302
    ada.refresh_from_db()
    assert (ada.full_name, ada.email, ada.title, ada.function) == ("Ada King", "ADA@acme.test", "", cs_function)


def test_editing_rejects_the_email_of_someone_else(leader_client, ada, stakeholder_user, engineering):
    response = leader_client.post(edit_url(ada), form_data(engineering, email="CS@acme.test"))
    assert response.context["form"].errors["email"] == [
        "Casey Success already uses the email cs@acme.test in this organization."
    ]
    assert "<h1>Edit Ada Lovelace</h1>" in response.text
    ada.refresh_from_db()
    assert ada.email == "Ada@Acme.test"


def test_the_service_refuses_a_function_of_another_organization(org, other_org):
    with pytest.raises(DomainError):
        services.stakeholder_create(
            organization=org, full_name="X", email="x@acme.test", function=FunctionFactory(organization=other_org)
        )
    assert not Stakeholder.objects.filter(organization=org).exists()


def test_the_service_reports_a_lost_race_on_the_email_as_a_field_error(org, ada, engineering, monkeypatch):
    from roles.selectors import functions as selectors

    real = selectors.email_taken
    calls = []

    def blind_first_time(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(selectors, "email_taken", blind_first_time)
    with pytest.raises(DomainError) as caught:
        services.stakeholder_create(
            organization=org, full_name="Other Ada", email="ADA@acme.test", function=engineering
        )
    assert caught.value.fields == {"email": ["Ada Lovelace already uses the email Ada@Acme.test in this organization."]}
    assert Stakeholder.objects.filter(organization=org).count() == 1


def test_a_large_organization_filters_people_without_a_select_of_every_function(leader_client, org, monkeypatch):
    from roles.forms.functions import PeopleFilterForm
    from roles.models import Function

    monkeypatch.setattr(PeopleFilterForm, "SELECT_LIMIT", 5)
    made = Function.objects.bulk_create(
        Function(organization=org, name=f"Region {n}", category="customer_facing") for n in range(8)
    )
    StakeholderFactory(function=made[3], full_name="Ana Lopez", email="ana@acme.test")
    StakeholderFactory(function=made[4], full_name="Ben Okafor", email="ben@acme.test")
    page = leader_client.get("/o/acme/people/", {"function": made[3].pk}).content.decode()
    assert "<option" not in page and f'type="hidden" name="function" value="{made[3].pk}"' in page
    assert "In Region 3" in page and "Ana Lopez" in page and "Ben Okafor" not in page
    by_name = leader_client.get("/o/acme/people/", {"q": "region 4"}).content.decode()
    assert "Ben Okafor" in by_name and "Ana Lopez" not in by_name
