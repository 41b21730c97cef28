"""Each function's playbook match is stored on it (issue 13 item 9): set by the function services,
recomputed by a command when the playbook changes, and read by the map editor instead of
matching every name on every load."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from domain import matching
from layers.services import mapping
from roles.models import Function
from roles.services import functions as services
from roles.services import playbook_matches
from tests.factories import FunctionFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _create(org, name: str) -> Function:
    return services.function_create(organization=org, name=name, category="customer_facing")


def test_creating_a_function_stores_its_playbook_match(org):
    function = Function.objects.get(pk=_create(org, "Account Executives").pk)
    assert (function.playbook_name, function.playbook_hints) == ("Sales & Account Management", [])


def test_a_name_the_playbook_does_not_know_stores_the_closest_entries(org):
    function = Function.objects.get(pk=_create(org, "Quokka Wranglers").pk)
    assert function.playbook_name == ""
    assert function.playbook_hints == matching.hints("Quokka Wranglers") and len(function.playbook_hints) == 3


def test_renaming_a_function_recomputes_its_match(org):
    function = _create(org, "Quokka Wranglers")
    services.function_update(
        function=function,
        name="Customer Success",
        category="customer_facing",
        is_external=False,
        description="",
        parent=None,
    )
    function.refresh_from_db()
    assert (function.playbook_name, function.playbook_hints) == ("Customer Success", [])


def test_a_refused_rename_keeps_the_stored_match(org):
    _create(org, "Customer Success")
    function = _create(org, "Account Executives")
    with pytest.raises(Exception, match="already exists"):
        services.function_update(
            function=function,
            name="customer success",
            category="customer_facing",
            is_external=False,
            description="",
            parent=None,
        )
    function.refresh_from_db()
    assert (function.name, function.playbook_name) == ("Account Executives", "Sales & Account Management")


def test_the_map_editor_reads_the_stored_match_without_matching_names(org, monkeypatch):
    _create(org, "Account Executives")
    _create(org, "Quokka Wranglers")
    product = ProductFactory(organization=org)

    def refuse(name: str) -> None:
        raise AssertionError(f"matched {name!r} on a page load")

    monkeypatch.setattr(matching, "match", refuse)
    monkeypatch.setattr(matching, "hints", refuse)
    suggested = mapping.suggest(product=product)
    assert {s.playbook_name for s in suggested.suggestions} == {"Sales & Account Management"}
    assert [(u.function_name, len(u.hints)) for u in suggested.unmatched] == [("Quokka Wranglers", 3)]


def test_a_function_written_without_a_match_is_matched_on_the_fly(org):
    FunctionFactory(organization=org, name="Customer Success", playbook_name=None)
    suggested = mapping.suggest(product=ProductFactory(organization=org))
    assert {s.playbook_name for s in suggested.suggestions} == {"Customer Success"}


def test_the_command_recomputes_the_matches_after_the_playbook_changed(org, other_org):
    stale = _create(org, "Account Executives")
    Function.objects.filter(pk=stale.pk).update(playbook_name="", playbook_hints=["Legal"])
    other = FunctionFactory(organization=other_org, name="Customer Success", playbook_name="")
    out = io.StringIO()
    call_command("refresh_playbook_matches", "--org", "acme", stdout=out)
    assert "Checked 1 functions" in out.getvalue() and "1 stored match changed" in out.getvalue()
    stale.refresh_from_db()
    other.refresh_from_db()
    assert (stale.playbook_name, stale.playbook_hints) == ("Sales & Account Management", [])
    assert other.playbook_name == ""  # another organization: untouched
    call_command("refresh_playbook_matches", stdout=out)
    other.refresh_from_db()
    assert other.playbook_name == "Customer Success"
    assert playbook_matches.refresh() == 0  # nothing left to change


def test_the_command_refuses_an_unknown_organization(org):
    with pytest.raises(CommandError, match="No organization with the slug 'nope'"):
        call_command("refresh_playbook_matches", "--org", "nope")
