"""Distinct counts kept by the database (roles.rowcounts.DISTINCT_COUNTED): the functions mapped on
any product, which the review inbox's progress list counts. Every way a function counter row comes
and goes — mapping and clearing cells on one product or several, deleting and merging functions,
bulk statements, a truncation — moves the organization's count when, and only when, a function
becomes mapped or stops being mapped anywhere; other tenants' counts do not move."""

from __future__ import annotations

import pytest
from django.db import connection

from layers.models import FunctionCounts
from layers.selectors.campaigns import function_progress_page
from layers.services.assignments import assignment_clear, assignment_set
from layers.services.function_merge import function_merge
from roles import rowcounts
from roles.services import functions as function_services

from ..concurrently import one_then_another
from ..factories import FunctionFactory, OrganizationFactory, ProductFactory, UserFactory
from ..services import require_postgres

pytestmark = pytest.mark.django_db

KEY = f"{FunctionCounts._meta.db_table}.function_id"


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def kept(organization) -> int:
    return rowcounts.distinct_count(organization.pk, FunctionCounts, "function_id")


def mapped(organization) -> int:
    return FunctionCounts.objects.filter(organization=organization).values("function_id").distinct().count()


def assert_true(*organizations) -> None:
    for organization in organizations:
        assert kept(organization) == mapped(organization)
    assert [d for d in rowcounts.check([o.pk for o in organizations]) if d.table == KEY] == []


def test_mapping_clearing_deleting_and_merging_keep_the_count_of_functions_mapped_anywhere():
    org, other = OrganizationFactory(), OrganizationFactory()
    leader = UserFactory()
    one, two = ProductFactory(organization=org), ProductFactory(organization=org)
    sales, legal, ops = (FunctionFactory(organization=org, name=n) for n in ("Sales", "Legal", "Ops"))
    elsewhere = FunctionFactory(organization=other, name="Sales")
    assignment_set(
        product=ProductFactory(organization=other), function=elsewhere, layer="core", emphasis="lead", by=leader
    )
    assert kept(org) == 0 and kept(other) == 1

    assignment_set(product=one, function=sales, layer="core", emphasis="lead", by=leader)
    assignment_set(product=two, function=sales, layer="expected", emphasis="contributor", by=leader)
    assignment_set(product=one, function=sales, layer="expected", emphasis="contributor", by=leader)
    assert kept(org) == 1  # one function, on two products and two layers
    assignment_set(product=two, function=legal, layer="core", emphasis="lead", by=leader)
    assignment_set(product=one, function=ops, layer="augmented", emphasis="contributor", by=leader)
    assert kept(org) == 3
    assert_true(org, other)

    assignment_clear(product=one, function=sales, layer="core", by=leader)
    assignment_clear(product=one, function=sales, layer="expected", by=leader)
    assert kept(org) == 3  # still mapped on the second product
    assignment_clear(product=two, function=sales, layer="expected", by=leader)
    assert kept(org) == 2
    assert_true(org, other)

    function_merge(function=ops, into=legal, by=leader)  # ops's cell moves to legal, mapped already
    assert kept(org) == 1
    assert_true(org, other)
    function_services.function_delete(function=legal)
    assert kept(org) == 0 and kept(other) == 1
    assert_true(org, other)


def test_bulk_statements_an_update_moving_rows_and_a_truncation_keep_it():
    org = OrganizationFactory()
    leader = UserFactory()
    product, second = ProductFactory(organization=org), ProductFactory(organization=org)
    functions = [FunctionFactory(organization=org, name=f"Team {i}") for i in range(4)]
    for function in functions:
        assignment_set(product=product, function=function, layer="core" if function is functions[0] else "expected",
                       emphasis="lead" if function is functions[0] else "contributor", by=leader)  # fmt: skip
    assert kept(org) == 4
    unmapped = FunctionFactory(organization=org, name="Team 4")
    # A row moved to a function no row held, from one no other row holds: as many as before.
    FunctionCounts.objects.filter(function=functions[1]).update(function=unmapped)
    assert kept(org) == 4
    # A row moved to another product: the same functions.
    FunctionCounts.objects.filter(function=functions[2]).update(product=second)
    assert kept(org) == 4
    assert_true(org)
    # A row moved to a function mapped already (on the other product): one fewer.
    FunctionCounts.objects.filter(function=functions[3]).update(function=functions[2])
    assert kept(org) == 3
    assert_true(org)
    FunctionCounts.objects.filter(organization=org, function__in=functions[2:]).delete()
    assert kept(org) == 2
    assert_true(org)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred check waits on the table
        cursor.execute(f'TRUNCATE "{FunctionCounts._meta.db_table}" CASCADE')
    assert kept(org) == 0
    assert_true(org)


def test_the_inbox_progress_list_counts_from_it_and_a_drift_is_found_and_repaired():
    org = OrganizationFactory()
    leader = UserFactory()
    product = ProductFactory(organization=org)
    for i in range(3):
        function = FunctionFactory(organization=org, name=f"Team {i}")
        assignment_set(product=product, function=function, layer="expected", emphasis="contributor", by=leader)
    assert function_progress_page(org).paginator.count == 3
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wp_row_count (organization_id, table_name, delta) VALUES (%s, %s, 2)", [org.pk, KEY]
        )
    assert function_progress_page(org).paginator.count == 5  # read from the kept count, not counted
    assert rowcounts.check([org.pk]) == [rowcounts.Difference(KEY, org.pk, 5, 3)]
    rowcounts.repair([org.pk])
    assert rowcounts.check([org.pk]) == [] and function_progress_page(org).paginator.count == 3


def test_installing_again_begins_nothing_and_a_table_without_its_triggers_is_counted_afresh():
    org = OrganizationFactory()
    leader = UserFactory()
    product = ProductFactory(organization=org)
    assert rowcounts.install() == []
    with connection.cursor() as cursor:
        for event in ("insert", "delete", "update", "truncate"):
            cursor.execute(f'DROP TRIGGER "wp_distinct_{event}" ON "{FunctionCounts._meta.db_table}"')
    assignment_set(
        product=product, function=FunctionFactory(organization=org), layer="core", emphasis="lead", by=leader
    )
    assert kept(org) == 0  # written while not counted
    assert rowcounts.install() == [KEY]
    assert kept(org) == 1
    assert_true(org)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_mapping_or_unmapping_one_function_at_once_count_it_once():
    """Two transactions give one function its first counter rows on two products at once, then
    take them away at once: each statement's check waits for the other's transaction, so the
    function counts once, then not at all (without waiting, each saw no other row and counted)."""
    org = OrganizationFactory()
    function = FunctionFactory(organization=org)
    one, two = ProductFactory(organization=org), ProductFactory(organization=org)
    one_then_another(
        lambda: FunctionCounts.objects.create(organization=org, product=one, function=function),
        lambda: FunctionCounts.objects.create(organization=org, product=two, function=function),
    )
    assert kept(org) == mapped(org) == 1
    one_then_another(
        lambda: FunctionCounts.objects.filter(product=one).delete(),
        lambda: FunctionCounts.objects.filter(product=two).delete(),
    )
    assert kept(org) == mapped(org) == 0
    assert_true(org)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_of_many_values_locks_its_organization_and_a_small_one_waits_for_it():
    """A statement adding more than LOCK_EACH_UP_TO values (a rebuild's) locks its organization
    whole, not each value (the lock table is shared by every session); a small writer of one of
    them waits all the same."""
    from shared.triggers import LOCK_EACH_UP_TO

    org = OrganizationFactory()
    one, two = ProductFactory(organization=org), ProductFactory(organization=org)
    functions = [FunctionFactory(organization=org, name=f"Team {i}") for i in range(LOCK_EACH_UP_TO + 36)]
    one_then_another(
        lambda: FunctionCounts.objects.bulk_create(
            FunctionCounts(organization=org, product=one, function=f) for f in functions
        ),
        lambda: FunctionCounts.objects.create(organization=org, product=two, function=functions[0]),
    )
    assert kept(org) == mapped(org) == len(functions)
    assert_true(org)
