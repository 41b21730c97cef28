"""Suggestion rows counted by the database (layers.readmodel.suggestioncounts): every write of the
rows — the read model's maintenance after mapping, dismissing, renaming, a motion changed, deleting
functions and products, a rebuild, bulk statements, a truncation — keeps each product's counts per
(layer, rule, stored status) equal to its rows grouped; the map editor's panel and the API read
them; a drift is found and repaired by rebuild_read_model; many kept rows fold on read."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection

from layers.models import SuggestionRow
from layers.readmodel import hooks, suggestioncounts
from layers.selectors.suggestions import ProductSuggestions
from layers.services import mapping
from layers.services.assignments import assignment_clear, assignment_set
from roles.services import functions as function_services

from ..factories import FunctionFactory, OrganizationFactory, ProductFactory, UserFactory
from ..services import require_postgres

pytestmark = pytest.mark.django_db

NAMES = [
    ("Engineering", "building"),
    ("Product Management", "building"),
    ("Customer Success", "customer_facing"),
    ("Sales", "customer_facing"),
    ("Finance", "cross_functional"),
    ("Zebra Wranglers", "cross_functional"),
]


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def kept(product) -> Counter:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT layer_id, rule_emphasis, before, SUM(delta) FROM wp_suggestion_count WHERE product_id = %s "
            "GROUP BY 1, 2, 3",
            [product.pk],
        )
        return Counter({tuple(row[:3]): int(row[3]) for row in cursor.fetchall() if row[3]})


def grouped(product) -> Counter:
    rows = SuggestionRow.objects.filter(product=product).values_list("layer_id", "rule_emphasis", "before")
    return Counter(rows)


def assert_true(*organizations, products=(), planned=True) -> None:
    """The kept counts are the rows grouped and, where the rows were written by the read model
    (`planned`), the reader's counts from them are the planner's."""
    for product in products:
        assert kept(product) == grouped(product)
        if planned:
            assert ProductSuggestions(product).counts() == mapping.suggest(product=product).counts()
    for organization in organizations:
        assert suggestioncounts.differences(organization.pk) == []


@pytest.fixture
def world():
    org, other = OrganizationFactory(), OrganizationFactory()
    functions = {name: FunctionFactory(organization=org, name=name, category=category) for name, category in NAMES}
    FunctionFactory(organization=other, name="Engineering", category="building")
    return org, other, functions, ProductFactory(organization=org), ProductFactory(organization=other)


def test_the_services_writes_keep_the_counts(world):
    org, other, functions, product, theirs = world
    leader = UserFactory()
    assert grouped(product) and kept(product) == grouped(product)
    before_theirs = kept(theirs)
    mapping.apply(product=product, by=leader)
    assert_true(org, other, products=[product, theirs])
    assignment_clear(product=product, function=functions["Engineering"], layer="core", by=leader)
    assignment_set(product=product, function=functions["Sales"], layer="core", emphasis="contributor", by=leader)
    mapping.dismiss(product=product, function=functions["Finance"], layer="expected", by=leader)
    assert_true(org, products=[product])
    zebra = functions["Zebra Wranglers"]
    function_services.function_update(
        function=zebra, name="Customer Success EMEA", category=zebra.category, is_external=False, description="",
        parent=None,
    )  # fmt: skip
    second = ProductFactory(organization=org)
    assert_true(org, products=[product, second])
    org.go_to_market = "product_led" if org.go_to_market != "product_led" else "sales_led"
    org.save()
    hooks.organization_changed(organization_id=org.pk)
    assert_true(org, products=[product, second])
    function_services.function_delete(function=functions["Customer Success"])
    second.delete()
    assert_true(org, products=[product])
    assert kept(theirs) == before_theirs  # another tenant's counts never moved
    assert_true(other, products=[theirs])


def test_bulk_statements_and_a_truncation_keep_them(world):
    org, _other, _functions, product, theirs = world
    SuggestionRow.objects.filter(product=product, before="new").update(before="dismissed", dismissed=True)
    SuggestionRow.objects.filter(product=product, rule_emphasis="lead").update(name="Renamed")  # no key changed
    assert_true(org, products=[product], planned=False)  # rows written behind the read model
    SuggestionRow.objects.filter(product=product, layer__key="core").delete()
    assert_true(org, products=[product], planned=False)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check waits on the table
        cursor.execute(f'TRUNCATE "{SuggestionRow._meta.db_table}"')
    assert kept(product) == Counter() == kept(theirs)
    hooks.organization_changed(organization_id=org.pk)
    assert_true(org, products=[product])


def test_the_panel_reads_the_kept_counts_and_folds_them(world):
    org, _other, _functions, product, _theirs = world
    reader = ProductSuggestions(product)
    assert reader.panel(3)["all"] == mapping.suggest(product=product).counts()
    # Many statements, many kept rows: the next read folds them to one per key.
    for _ in range(suggestioncounts.COMPACT_AT):
        SuggestionRow.objects.filter(product=product).update(before="new")
        SuggestionRow.objects.filter(product=product).update(before="manual")
    hooks.organization_changed(organization_id=org.pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wp_suggestion_count WHERE product_id = %s", [product.pk])
        assert cursor.fetchone()[0] > suggestioncounts.COMPACT_AT
    assert ProductSuggestions(product).counts() == mapping.suggest(product=product).counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wp_suggestion_count WHERE product_id = %s", [product.pk])
        assert cursor.fetchone()[0] == len(grouped(product))
    assert_true(org, products=[product])


def test_a_drift_is_reported_and_repaired_by_rebuild_read_model(world, capsys):
    org, _other, _functions, product, _theirs = world
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wp_suggestion_count (organization_id, product_id, layer_id, rule_emphasis, before, delta) "
            "SELECT organization_id, product_id, layer_id, rule_emphasis, before, 3 FROM layers_suggestionrow "
            "WHERE product_id = %s LIMIT 1",
            [product.pk],
        )
    assert len(suggestioncounts.differences(org.pk)) == 1
    with pytest.raises(SystemExit) as exited:
        call_command("rebuild_read_model", "--org", org.slug, "--check")
    assert exited.value.code == 1
    assert "wp_suggestion_count" in capsys.readouterr().out
    call_command("rebuild_read_model", "--org", org.slug)
    assert_true(org, products=[product])


def test_installing_again_begins_nothing_and_missing_triggers_are_counted_afresh(world):
    org, _other, _functions, product, _theirs = world
    assert suggestioncounts.install() is False
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER "wp_suggestions_insert" ON "{SuggestionRow._meta.db_table}"')
    ProductFactory(organization=org)  # its rows written while not counted
    assert suggestioncounts.differences(org.pk) != []
    assert suggestioncounts.install() is True
    assert_true(org, products=[product])


def test_the_hourly_task_folds_every_product_and_drops_a_deleted_ones(world):
    from layers.tasks.readmodel import fold_suggestion_counts

    org, _other, _functions, product, _theirs = world
    gone = ProductFactory(organization=org)
    gone_id = gone.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wp_suggestion_count WHERE product_id = %s", [gone_id])
        assert cursor.fetchone()[0] > 0
    SuggestionRow.objects.filter(product=product).update(before="manual")
    SuggestionRow.objects.filter(product=product).update(before="new")
    gone.delete()
    left = fold_suggestion_counts()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM wp_suggestion_count")
        assert cursor.fetchone()[0] == left
        cursor.execute("SELECT COUNT(*) FROM wp_suggestion_count WHERE product_id = %s", [gone_id])
        assert cursor.fetchone()[0] == 0
    assert_true(org, products=[product], planned=False)
