"""The organization transfer's commands (export_org, restore_org) and its page."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from layers.services import org_transfer
from layers.services.org_transfer import spec
from roles.models import (
    Function,
    Membership,
    Organization,
)
from tests.factories import FunctionFactory, StakeholderFactory
from tests.roles.org_transfer.conftest import (
    URL,
    User,
    counts_everywhere,
    empty_the_instance,
    without_identity,
)


def test_export_org_and_restore_org_round_trip_through_a_file(northwind, tmp_path):
    path = tmp_path / "northwind.json"
    out = StringIO()

    call_command("export_org", str(path), "--org", "northwind", stdout=out)

    assert "Exported northwind to" in out.getvalue() and "60 people" in out.getvalue()
    assert not list(tmp_path.glob(".*.part"))  # written whole, then renamed
    out = StringIO()
    call_command("restore_org", str(path), "--slug", "northwind-2", stdout=out)
    assert "Restored Northwind Analytics as northwind-2" in out.getvalue()
    copy = Organization.objects.get(slug="northwind-2")
    exported = json.loads(path.read_text())
    assert without_identity(org_transfer.export_organization(organization=copy)) == without_identity(exported)


def test_export_org_refuses_an_unknown_organization(db, tmp_path):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        call_command("export_org", str(tmp_path / "x.json"), "--org", "nope")
    assert not (tmp_path / "x.json").exists()


def test_export_org_says_when_it_cannot_write(northwind, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_org", str(tmp_path / "missing-dir" / "x.json"), "--org", "northwind")


def test_restore_org_lists_the_accounts_it_had_to_create(northwind, tmp_path):
    path = tmp_path / "northwind.json"
    call_command("export_org", str(path), "--org", "northwind", stdout=StringIO())
    empty_the_instance()
    out = StringIO()

    call_command("restore_org", str(path), stdout=out)

    assert "Created 4 account(s) without a password" in out.getvalue()
    assert "changepassword" in out.getvalue() and "former@northwind.test" in out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "The file is not valid JSON (line 1, column 2"),
        (b"\xff\xfe\x00", "not UTF-8 text"),
        (b"[]", "holds a JSON list, not an organization export"),
        (b'{"format": "wholeproduct-organization"}', 'no "version" field'),
        (b'{"format": "wholeproduct-organization", "version": 1}', "lacks the keys organization, users"),
        (b"[" * 100_000, "nested too deeply to be an organization export"),
    ],
    ids=["json", "encoding", "list", "version", "keys", "deep"],
)
def test_restore_org_refuses_a_bad_file_with_a_clear_message(db, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    before = counts_everywhere()

    with pytest.raises(CommandError) as caught:
        call_command("restore_org", str(path))

    assert message in str(caught.value) and "Nothing was restored." in str(caught.value)
    assert counts_everywhere() == before


def test_restore_org_refuses_an_existing_slug_and_a_missing_file(northwind, tmp_path):
    path = tmp_path / "northwind.json"
    call_command("export_org", str(path), "--org", "northwind", stdout=StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("restore_org", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore_org", str(tmp_path / "absent.json"))


def test_the_export_page_sends_anonymous_visitors_to_login(client, org):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_export_page_is_hidden_from_other_organizations(outsider_client, org):
    assert outsider_client.get(URL).status_code == 404
    assert outsider_client.get(URL + "?download=1").status_code == 404


@pytest.mark.parametrize("who", ["leader_client", "stakeholder_client"])
def test_the_export_page_is_for_admins_only(request, org, who):
    client = request.getfixturevalue(who)
    assert client.get(URL).status_code == 403
    assert client.get(URL + "?download=1").status_code == 403
    assert client.post(URL).status_code == 403
    assert 'href="/o/acme/export/"' not in client.get("/o/acme/").text  # no link in the navigation


def test_an_admin_sees_what_the_file_will_hold(admin_client_, org, cs_function, stakeholder_user):
    StakeholderFactory(function=cs_function, email="second@acme.test")

    response = admin_client_.get(URL)

    assert response.status_code == 200
    rows = dict(response.context["rows"])
    assert (rows["People"], rows["Functions"], rows["Members"]) == (2, 1, 2)
    assert 'href="?download=1"' in response.text
    assert 'href="/o/acme/export/" aria-current="page"' in response.text  # the navigation's Export link


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_admin_downloads_the_whole_organization(admin_client_, org, cs_function, stakeholder_user, method):
    before = counts_everywhere()
    response = getattr(admin_client_, method)(URL + ("?download=1" if method == "get" else ""))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="acme-')
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert (data["format"], data["version"], data["organization"]["slug"]) == (spec.FORMAT, spec.VERSION, "acme")
    assert [p["email"] for p in data["people"]] == ["cs@acme.test"]
    assert {m["user"]: m["access"] for m in data["memberships"]} == {
        "admin@acme.test": "admin",
        "cs@acme.test": "stakeholder",
    }
    assert counts_everywhere() == before  # reading only


def test_an_export_holds_nothing_of_another_organization(admin_client_, org, outsider, other_org):
    FunctionFactory(organization=other_org, name="Globex Secret Team")
    StakeholderFactory(function__organization=other_org, email="secret@globex.test")

    text = admin_client_.get(URL + "?download=1").content.decode()

    assert "globex" not in text.lower()


def test_members_are_matched_to_existing_accounts_by_email_in_any_case(exported):
    admin = User.objects.get(username="admin@northwind.test")
    for section in ("users", "memberships"):
        for row in exported[section]:
            key = "email" if section == "users" else "user"
            if row[key] == "admin@northwind.test":
                row[key] = "ADMIN@Northwind.TEST"

    result = org_transfer.restore_organization(data=exported, slug="copy")

    assert result.users_created == []
    assert Membership.objects.get(organization=result.organization, access="admin").user == admin


def test_created_by_travels_and_a_file_from_before_it_still_restores(northwind):
    admin = Membership.objects.filter(organization=northwind, access="admin").select_related("user").first().user
    function = Function.objects.filter(organization=northwind).order_by("name").first()
    Function.objects.filter(pk=function.pk).update(created_by=admin)
    exported = json.loads(org_transfer.dumps(org_transfer.export_organization(organization=northwind)))
    row = next(f for f in exported["functions"] if f["name"] == function.name)
    assert row["created_by"] == admin.email  # users go by email in the file
    copy = org_transfer.restore_organization(data=exported, slug="northwind-by").organization
    assert Function.objects.get(organization=copy, name=function.name).created_by == admin
    for section in ("functions", "people", "products"):
        for item in exported[section]:
            item.pop("created_by", None)
    older = org_transfer.restore_organization(data=exported, slug="northwind-older").organization
    assert Function.objects.get(organization=older, name=function.name).created_by is None
