"""The suggestions read a window at a time (layers.selectors.suggestions) equal the planner's
(mapping.suggest, what apply runs): every status, note, reason and order, the counts, who holds
each lead, the unmatched functions, with and without filters (issue 13 item 9)."""

from __future__ import annotations

import random

import pytest

from domain.playbook.catalog import PLAYBOOK
from domain.playbook.model import ALL_MOTIONS
from domain.playbook.suggestions import STATUSES
from layers.models import Assignment, DismissedSuggestion
from layers.readmodel import hooks
from layers.readmodel.oracle import rebuild_everything
from layers.selectors.suggestions import PENDING, ProductSuggestions
from layers.services import mapping
from roles.models import Function
from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, layer

NAMES = [
    ("Product Management", "building"),
    ("Product Managers EMEA", "building"),
    ("Engineering", "building"),
    ("UX & Design", "building"),
    ("Customer Success", "customer_facing"),
    ("customer success apac", "customer_facing"),
    ("Sales", "customer_facing"),
    ("CEO", "leadership"),
    ("Finance", "cross_functional"),
    ("Zebra Wranglers", "cross_functional"),
    ("Facilities", "cross_functional"),
]


def key(s: mapping.Suggestion) -> tuple:
    return (
        s.function_id,
        s.function_name,
        s.category,
        s.layer_key,
        s.emphasis,
        s.reason,
        s.playbook_name,
        s.status,
        s.note,
    )


def same_as_the_planner(product, *, category: str = "", q: str = "") -> None:
    planned = mapping.suggest(product=product)
    reader = ProductSuggestions(product)
    mine = reader.suggestions(category=category, q=q)
    kept = [
        s
        for s in planned.suggestions
        if (not category or s.category == category) and q.casefold() in s.function_name.casefold()
    ]
    assert [key(s) for s in mine[:]] == [key(s) for s in kept]
    assert mine.count() == len(kept)
    assert reader.counts() == planned.counts()
    unmatched = [u for u in planned.unmatched if q.casefold() in u.function_name.casefold()]
    assert reader.unmatched(q=q)[:] == unmatched and reader.unmatched(q=q).count() == len(unmatched)
    panel = reader.panel(3, category=category, q=q)
    pending = sorted((s for s in kept if s.status in PENDING), key=lambda s: PENDING.index(s.status))
    assert [key(s) for s in panel["pending"]] == [key(s) for s in pending[:3]]
    assert [key(s) for s in panel[mapping.APPLIED]] == [key(s) for s in kept if s.status == mapping.APPLIED][:3]
    assert [key(s) for s in panel[mapping.DISMISSED]] == [key(s) for s in kept if s.status == mapping.DISMISSED][:3]
    assert panel["all"] == planned.counts()
    # the filtered functions' counts, the holders of each layer weighed (lead_taken) as the planner does
    filtered = dict.fromkeys(STATUSES, 0)
    for s in kept:
        filtered[s.status] += 1
    assert reader.counts(category=category, q=q) == filtered
    assert panel["counts"] == filtered
    # a window in the middle is that slice of the whole
    assert [key(s) for s in mine[2:5]] == [key(s) for s in kept[2:5]]


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights", slug="insights")


@pytest.fixture
def functions(org):
    return {name: FunctionFactory(organization=org, name=name, category=category) for name, category in NAMES}


@pytest.mark.parametrize("go_to_market", ["hybrid", "product_led", "sales_led"])
def test_a_fresh_map_reads_as_the_planner_plans(org, product, functions, go_to_market):
    org.go_to_market = go_to_market
    org.save()
    hooks.organization_changed(organization_id=org.pk)  # a new motion, as the admin's save tells the read model
    same_as_the_planner(product)
    same_as_the_planner(product, category="building")
    same_as_the_planner(product, q="success")


def test_every_status_reads_as_the_planner_plans(org, product, functions, leader):
    pm, emea, cs, apac, ceo = (
        functions[n]
        for n in ("Product Management", "Product Managers EMEA", "Customer Success", "customer success apac", "CEO")
    )
    # core: someone else leads by hand, so PM's lead is taken
    AssignmentFactory(
        product=product, function=functions["Engineering"], layer=layer("core"), emphasis="lead", source="manual"
    )
    # augmented: CS is a contributor from the playbook (differs), apac is dismissed
    AssignmentFactory(product=product, function=cs, layer=layer("augmented"), emphasis="contributor", source="playbook")
    mapping.dismiss(product=product, function=apac, layer="augmented", by=leader)
    # potential: CEO already leads (applied); Finance is mapped by hand as a lead elsewhere
    AssignmentFactory(product=product, function=ceo, layer=layer("potential"), emphasis="lead", source="playbook")
    AssignmentFactory(
        product=product, function=functions["Finance"], layer=layer("expected"), emphasis="contributor", source="manual"
    )
    AssignmentFactory(product=product, function=emea, layer=layer("core"), emphasis="contributor", source="manual")
    statuses = {s.status for s in mapping.suggest(product=product).suggestions}
    assert {mapping.LEAD_TAKEN, mapping.DIFFERS, mapping.DISMISSED, mapping.APPLIED, mapping.NEW} <= statuses
    same_as_the_planner(product)
    same_as_the_planner(product, category="customer_facing")
    same_as_the_planner(product, q="product")
    assert pm  # the playbook's first lead on core is taken by Engineering


def test_a_demoted_lead_frees_its_layer(org, product, functions):
    """Engineering leads core from the playbook, which says contributor: the plan demotes it, so
    Product Management's lead suggestion claims the layer (new, not lead taken)."""
    AssignmentFactory(
        product=product, function=functions["Engineering"], layer=layer("core"), emphasis="lead", source="playbook"
    )
    planned = {(s.function_id, s.layer_key): s.status for s in mapping.suggest(product=product).suggestions}
    assert planned[(functions["Product Management"].pk, "core")] == mapping.NEW
    same_as_the_planner(product)


def test_functions_no_service_stamped_are_matched_on_the_fly(org, product):
    Function.objects.bulk_create(Function(organization=org, name=name, category=category) for name, category in NAMES)
    assert not Function.objects.filter(playbook_name__isnull=False).exists()
    hooks.functions_changed(organization_id=org.pk)  # as an import tells the read model of its new functions
    same_as_the_planner(product)


def test_random_maps_read_as_the_planner_plans(org, product, functions, leader):
    rng = random.Random(13)
    layers = ["core", "expected", "augmented", "potential"]
    for _ in range(4):
        Assignment.objects.all().delete()
        DismissedSuggestion.objects.all().delete()
        rebuild_everything()  # raw deletes, behind the services that keep the read model
        leads: set[str] = set()
        for function in functions.values():
            for key in layers:
                roll = rng.random()
                if roll < 0.3:
                    emphasis = "lead" if key not in leads and rng.random() < 0.4 else "contributor"
                    leads |= {key} if emphasis == "lead" else set()
                    source = rng.choice(["manual", "playbook", "import"])
                    AssignmentFactory(
                        product=product, function=function, layer=layer(key), emphasis=emphasis, source=source
                    )
                elif roll < 0.4:
                    mapping.dismiss(product=product, function=function, layer=key, by=leader)
        same_as_the_planner(product)
        same_as_the_planner(product, category="building", q="e")


def test_no_entry_has_two_rules_on_one_layer_under_one_motion():
    """The reader pairs a function with one rule per layer, as the planner does in practice."""
    for entry in PLAYBOOK:
        for motion in ALL_MOTIONS:
            layers = [rule.layer for rule in entry.rules_for(motion)]
            assert len(layers) == len(set(layers)), (entry.name, motion)


def test_a_product_of_another_organization_is_not_read(org, product, functions):
    other = ProductFactory()
    FunctionFactory(organization=other.organization, name="Product Management", category="building")
    reader = ProductSuggestions(product)
    assert {s.function_id for s in reader.suggestions()[:]} <= {f.pk for f in functions.values()}
