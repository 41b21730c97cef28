"""suggest / apply / dismiss: the playbook applied to a product, safely and in bulk (DESIGN §3)."""

from __future__ import annotations

import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from domain.matching import alias_index
from domain.playbook.catalog import PLAYBOOK
from layers.models import Assignment, AssignmentChange, DismissedSuggestion
from layers.selectors.history import cell_history
from layers.services import mapping
from layers.services.assignments import assignment_set
from roles.models import Function, Organization
from tests.factories import AssignmentFactory, FunctionFactory, OrganizationFactory, ProductFactory, layer
from wholeproduct.errors import Conflict, DomainError

ROLES_OF_000 = [
    "Product Management",
    "UX Designers",
    "Engineering",
    "Sales & Account Management",
    "Business Development",
    "Product Marketing",
    "Customer Success",
    "Subject Matter Experts",
    "CEO",
    "Board of Directors",
    "Corporate Marketing",
    "HR",
    "Channel Partners",
    "Data & Technology Partners",
]


def make_functions(org: Organization, names: list[str]) -> dict[str, Function]:
    made = {}
    for name in names:
        entry = alias_index().get(name.casefold().replace(" ", ""))
        category = entry.category if entry else Function.Category.CROSS_FUNCTIONAL
        made[name] = FunctionFactory(organization=org, name=name, category=category)
    return made


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Northwind Insights", slug="northwind")


@pytest.fixture
def functions(org):
    return make_functions(org, [*ROLES_OF_000, "Facilities"])


def by_cell(result: mapping.SuggestionSet) -> dict[tuple[str, str], mapping.Suggestion]:
    return {(s.function_name, s.layer_key): s for s in result.suggestions}


def cells() -> set[tuple[str, str, str, str]]:
    return set(Assignment.objects.values_list("function__name", "layer__key", "emphasis", "source"))


# --- suggest --------------------------------------------------------------------------------


def test_it_suggests_every_role_of_000_with_its_reason_in_ring_then_name_order(product, functions):
    result = mapping.suggest(product=product)
    rings = {"core": 1, "expected": 2, "augmented": 3, "potential": 4}
    order = [(rings[s.layer_key], s.function_name.casefold()) for s in result.suggestions]
    assert order == sorted(order)
    assert {s.status for s in result.suggestions} == {"new"}
    got = by_cell(result)
    cs = got[("Customer Success", "augmented")]
    assert (cs.emphasis, cs.playbook_name, cs.category) == ("lead", "Customer Success", "customer_facing")
    assert "nearly worthless without this value add" in cs.reason
    assert got[("UX Designers", "core")].playbook_name == "UX & Design"
    assert got[("HR", "potential")].playbook_name == "HR / People"
    assert got[("Product Management", "expected")].emphasis == "lead"  # the org is hybrid
    assert got[("Sales & Account Management", "expected")].emphasis == "contributor"
    assert {name for name, _ in got} == set(ROLES_OF_000)


def test_unmatched_functions_are_listed_with_hints(product, functions):
    result = mapping.suggest(product=product)
    assert [(u.function_name, len(u.hints)) for u in result.unmatched] == [("Facilities", 3)]
    assert all(hint in {e.name for e in PLAYBOOK} for hint in result.unmatched[0].hints)
    assert result.unmatched[0].function_id == functions["Facilities"].pk


def test_unmatched_functions_say_which_layers_they_already_have(product, functions, leader):
    assignment_set(
        product=product, function=functions["Facilities"], layer="potential", emphasis="contributor", by=leader
    )
    assignment_set(product=product, function=functions["Facilities"], layer="core", emphasis="contributor", by=leader)
    unmatched = mapping.suggest(product=product).unmatched[0]
    assert unmatched.mapped_layers == ("core", "potential")


def test_suggestions_are_deterministic(product, functions):
    assert mapping.suggest(product=product).suggestions == mapping.suggest(product=product).suggestions


@pytest.mark.parametrize(
    ("motion", "lead", "contributors"),
    [
        ("product_led", "Product Management", {"UX Designers", "Engineering"}),
        ("sales_led", "Sales & Account Management", {"Product Marketing"}),
        ("hybrid", "Product Management", {"Sales & Account Management", "Product Marketing"}),
    ],
)
def test_the_expected_layer_follows_the_organization_motion(product, functions, motion, lead, contributors):
    Organization.objects.filter(pk=product.organization_id).update(go_to_market=motion)
    expected = [s for s in mapping.suggest(product=product).suggestions if s.layer_key == "expected"]
    assert [s.function_name for s in expected if s.emphasis == "lead"] == [lead]
    assert {s.function_name for s in expected if s.emphasis == "contributor"} == contributors


def test_it_only_sees_the_products_own_organization(product, functions):
    other = OrganizationFactory(slug="globex-2")
    FunctionFactory(organization=other, name="Support")
    assert "Support" not in {s.function_name for s in mapping.suggest(product=product).suggestions}


# --- statuses -------------------------------------------------------------------------------


def test_statuses_reflect_what_is_already_mapped(product, functions, leader):
    f = functions
    AssignmentFactory(product=product, function=f["CEO"], layer=layer("potential"), emphasis="lead", source="playbook")
    AssignmentFactory(product=product, function=f["Engineering"], layer=layer("core"), emphasis="lead", source="manual")
    sales = f["Sales & Account Management"]
    AssignmentFactory(product=product, function=sales, layer=layer("augmented"), emphasis="lead", source="import")
    mapping.dismiss(product=product, function=f["HR"], layer="potential", by=leader)
    got = by_cell(mapping.suggest(product=product))
    assert got[("CEO", "potential")].status == "applied"
    assert got[("Engineering", "core")].status == "manual"
    # Engineering leads core by hand, so Product Management's lead is taken.
    assert got[("Product Management", "core")].status == "lead_taken"
    assert "Engineering already leads the Core product layer" in got[("Product Management", "core")].note
    # Sales leads augmented by import; the playbook makes it a contributor, which frees the lead for CS.
    assert got[("Sales & Account Management", "augmented")].status == "differs"
    assert got[("Customer Success", "augmented")].status == "new"
    assert got[("HR", "potential")].status == "dismissed"
    assert got[("Board of Directors", "potential")].status == "new"


def test_two_functions_matching_one_lead_give_the_second_lead_taken(product, org):
    make_functions(org, ["Product Management", "Product Team"])
    got = by_cell(mapping.suggest(product=product))
    assert got[("Product Management", "core")].status == "new"
    assert got[("Product Team", "core")].status == "lead_taken"


# --- apply ----------------------------------------------------------------------------------


def test_apply_writes_every_new_suggestion_and_is_idempotent(product, functions, leader):
    first = mapping.apply(product=product, by=leader)
    expected_cells = len(mapping.suggest(product=product).suggestions)
    assert (first.created, first.updated, first.unchanged, first.skipped_manual, first.conflicts) == (
        expected_cells,
        0,
        0,
        0,
        [],
    )
    assert Assignment.objects.filter(product=product, source="playbook").count() == expected_cells
    cs = Assignment.objects.get(function=functions["Customer Success"], layer__key="augmented")
    assert (cs.emphasis, cs.version, cs.changed_by) == ("lead", 1, leader)
    assert "nearly worthless" in cs.contribution
    assert {s.status for s in mapping.suggest(product=product).suggestions} == {"applied"}

    snapshot = cells()
    second = mapping.apply(product=product, by=leader)
    assert (second.created, second.updated, second.unchanged) == (0, 0, expected_cells)
    assert cells() == snapshot
    assert AssignmentChange.objects.count() == expected_cells  # the second run recorded nothing


def test_apply_records_history_for_every_bulk_write(product, functions, leader):
    AssignmentFactory(
        product=product,
        function=functions["Board of Directors"],
        layer=layer("potential"),
        source="import",
        emphasis="lead",
        contribution="",
    )
    result = mapping.apply(product=product, by=leader)
    assert result.updated == 1
    changes = AssignmentChange.objects.filter(product=product)
    assert changes.filter(action="created").count() == result.created
    updated = cell_history(product=product, function=functions["Board of Directors"], layer="potential").get()
    assert (updated.action, updated.by, updated.source) == ("updated", leader, "playbook")
    assert updated.before["emphasis"] == "lead" and updated.after["emphasis"] == "contributor"
    board = Assignment.objects.get(function=functions["Board of Directors"])
    assert (board.emphasis, board.source, board.version) == ("contributor", "playbook", 2)
    assert "optimal investment decisions" in board.contribution  # an empty contribution gets the reason


def test_apply_never_overwrites_a_manual_assignment(product, functions, leader):
    AssignmentFactory(
        product=product,
        function=functions["Customer Success"],
        layer=layer("augmented"),
        emphasis="contributor",
        source="manual",
        contribution="Our own words.",
    )
    result = mapping.apply(product=product, by=leader)
    assert result.skipped_manual == 1
    cs = Assignment.objects.get(function=functions["Customer Success"], layer__key="augmented")
    assert (cs.emphasis, cs.source, cs.contribution, cs.version) == ("contributor", "manual", "Our own words.", 1)


def test_apply_never_creates_a_second_lead_and_says_so(product, functions, leader):
    support = FunctionFactory(organization=product.organization, name="Help Centre", category="customer_facing")
    AssignmentFactory(product=product, function=support, layer=layer("augmented"), emphasis="lead", source="manual")
    result = mapping.apply(product=product, by=leader)
    assert result.conflicts == [
        "Help Centre already leads the Augmented product layer of Northwind Insights; "
        "Customer Success was not made its lead."
    ]
    assert not Assignment.objects.filter(function=functions["Customer Success"], layer__key="augmented").exists()
    assert Assignment.objects.filter(product=product, layer__key="augmented", emphasis="lead").count() == 1
    assert result.created > 0  # everything else was applied


def test_apply_hands_a_lead_over_when_the_old_lead_is_demoted_in_the_same_run(product, functions, leader):
    # Imported: Product Marketing leads Expected. The hybrid playbook makes it a contributor and PM the lead.
    AssignmentFactory(
        product=product,
        function=functions["Product Marketing"],
        layer=layer("expected"),
        emphasis="lead",
        source="import",
    )
    got = by_cell(mapping.suggest(product=product))
    assert got[("Product Marketing", "expected")].status == "differs"
    assert got[("Product Management", "expected")].status == "new"
    result = mapping.apply(product=product, by=leader)
    assert result.conflicts == []
    leads = Assignment.objects.filter(product=product, layer__key="expected", emphasis="lead")
    assert list(leads.values_list("function__name", flat=True)) == ["Product Management"]
    assert mapping.apply(product=product, by=leader).updated == 0


def test_apply_only_writes_the_chosen_pairs(product, functions, leader):
    cs, ceo = functions["Customer Success"], functions["CEO"]
    result = mapping.apply(product=product, by=leader, only=[(cs.pk, "augmented"), (ceo.pk, "potential")])
    assert result.created == 2
    assert cells() == {
        ("Customer Success", "augmented", "lead", "playbook"),
        ("CEO", "potential", "lead", "playbook"),
    }


def test_apply_accepts_pairs_as_a_form_posts_them(product, functions, leader):
    cs = functions["Customer Success"]
    result = mapping.apply(product=product, by=leader, only=[(str(cs.pk), "augmented")])
    assert result.created == 1 and result.conflicts == []


def test_apply_reports_pairs_that_are_not_suggestions(product, functions, leader):
    facilities = functions["Facilities"]
    result = mapping.apply(product=product, by=leader, only=[(facilities.pk, "core"), (999999, "bogus")])
    assert result.created == 0
    assert result.conflicts == [
        "There is no playbook suggestion for Facilities at the Core product layer; reload the suggestions.",
        "There is no playbook suggestion for function #999999 at an unknown layer 'bogus'; reload the suggestions.",
    ]
    assert not Assignment.objects.exists()


def test_apply_writes_nothing_when_a_lead_appears_mid_write(product, functions, leader, monkeypatch):
    real_bulk_create = Assignment.objects.bulk_create

    def someone_was_faster(objs, *args, **kwargs):
        AssignmentFactory(product=product, function=functions["HR"], layer=layer("augmented"), emphasis="lead")
        return real_bulk_create(objs, *args, **kwargs)

    monkeypatch.setattr(Assignment.objects, "bulk_create", someone_was_faster)
    with pytest.raises(Conflict):
        mapping.apply(product=product, by=leader)
    assert not Assignment.objects.exists()
    assert not AssignmentChange.objects.exists()


# --- dismiss --------------------------------------------------------------------------------


def test_a_dismissed_suggestion_persists_and_is_skipped_by_apply(product, functions, leader):
    hr = functions["HR"]
    mapping.dismiss(product=product, function=hr, layer="potential", by=leader)
    mapping.dismiss(product=product, function=hr, layer="potential", by=leader)  # idempotent
    assert DismissedSuggestion.objects.count() == 1
    result = mapping.apply(product=product, by=leader)
    assert result.skipped_dismissed == 1
    assert not Assignment.objects.filter(function=hr).exists()
    # Chosen explicitly, it is applied after all.
    assert mapping.apply(product=product, by=leader, only=[(hr.pk, "potential")]).created == 1


def test_undismiss_brings_the_suggestion_back(product, functions, leader):
    hr = functions["HR"]
    mapping.dismiss(product=product, function=hr, layer=layer("potential"), by=leader)
    mapping.undismiss(product=product, function=hr, layer="potential", by=leader)
    assert by_cell(mapping.suggest(product=product))[("HR", "potential")].status == "new"
    assert not DismissedSuggestion.objects.exists()


def test_dismiss_refuses_a_function_of_another_organization(product, leader):
    stranger = FunctionFactory(organization=OrganizationFactory(slug="elsewhere"), name="HR")
    with pytest.raises(DomainError):
        mapping.dismiss(product=product, function=stranger, layer="potential", by=leader)
    with pytest.raises(DomainError):
        mapping.dismiss(product=product, function=stranger, layer="nowhere", by=leader)
    assert not DismissedSuggestion.objects.exists()


# --- queries do not grow with the organization ------------------------------------------------


def distinct_names(count: int) -> list[str]:
    """`count` different function names that all match the playbook (aliases, then with "Team")."""
    aliases = sorted({alias for entry in PLAYBOOK for alias in entry.all_names})
    names = [*aliases, *(f"{alias} Team" for alias in aliases), *(f"Head of {alias}" for alias in aliases)]
    names += [f"{alias} Dept" for alias in aliases] + [f"{alias} Group" for alias in aliases]
    # Unique case-insensitively, as the database requires.
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())[:count]


def build_org(size: int) -> tuple:
    org = OrganizationFactory(slug=f"size-{size}")
    product = ProductFactory(organization=org, slug="main")
    Function.objects.bulk_create(
        [Function(organization=org, name=name, category="building") for name in distinct_names(size - 2)]
        + [Function(organization=org, name=f"Facilities {i}", category="building") for i in range(2)]
    )
    return org, product


def statements(captured: CaptureQueriesContext) -> list[str]:
    """The statements run, with the backend's extra batches of one bulk statement collapsed into one.

    SQLite allows 999 parameters per statement, so Django splits a bulk insert of
    hundreds of rows into several; PostgreSQL sends one (as `INSERT … SELECT * FROM
    UNNEST(…)` since Django 5.2). One bulk write is still one statement of the service,
    so consecutive batches of it count once.
    """
    out: list[str] = []
    for query in captured.captured_queries:
        head = re.split(r" VALUES | SET | SELECT \* FROM UNNEST", query["sql"], maxsplit=1)[0]
        if out and head == out[-1] and head.startswith(("INSERT", "UPDATE")):
            continue
        out.append(head)
    return out


def test_suggest_and_apply_queries_do_not_grow_with_the_number_of_functions(leader):
    counts = {}
    for size in (10, 200):
        _org, product = build_org(size)
        with CaptureQueriesContext(connection) as suggested:
            result = mapping.suggest(product=product)
        with CaptureQueriesContext(connection) as applied:
            outcome = mapping.apply(product=product, by=leader)
        assert outcome.created > 0 and len(result.unmatched) == 2
        writes = [sql for sql in statements(applied) if sql.startswith(("INSERT", "UPDATE"))]
        # One bulk insert of assignments and one of their history rows: nothing per row. Then
        # the read model's bulk writes (pairs, counters), a fixed number too (issue 13).
        assert writes[:2] == [
            'INSERT INTO "layers_assignment" ("organization_id", "product_id", "function_id", "layer_id", "emphasis", '
            '"contribution", "source", "version", "created_at", "changed_at", "changed_by_id")',
            'INSERT INTO "layers_assignmentchange" ("organization_id", "product_id", "function_id", "layer_id", '
            '"action", "before", "after", "by_id", "at", "source")',
        ]
        read_model = ("layers_reviewpair", "layers_cellcounts", "layers_functioncounts", "layers_layercounts")
        assert all(any(f'"{table}"' in sql for table in (*read_model, "layers_productcounts")) for sql in writes[2:])
        counts[size] = (len(suggested), len(statements(applied)))
    assert counts[10] == counts[200], counts
    assert counts[10][0] <= 6


@pytest.mark.slow
def test_apply_for_a_thousand_functions_is_quick(leader, capsys):
    _org, product = build_org(1000)
    started = time.perf_counter()
    result = mapping.apply(product=product, by=leader)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\napply(1,000 functions): {result.created} created in {elapsed:.2f}s")
    assert result.created > 900  # the rest are second leads, reported in result.conflicts
    assert elapsed < 20
