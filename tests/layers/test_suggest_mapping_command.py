"""`manage.py suggest_mapping`: the mapping service from a terminal."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from layers.models import Assignment, AssignmentChange
from roles.models import Function
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer


@pytest.fixture
def product(org):
    for name, category in [
        ("Customer Success", "customer_facing"),
        ("Engineering", "building"),
        ("CEO", "leadership"),
        ("Facilities", "cross_functional"),
    ]:
        FunctionFactory(organization=org, name=name, category=category)
    return ProductFactory(organization=org, name="Northwind Insights", slug="northwind")


def run(*args: str) -> str:
    out = StringIO()
    call_command("suggest_mapping", *args, stdout=out)
    return out.getvalue()


def test_json_lists_suggestions_and_unmatched(product):
    data = json.loads(run("--org", "acme", "--product", "northwind", "--format", "json"))
    assert set(data) == {"suggestions", "unmatched"}
    assert data["suggestions"][0] == {
        "function": "Engineering",
        "layer": "core",
        "emphasis": "contributor",
        "reason": data["suggestions"][0]["reason"],
        "status": "new",
    }
    assert {(s["function"], s["layer"], s["emphasis"]) for s in data["suggestions"]} == {
        ("Engineering", "core", "contributor"),
        ("Customer Success", "augmented", "lead"),
        ("CEO", "potential", "lead"),
    }
    assert data["unmatched"][0]["function"] == "Facilities" and len(data["unmatched"][0]["hints"]) == 3
    assert not Assignment.objects.exists()  # suggesting writes nothing


def test_apply_writes_and_reports_what_it_did(product):
    data = json.loads(run("--org", "acme", "--product", "northwind", "--format", "json", "--apply"))
    assert data["applied"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped_manual": 0,
        "conflicts": [],
        "skipped_dismissed": 0,
    }
    assert {s["status"] for s in data["suggestions"]} == {"applied"}
    assert Assignment.objects.filter(source="playbook").count() == 3
    assert AssignmentChange.objects.filter(by=None, source="playbook").count() == 3
    again = json.loads(run("--org", "acme", "--product", "northwind", "--format", "json", "--apply"))
    assert (again["applied"]["created"], again["applied"]["updated"], again["applied"]["unchanged"]) == (0, 0, 3)


def test_the_table_is_readable(product):
    engineering = Function.objects.get(name="Engineering")
    AssignmentFactory(product=product, function=engineering, layer=layer("core"), emphasis="lead", source="manual")
    out = run("--org", "acme", "--product", "northwind")
    assert "Acme Analytics / Northwind Insights (hybrid)" in out
    assert "Function" in out and "Status" in out and "Reason" in out
    assert "Customer Success" in out and "Augmented product" in out
    assert "manual (kept)" in out
    assert "Unmatched (1): map these by hand" in out and "Facilities" in out
    assert "3 suggestions: 2 new, 1 manual (kept)" in out
    assert all(len(line) <= 160 for line in out.splitlines())


def test_the_table_reports_conflicts_of_apply(product):
    support = FunctionFactory(organization=product.organization, name="Help Centre", category="customer_facing")
    AssignmentFactory(product=product, function=support, layer=layer("augmented"), emphasis="lead")
    out = run("--org", "acme", "--product", "northwind", "--apply", "--format", "table")
    assert "Applied: 2 created, 0 updated" in out
    assert "Help Centre already leads the Augmented product layer of Northwind Insights" in out


def test_an_unknown_organization_is_a_clear_error(product):
    with pytest.raises(CommandError, match="No organization with slug 'nope'"):
        run("--org", "nope", "--product", "northwind")


def test_an_unknown_product_is_a_clear_error_listing_the_real_ones(product):
    with pytest.raises(CommandError, match=r"No product 'nope' in Acme Analytics\. Its products: northwind\."):
        run("--org", "acme", "--product", "nope")
    assert not Assignment.objects.exists()


def test_a_product_of_another_organization_is_not_found(product, other_org):
    ProductFactory(organization=other_org, slug="globex-only")
    with pytest.raises(CommandError, match="No product 'globex-only'"):
        run("--org", "acme", "--product", "globex-only")


def test_an_unknown_format_is_refused(product):
    with pytest.raises(CommandError):
        run("--org", "acme", "--product", "northwind", "--format", "xml")
