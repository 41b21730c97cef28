"""Querysets whose SQL is built once (shared/prepared.py): the same rows as built every time,
without building or compiling again, and nothing chained on them."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.sql import compiler as sql_compiler
from django.test.utils import CaptureQueriesContext, override_settings

from roles.models import Function, Stakeholder
from shared.prepared import PreparedQuerySetError, check_same_statement, first_of, prepared, statement_of

from ..factories import FunctionFactory, OrganizationFactory, StakeholderFactory

pytestmark = pytest.mark.django_db


@prepared
def people_in(organization_id, function_ids):
    return (
        Stakeholder.objects.filter(organization_id=organization_id, function_id__in=function_ids)
        .select_related("function", "manager")
        .order_by("function__name", "full_name", "pk")
    )


@prepared
def names_of(organization_id, category):
    return Function.objects.filter(organization_id=organization_id, category=category).order_by("name")


@prepared
def counted(organization_id):
    return (
        Stakeholder.objects.filter(organization_id=organization_id)
        .values("function_id")
        .annotate(n=Count("*"))
        .order_by("function_id")
    )


@prepared
def searched(organization_id, text):
    return Function.objects.filter(organization_id=organization_id, name__icontains=text).order_by("name")


@prepared
def first_or_all(organization_id, limit):
    functions = Function.objects.filter(organization_id=organization_id).order_by("name")
    return functions if limit is None else functions[:limit]


@pytest.fixture
def two():
    made = []
    for _ in range(2):
        org = OrganizationFactory()
        functions = [FunctionFactory(organization=org, category=c) for c in ("building", "building", "partner")]
        for function in functions:
            StakeholderFactory.create_batch(2, organization=org, function=function)
        made.append((org, functions))
    return made


@pytest.fixture
def compiles(monkeypatch):
    """How many statements Django has compiled (SQLCompiler.as_sql calls, subqueries included)."""
    calls = []
    original = sql_compiler.SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(sql_compiler.SQLCompiler, "as_sql", counting)
    return lambda: len(calls)


def _plain(builder, *args):
    return list(builder.__wrapped__(*args))


@override_settings(PREPARED_CHECK=False)
def test_later_calls_read_the_same_rows_without_building_again(two, compiles):
    (org, functions), (other, theirs) = two
    ids = [f.pk for f in functions[:2]]
    first = list(people_in(org.pk, ids))  # built and compiled, the plan made
    before = compiles()
    with CaptureQueriesContext(connection) as captured:
        again = list(people_in(other.pk, [f.pk for f in theirs[:2]]))
    assert compiles() == before  # nothing built or compiled
    assert len(captured.captured_queries) == 1
    assert [p.pk for p in first] == [p.pk for p in _plain(people_in, org.pk, ids)]
    assert [p.pk for p in again] == [p.pk for p in _plain(people_in, other.pk, [f.pk for f in theirs[:2]])]
    assert {p.organization_id for p in again} == {other.pk} and len(again) == 4
    assert again[0].function.name == sorted(f.name for f in theirs[:2])[0]  # related rows filled in


def test_values_strings_and_shapes(two):
    (org, functions), (other, _theirs) = two
    for _ in range(3):  # built, then replayed: the check compares each call with a fresh build
        assert list(names_of(org.pk, "building")) == _plain(names_of, org.pk, "building")
        assert list(names_of(other.pk, "partner")) == _plain(names_of, other.pk, "partner")
        assert list(counted(org.pk)) == _plain(counted, org.pk)
        assert list(counted(other.pk)) == [{"function_id": f.pk, "n": 2} for f in sorted(_theirs, key=lambda f: f.pk)]
    # A list of another length is another statement (IN holds a placeholder a value).
    assert len(people_in(org.pk, [functions[0].pk])) == 2
    assert len(people_in(org.pk, [f.pk for f in functions])) == 6
    assert len(people_in(org.pk, [])) == 0  # an empty IN is no statement: built every time


def test_a_value_the_statement_changes_or_writes_into_its_text_is_built_every_time(two, compiles):
    (org, functions), _ = two
    name = functions[0].name
    for _ in range(2):
        assert [f.pk for f in searched(org.pk, name[1:4])] == [f.pk for f in _plain(searched, org.pk, name[1:4])]
    before = compiles()
    list(searched(org.pk, name[:3]))
    assert compiles() > before  # the pattern around it: not prepared
    for limit in (1, 2, None, 1):  # a slice's bounds are written into the SQL: each is its shape
        assert [f.pk for f in first_or_all(org.pk, limit)] == [f.pk for f in _plain(first_or_all, org.pk, limit)]


def test_a_prepared_queryset_is_read_as_it_is(two):
    (org, _functions), _ = two
    list(names_of(org.pk, "building"))
    rows = names_of(org.pk, "building")  # replayed
    for narrowing in (
        lambda: rows.filter(name="x"),
        lambda: rows.count(),
        lambda: rows[:1],
        lambda: rows.exists(),
        lambda: rows.order_by("pk"),
    ):
        with pytest.raises(PreparedQuerySetError):
            narrowing()
    assert len(rows) == 2 and bool(rows) and [f.category for f in rows] == ["building", "building"]


def test_the_check_catches_a_builder_that_is_not_a_function_of_its_arguments(two):
    (org, _functions), _ = two
    calls = itertools.count()

    @prepared
    def drifting(organization_id):
        return Function.objects.filter(organization_id=organization_id, pk__gt=next(calls))

    with pytest.raises(AssertionError, match="differs"):
        list(drifting(org.pk))
    with override_settings(PREPARED_CHECK=False):

        @prepared
        def drifting_unchecked(organization_id):
            return Function.objects.filter(organization_id=organization_id, pk__gt=next(calls) - 1_000_000)

        for _ in range(3):  # found to differ on its first call: built every time after, never replayed
            assert len(drifting_unchecked(org.pk)) == 3


def test_keywords_are_refused():
    with pytest.raises(TypeError, match="positional"):
        names_of(organization_id=1, category="building")


@prepared
def made_since(organization_id, since):
    return Function.objects.filter(organization_id=organization_id, created_at__gte=since).order_by("pk")


def test_dates_and_moments_are_values_too(two):
    (org, functions), (other, theirs) = two
    earliest = min(f.created_at for f in functions + theirs)
    for since in (earliest, earliest + timedelta(days=1), earliest - timedelta(seconds=1)):
        for organization in (org, other):
            expected = _plain(made_since, organization.pk, since)
            assert list(made_since(organization.pk, since)) == expected
    assert len(made_since(org.pk, earliest - timedelta(days=1))) == 3


def test_the_shapes_kept_are_bounded(two, monkeypatch):
    import shared.prepared as module

    (org, functions), _ = two
    monkeypatch.setattr(module, "SHAPES_KEPT", 2)

    @prepared
    def some(organization_id, ids):
        return Function.objects.filter(organization_id=organization_id, pk__in=ids).order_by("pk")

    ids = [f.pk for f in functions]
    for _ in range(2):
        for n in (1, 2, 3):  # three shapes through a store of two: each still reads the right rows
            assert [f.pk for f in some(org.pk, ids[:n])] == sorted(ids[:n])


@prepared(shaped=("limit",))
def first_few(organization_id, limit):
    return Function.objects.filter(organization_id=organization_id).order_by("name", "pk")[:limit]


@override_settings(PREPARED_CHECK=False)
def test_a_shaped_parameter_makes_a_statement_of_each_value(two, compiles):
    (org, _functions), (other, _theirs) = two
    for limit in (1, 2):
        list(first_few(org.pk, limit))  # built: one statement per limit
    before = compiles()
    assert [f.pk for f in first_few(other.pk, 2)] == [f.pk for f in _plain(first_few, other.pk, 2)]
    assert [f.pk for f in first_few(org.pk, 1)] == [f.pk for f in _plain(first_few, org.pk, 1)]
    assert compiles() == before + 2  # the two plain builds above, nothing for the prepared calls


def test_a_shaped_name_must_be_a_parameter():
    with pytest.raises(TypeError, match="no parameter"):

        @prepared(shaped=("size",))
        def wrong(organization_id, limit):
            return Function.objects.filter(organization_id=organization_id)[:limit]


def test_a_prepared_queryset_prints_its_rows(two):
    (org, _functions), _ = two
    list(names_of(org.pk, "building"))
    rows = names_of(org.pk, "building")
    assert repr(rows).startswith("<prepared QuerySet [<Function: ") and repr(rows).count("<Function") == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the threads see the rows
def test_threads_meeting_new_shapes_at_once_read_the_right_rows(two, monkeypatch):
    """Eviction and insertion under many threads: every call answers its own rows (no KeyError,
    no dict changed during iteration)."""
    import threading

    import shared.prepared as module

    (org, functions), _ = two
    monkeypatch.setattr(module, "SHAPES_KEPT", 3)
    ids = [f.pk for f in functions]

    @prepared
    def some(organization_id, wanted):
        return Function.objects.filter(organization_id=organization_id, pk__in=wanted).values_list("pk", flat=True)

    errors = []

    def work(n):
        from django.db import connection as thread_connection

        try:
            for round_ in range(20):
                wanted = ids[: 1 + (n + round_) % len(ids)]
                assert sorted(some(org.pk, wanted)) == sorted(wanted)
        except Exception as error:
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_first_of_reads_the_row_first_reads(two):
    (org, _functions), _ = two
    ordered = Function.objects.filter(organization=org)  # Meta ordering: by name
    unordered = Function.objects.filter(organization=org).order_by()
    assert list(first_of(ordered)) == [ordered.first()]
    assert list(first_of(unordered)) == [unordered.first()]
    assert list(first_of(Function.objects.filter(organization=org, name="nobody"))) == []


def test_a_reader_is_held_to_its_lists_statement(two):
    (org, _functions), _ = two
    listed = Function.objects.filter(organization=org).order_by("name", "pk")
    list(names_of(org.pk, "building"))
    check_same_statement(listed[:2], listed[:2])
    check_same_statement(listed[:0], Function.objects.none())  # both known empty: no statement
    assert statement_of(listed[:0]) == ("", ())
    with pytest.raises(AssertionError, match="differs from its list"):
        check_same_statement(names_of(org.pk, "building"), listed)
    with override_settings(PREPARED_CHECK=False):
        check_same_statement(names_of(org.pk, "building"), listed)  # checked under the suite only
