"""HR and IT exports as they really come (issue 14): one sample per vendor, with its real header.

Every sample holds the same five people. Each imports with `import_org FILE --org SLUG` and no
--column: names in reading order (preferred first names over legal ones, "Last, First" turned
round, particles and suffixes kept), managers linked, and departments joined to the functions the
organization already has ("R&D" -> Engineering, "People Ops" -> HR, "Account Management" -> Sales).
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from roles.models import Function, FunctionAlias, Stakeholder
from roles.services.imports import read_table, recognize
from roles.services.imports.columns import missing, suggest
from tests.factories import FunctionFactory

VENDORS = Path(__file__).resolve().parent.parent / "fixtures" / "import" / "vendors"

NAMES = {
    "ada@acme.test": "Ada Lovelace",
    "hana@acme.test": "Hana Kobayashi",
    "anna@acme.test": "Anna van der Berg",
    "grace@acme.test": "Grace Hopper Jr.",
    "jose@acme.test": "José Müller",
}
MANAGERS = {
    "ada@acme.test": None,
    "hana@acme.test": "ada@acme.test",
    "anna@acme.test": "ada@acme.test",
    "grace@acme.test": "hana@acme.test",
    "jose@acme.test": "grace@acme.test",
}
FUNCTIONS = {
    "ada@acme.test": "Engineering",
    "hana@acme.test": "Engineering",
    "anna@acme.test": "HR",
    "grace@acme.test": "Sales",
    "jose@acme.test": "Customer Support",
}
# Entra ID's user download has no manager column: there the managers stay unset.
SAMPLES = [
    ("google_workspace.csv", True),
    ("entra_id.csv", False),
    ("entra_id_camelcase.csv", False),
    ("okta.csv", True),
    ("bamboohr.csv", True),
    ("personio.csv", True),
    ("rippling.csv", True),
    ("hibob.csv", True),
    ("workday.csv", True),
    ("gusto.csv", True),
    ("deel.csv", True),
    ("adp.csv", True),
]


@pytest.fixture
def existing_functions(org):
    FunctionFactory(organization=org, name="Engineering", category="building")
    FunctionFactory(organization=org, name="HR", category="cross_functional")
    FunctionFactory(organization=org, name="Sales", category="customer_facing")


def test_every_vendor_has_a_sample():
    assert {path.name for path in VENDORS.iterdir()} == {name for name, _ in SAMPLES}


@pytest.mark.parametrize(("sample", "has_manager"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_a_vendor_export_imports_without_choosing_columns(org, existing_functions, sample, has_manager):
    out = StringIO()
    call_command("import_org", str(VENDORS / sample), "--org", "acme", stdout=out, stderr=StringIO())

    people = Stakeholder.objects.filter(organization=org).select_related("function", "manager")
    assert {p.email: p.full_name for p in people} == NAMES
    assert {p.email: p.function.name for p in people} == FUNCTIONS
    expected = MANAGERS if has_manager else dict.fromkeys(MANAGERS)
    assert {p.email: p.manager.email if p.manager else None for p in people} == expected
    # One new function (Customer Support); the other departments joined existing ones.
    assert sorted(Function.objects.filter(organization=org).values_list("name", flat=True)) == [
        "Customer Support",
        "Engineering",
        "HR",
        "Sales",
    ]
    assert "create 5, update 0, unchanged 0, errors 0" in out.getvalue()


def test_the_joins_are_remembered_as_the_organizations_aliases(org, existing_functions):
    out = StringIO()
    call_command("import_org", str(VENDORS / "personio.csv"), "--org", "acme", stdout=out)
    assert "R&D joins Engineering: both are Engineering in the playbook." in out.getvalue()
    aliases = FunctionAlias.objects.filter(organization=org).values_list("label", "function__name")
    assert sorted(aliases) == [("Account Management", "Sales"), ("People Ops", "HR"), ("R&D", "Engineering")]


@pytest.mark.parametrize(("sample", "has_manager"), SAMPLES, ids=[name for name, _ in SAMPLES])
def test_the_mapping_form_guesses_every_vendors_columns_right(sample, has_manager):
    table = read_table(content=(VENDORS / sample).read_bytes(), filename=sample)
    samples = [table.samples(i) for i in range(len(table.headers))]
    guessed = suggest(table.headers, samples)
    assert guessed == recognize(table.headers)
    assert missing(guessed) == []
    assert ("manager" in guessed) is has_manager
