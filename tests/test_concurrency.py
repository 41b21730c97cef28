"""Concurrency on PostgreSQL (issue 8 item 5): many writers at the same instant, one outcome.

Each test releases its threads together through a barrier; every thread has a database
connection of its own, so the races are real (row locks, unique constraints, conditional
updates), not interleavings a single connection would serialize. Every thread must finish
within a bound: a deadlock or a lock wait that never ends fails the test instead of hanging
it. (PostgreSQL breaks a true deadlock after `deadlock_timeout` with an error, which the
tests would see as an unexpected exception.)
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection

from layers.models import Assignment, AssignmentChange
from layers.services import assignments
from roles.models import Function, ImportJob, Stakeholder
from roles.services import imports
from tests.factories import FunctionFactory, ProductFactory, UserFactory, ensure_layers
from wholeproduct.errors import Conflict, DomainError

from .services import require_postgres

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOUND = 60.0  # seconds for the whole race; a healthy one takes well under 2


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()
    ensure_layers()


def race(count: int, work: Callable[[int], Any]) -> tuple[list[Outcome], float]:
    """Run work(0) … work(count-1) in `count` threads released at once; return their outcomes and
    how long the race took. Fails if any thread is still running after BOUND seconds."""
    start = threading.Barrier(count)
    outcomes = [Outcome() for _ in range(count)]

    def run(index: int) -> None:
        try:
            start.wait(timeout=BOUND)
            outcomes[index].value = work(index)
        except BaseException as error:  # every outcome is asserted by the test
            outcomes[index].error = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, BOUND - (time.monotonic() - began)))
    stuck = sum(thread.is_alive() for thread in threads)
    assert stuck == 0, f"{stuck} of {count} threads still running after {BOUND:.0f} s: a deadlock or a lost lock"
    return outcomes, time.monotonic() - began


def kinds(outcomes: list[Outcome]) -> Counter[str]:
    return Counter("ok" if o.error is None else type(o.error).__name__ for o in outcomes)


# --- one assignment, twenty editors -----------------------------------------------------------------


def test_twenty_updates_of_the_same_version_let_exactly_one_through(org):
    product = ProductFactory(organization=org, slug="insights")
    function = FunctionFactory(organization=org, name="Engineering")
    editors = [UserFactory(email=f"editor{i}@acme.test") for i in range(20)]
    cell = assignments.assignment_set(
        product=product, function=function, layer="core", emphasis="contributor", contribution="Builds it.", by=None
    )
    assert cell.version == 1

    def update(i: int) -> int:
        return assignments.assignment_set(
            product=product,
            function=function,
            layer="core",
            emphasis="contributor",
            contribution=f"Builds it, says editor {i}.",
            by=editors[i],
            expected_version=1,
        ).version

    outcomes, seconds = race(20, update)

    assert kinds(outcomes) == {"ok": 1, "Conflict": 19}, [o.error for o in outcomes if o.error]
    winner = next(i for i, o in enumerate(outcomes) if o.error is None)
    assert outcomes[winner].value == 2
    for loser in (o for o in outcomes if o.error is not None):
        assert isinstance(loser.error, Conflict)
        assert loser.error.current is not None and loser.error.current.version == 2  # what is there now
        assert "after you loaded it" in loser.error.detail
    cell.refresh_from_db()
    assert (cell.version, cell.contribution, cell.changed_by) == (
        2,
        f"Builds it, says editor {winner}.",
        editors[winner],
    )
    history = AssignmentChange.objects.filter(product=product, function=function)
    assert sorted(history.values_list("action", flat=True)) == ["created", "updated"]
    update_row = history.get(action="updated")
    assert (update_row.before["version"], update_row.after["version"], update_row.by) == (1, 2, editors[winner])
    assert seconds < BOUND


def test_twenty_creations_of_the_same_empty_cell_make_one_assignment(org):
    """expected_version=0 means "I saw nothing there": only the first creator is right."""
    product = ProductFactory(organization=org)
    function = FunctionFactory(organization=org, name="Sales")

    def create(i: int) -> int:
        return assignments.assignment_set(
            product=product, function=function, layer="augmented", emphasis="contributor", by=None, expected_version=0
        ).pk

    outcomes, _ = race(20, create)

    assert kinds(outcomes) == {"ok": 1, "Conflict": 19}
    assert Assignment.objects.filter(product=product, function=function).count() == 1
    assert AssignmentChange.objects.filter(product=product, function=function).count() == 1


def test_two_functions_made_lead_of_the_same_layer_at_once_leave_one_lead(org):
    """Different rows, so no row lock orders them: the partial unique index decides."""
    product = ProductFactory(organization=org)
    functions = [FunctionFactory(organization=org, name=f"Team {i}") for i in range(8)]

    def lead(i: int) -> int:
        return assignments.assignment_set(
            product=product, function=functions[i], layer="core", emphasis="lead", by=None, expected_version=0
        ).pk

    outcomes, _ = race(8, lead)

    assert kinds(outcomes) == {"ok": 1, "SecondLead": 7}, [repr(o.error) for o in outcomes if o.error]
    assert Assignment.objects.filter(product=product, emphasis="lead").count() == 1
    assert Assignment.objects.filter(product=product).count() == 1  # the losers wrote nothing
    assert AssignmentChange.objects.filter(product=product).count() == 1


# --- two imports of the same file ---------------------------------------------------------------------

HEADER = "Full Name,Email,Job Title,Department,Category,Parent Function\r\n"
ROWS = 400
DEPARTMENTS = 12


def org_chart() -> bytes:
    lines = [f"Person {i},person{i}@acme.test,Title {i % 7},Dept {i % DEPARTMENTS},," for i in range(ROWS)]
    return (HEADER + "\r\n".join(lines) + "\r\n").encode()


def assert_imported_once(org) -> None:
    people = Stakeholder.objects.filter(organization=org)
    emails = Counter(email.lower() for email in people.values_list("email", flat=True))
    assert len(emails) == ROWS and max(emails.values()) == 1
    assert Function.objects.filter(organization=org).count() == DEPARTMENTS
    names = Counter(n.lower() for n in Function.objects.filter(organization=org).values_list("name", flat=True))
    assert max(names.values()) == 1
    # Every person sits in the function their row names.
    assert not people.exclude(function__organization=org).exists()
    assert people.filter(email="person13@acme.test", function__name="Dept 1").exists()


def test_the_same_file_imported_twice_at_once_ends_with_each_person_once(org):
    content = org_chart()

    def run(i: int) -> dict:
        table = imports.read_table(content=content, filename="people.csv")
        return imports.import_table(organization=org, table=table, mapping=imports.recognize(table.headers)).result

    outcomes, _ = race(2, run)

    assert all(o.error is None or isinstance(o.error, DomainError) for o in outcomes), [o.error for o in outcomes]
    results = [o.value for o in outcomes if o.error is None]
    assert results, "at least one of the two imports must go through"
    # The organization lock serializes them: the first creates everyone, the second (if it ran)
    # finds everyone there already.
    assert sorted(r["created"] for r in results)[-1] == ROWS
    assert all(r["created"] in {0, ROWS} for r in results)
    assert_imported_once(org)


def test_two_previews_of_the_same_file_committed_at_once_import_it_once(org, admin_user):
    content = org_chart()
    jobs = [
        imports.start_import(organization=org, by=admin_user, filename="people.csv", content=content) for _ in range(2)
    ]
    assert [job.state for job in jobs] == ["ready", "ready"]

    outcomes, _ = race(2, lambda i: imports.commit_import(job=jobs[i]).state)

    assert kinds(outcomes) == {"ok": 1, "ImportChanged": 1}
    states = sorted(ImportJob.objects.filter(pk__in=[j.pk for j in jobs]).values_list("state", flat=True))
    # The loser's preview no longer says what it would do (everyone exists now): it is shown again.
    assert states == ["done", "ready"]
    assert_imported_once(org)


def test_one_import_committed_twice_at_once_runs_once(org, admin_user):
    """A double click: both requests try to claim the same job."""
    job = imports.start_import(organization=org, by=admin_user, filename="people.csv", content=org_chart())

    outcomes, _ = race(2, lambda i: imports.commit_import(job=ImportJob.objects.get(pk=job.pk)).state)

    assert kinds(outcomes) == {"ok": 1, "Conflict": 1}
    loser = next(o.error for o in outcomes if o.error is not None)
    assert loser.detail in {"This import is already running.", "This file has already been imported."}
    job.refresh_from_db()
    assert job.state == "done" and job.result["created"] == ROWS
    assert_imported_once(org)


# --- the read model: two writers on one product's counters ---------------------------------------


@pytest.mark.raw_read_model
def test_two_writers_on_one_product_lose_no_counter_update():
    """One thread records five reviews while another adds five people to the same function: both
    recount the product's counters, under its row lock, so neither overwrites the other's."""
    from layers.models import ProductCounts
    from layers.readmodel.oracle import check_organization
    from layers.services import products, reviews
    from roles.services import functions, people

    leader = UserFactory()
    product = ProductFactory()
    org = product.organization
    products.product_create(organization=org, name="Counted", slug="counted")
    counted = org.products.get(slug="counted")
    team = functions.function_create(organization=org, name="Customer Success", category="customer_facing")
    for i in range(5):
        people.stakeholder_create(organization=org, full_name=f"Reviewer {i}", email=f"r{i}@x.test", function=team)
    cell = assignments.assignment_set(product=counted, function=team, layer="augmented", emphasis="lead", by=leader)
    reviewers = list(Stakeholder.objects.filter(function=team).order_by("pk"))

    def work(index: int) -> None:
        for i in range(5):
            if index == 0:
                reviews.review_submit(assignment=cell, stakeholder=reviewers[i], verdict="agree")
            else:
                people.stakeholder_create(organization=org, full_name=f"New {i}", email=f"n{i}@x.test", function=team)

    outcomes, _ = race(2, work)

    assert kinds(outcomes) == Counter({"ok": 2}), [o.error for o in outcomes]
    totals = ProductCounts.objects.get(product=counted)
    assert (totals.pairs, totals.reviewed, totals.current, totals.agreeing) == (10, 5, 5, 5)
    assert check_organization(org, repair=False).differences == []
