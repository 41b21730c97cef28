"""Row counts kept by the database (roles.rowcounts): every insert, delete, cascade, bulk statement
and truncation of a counted table moves its organization's count in the same transaction, and a
list of every row of one organization reads that count instead of counting the rows."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from layers.models import Review
from roles import rowcounts
from roles.models import Function, Organization, Partnership, Stakeholder
from roles.services import functions as function_services
from roles.services import partnerships as partnership_services

from ..api.conftest import token_client
from ..conftest import client_for
from ..factories import (
    FunctionFactory,
    MembershipFactory,
    OrganizationFactory,
    ReviewFactory,
    StakeholderFactory,
)
from ..services import require_postgres

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres():
    """The counts are kept by PostgreSQL's triggers; under SQLite every count is COUNT(*)."""
    require_postgres()


def kept(organization, model) -> int:
    return rowcounts.organization_count(organization.pk, model._meta.db_table)


def assert_counts_true(*organizations) -> None:
    for organization in organizations:
        for model in (Function, Stakeholder, Partnership, Review):
            assert kept(organization, model) == model.objects.filter(organization=organization).count(), model
    assert rowcounts.check([o.pk for o in organizations]) == []


# --- what is recognized as "every row of one organization" ----------------------------------------


def test_a_list_of_every_row_of_one_organization_is_recognized_and_nothing_else():
    org = OrganizationFactory()
    people = Stakeholder.objects.filter(organization=org)
    assert rowcounts.organization_of(people) == org.pk
    assert rowcounts.organization_of(Stakeholder.objects.filter(organization_id=org.pk)) == org.pk
    assert rowcounts.organization_of(people.select_related("function").order_by("full_name", "pk")) == org.pk
    assert rowcounts.organization_of(org.functions.all()) == org.pk
    # The same condition on rows reached through required foreign keys narrows nothing: a person's
    # function, a link's first function are of the person's, the link's organization.
    assert rowcounts.organization_of(people.filter(function__organization=org)) == org.pk
    links = Partnership.objects.filter(organization=org, function_a__organization=org)
    assert rowcounts.organization_of(links.select_related("function_a", "function_b")) == org.pk
    for narrower in (
        Stakeholder.objects.filter(organization=org, function__organization_id=org.pk + 1),
        Stakeholder.objects.filter(organization=org, user__is_active=True),
        Stakeholder.objects.filter(organization=org, manager__organization=org),  # a nullable key: may be none
        Stakeholder.objects.filter(organization=org, function__parent__organization=org),
        Function.objects.filter(organization=org, stakeholders__organization=org),  # a reverse join: many
        Partnership.objects.filter(function_a__organization=org),
    ):
        assert rowcounts.organization_of(narrower) is None, narrower.query
    for narrower in (
        people.filter(full_name__icontains="a"),
        people.filter(user__isnull=False),
        people.exclude(pk=1),
        people.distinct(),
        people[:10],
        people.none(),
        Stakeholder.objects.all(),
        Stakeholder.objects.filter(function__organization=org),
        Stakeholder.objects.filter(organization__slug=org.slug),
        Stakeholder.objects.exclude(organization=org),
        Organization.objects.filter(pk=org.pk),  # not a counted model
        [1, 2, 3],
    ):
        assert rowcounts.organization_of(narrower) is None, narrower.query if hasattr(narrower, "query") else narrower


# --- the counts follow every write --------------------------------------------------------------


def test_counts_follow_creates_bulk_inserts_deletes_and_cascades():
    org, other = OrganizationFactory(), OrganizationFactory()
    reviews = [ReviewFactory(assignment__product__organization=org) for _ in range(3)]
    ReviewFactory(assignment__product__organization=other)
    function = FunctionFactory(organization=org)
    Stakeholder.objects.bulk_create(
        Stakeholder(organization=org, function=function, full_name=f"Bulk {i}", email=f"bulk{i}@example.test")
        for i in range(25)
    )
    assert_counts_true(org, other)
    assert kept(org, Stakeholder) == 28 and kept(org, Review) == 3

    # A function deleted with its people: the people, their reviews and the assignments go by
    # cascade (the database's and Django's), and every count follows.
    reviewed = reviews[0].assignment.function
    function_services.function_delete(
        function=reviewed, delete_people=True, people_confirmed=reviewed.stakeholders.count()
    )
    Stakeholder.objects.filter(function=function, full_name__startswith="Bulk 1").delete()
    assert_counts_true(org, other)
    assert kept(org, Review) == 2

    Review.objects.filter(organization=other).delete()
    assert kept(other, Review) == 0
    assert_counts_true(org, other)


def test_a_write_rolled_back_moves_no_count():
    org = OrganizationFactory()
    StakeholderFactory(function__organization=org, organization=org)
    with pytest.raises(RuntimeError), transaction.atomic():
        StakeholderFactory(function__organization=org, organization=org)
        assert kept(org, Stakeholder) == 2  # the writing transaction sees its own rows counted
        raise RuntimeError
    assert kept(org, Stakeholder) == 1
    assert_counts_true(org)


def test_a_row_moved_to_another_organization_moves_its_count():
    org, other = OrganizationFactory(), OrganizationFactory()
    person = StakeholderFactory(function__organization=org, organization=org)
    Function.objects.filter(pk=person.function_id).update(organization=other)  # no service does this
    Stakeholder.objects.filter(pk=person.pk).update(organization=other)
    assert kept(org, Stakeholder) == 0 and kept(other, Stakeholder) == 1
    assert_counts_true(org, other)


def test_folding_keeps_every_count_and_drops_what_sums_to_nothing():
    org = OrganizationFactory()
    function = FunctionFactory(organization=org)
    for i in range(rowcounts.COMPACT_AT + 5):
        Stakeholder.objects.create(organization=org, function=function, full_name=f"P {i}", email=f"p{i}@x.test")
    table = Stakeholder._meta.db_table

    def rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM wp_row_count WHERE organization_id = %s AND table_name = %s", [org.pk, table]
            )
            return cursor.fetchone()[0]

    assert rows() > rowcounts.COMPACT_AT
    assert kept(org, Stakeholder) == rowcounts.COMPACT_AT + 5  # the read folds them on its way
    assert rows() == 1
    assert kept(org, Stakeholder) == rowcounts.COMPACT_AT + 5
    Stakeholder.objects.filter(organization=org).delete()
    rowcounts.fold_all()
    assert rows() == 0 and kept(org, Stakeholder) == 0


def test_installing_again_counts_nothing_twice_and_a_table_without_triggers_is_counted_afresh():
    org = OrganizationFactory()
    StakeholderFactory(function__organization=org, organization=org)
    assert rowcounts.install() == []  # every table counts already: nothing begins again
    assert_counts_true(org)
    table = Stakeholder._meta.db_table
    with connection.cursor() as cursor:
        for event in ("insert", "delete", "update", "truncate"):
            cursor.execute(f'DROP TRIGGER "wp_count_{event}" ON "{table}"')
    StakeholderFactory(function__organization=org, organization=org)  # written while not counted
    assert kept(org, Stakeholder) == 1
    assert rowcounts.install() == [table]
    assert kept(org, Stakeholder) == 2
    assert_counts_true(org)


def test_the_check_reports_a_drifted_count_and_the_rebuild_repairs_it(capsys):
    org = OrganizationFactory()
    StakeholderFactory(function__organization=org, organization=org)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO wp_row_count (organization_id, table_name, delta) VALUES (%s, %s, 5)",
            [org.pk, Stakeholder._meta.db_table],
        )
    assert rowcounts.check([org.pk]) == [rowcounts.Difference(Stakeholder._meta.db_table, org.pk, 6, 1)]
    with pytest.raises(SystemExit) as exited:
        call_command("rebuild_read_model", "--org", org.slug, "--check")
    assert exited.value.code == 1
    assert "roles_stakeholder" in capsys.readouterr().out
    call_command("rebuild_read_model", "--org", org.slug)
    assert rowcounts.check() == []
    call_command("rebuild_read_model", "--org", org.slug, "--check")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_truncated_table_starts_from_nothing():
    org = OrganizationFactory()
    StakeholderFactory(function__organization=org, organization=org)
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Stakeholder._meta.db_table}" CASCADE')
    assert kept(org, Stakeholder) == 0
    assert_counts_true(org)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_writers_at_once_lose_no_count():
    org = OrganizationFactory()
    function = FunctionFactory(organization=org)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def write(prefix: str) -> None:
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                for i in range(20):
                    Stakeholder.objects.create(
                        organization=org, function=function, full_name=f"{prefix} {i}", email=f"{prefix}{i}@x.test"
                    )
                barrier.wait(timeout=10)  # both transactions open with their rows written
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(prefix,)) for prefix in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert kept(org, Stakeholder) == 40
    assert_counts_true(org)


# --- lists read the kept count ------------------------------------------------------------------


def _counts_of(captured, table: str) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"] and f'FROM "{table}"' in q["sql"]]


def test_the_api_lists_every_review_without_counting_them_and_a_filter_counts():
    review = ReviewFactory()
    org = review.organization
    ReviewFactory(assignment=review.assignment, stakeholder__function=review.assignment.function)
    ReviewFactory()  # another organization's
    leader = MembershipFactory(organization=org).user
    client = token_client(leader)
    url = f"/api/v1/orgs/{org.slug}/reviews/"
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).json()
    assert body["count"] == 2 and len(body["results"]) == 2
    assert not _counts_of(captured, "layers_review")
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url, {"verdict": "disagree"}).json()
    assert body["count"] == 0
    assert _counts_of(captured, "layers_review")


def test_the_api_lists_every_link_without_counting_them_and_a_filter_counts():
    """The list joins each link's first function within the organization (to read it in name
    order): that condition narrows nothing, so the kept count answers."""
    org = OrganizationFactory()
    functions = [FunctionFactory(organization=org) for _ in range(3)]
    partnership_services.partnership_create(
        organization=org, function_a=functions[0], function_b=functions[1], trust=2, by=None
    )
    partnership_services.partnership_create(
        organization=org, function_a=functions[1], function_b=functions[2], trust=5, by=None
    )
    assert_counts_true(org)
    client = token_client(MembershipFactory(organization=org).user)
    url = f"/api/v1/orgs/{org.slug}/partnerships/"
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url).json()
    assert body["count"] == 2 and len(body["results"]) == 2
    assert not _counts_of(captured, "roles_partnership")
    with CaptureQueriesContext(connection) as captured:
        body = client.get(url, {"trust_max": 3}).json()
    assert body["count"] == 1 and _counts_of(captured, "roles_partnership")


def test_the_people_page_and_the_dashboard_read_the_kept_counts():
    org = OrganizationFactory()
    for _ in range(3):
        StakeholderFactory(function__organization=org, organization=org)
    client = client_for(MembershipFactory(organization=org).user)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("people-list", kwargs={"org": org.slug}))
    assert page.status_code == 200 and not _counts_of(captured, "roles_stakeholder")
    assert "3 people" in page.content.decode() or "of 3" in page.content.decode()
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("people-list", kwargs={"org": org.slug}), {"q": "Pat"})
    assert page.status_code == 200 and _counts_of(captured, "roles_stakeholder")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard", kwargs={"org": org.slug})).status_code == 200
    assert not _counts_of(captured, "roles_stakeholder") and not _counts_of(captured, "roles_function")


def test_several_kept_counts_of_one_organization_are_read_in_one_statement():
    org, other = OrganizationFactory(), OrganizationFactory()
    for organization, n in ((org, 3), (other, 1)):
        for _ in range(n):
            StakeholderFactory(function__organization=organization, organization=organization)
    functions, people = Function.objects.filter(organization=org), Stakeholder.objects.filter(organization=org)
    with CaptureQueriesContext(connection) as captured:
        assert rowcounts.counts(functions, people) == [3, 3]
    assert len(captured.captured_queries) == 1 and "wp_row_count" in captured.captured_queries[0]["sql"]
    narrowed = people.filter(full_name="nobody")  # counted, beside the kept one
    assert rowcounts.counts(functions, narrowed) == [3, 0]
    theirs = Stakeholder.objects.filter(organization=other)  # another organization: each its own
    with CaptureQueriesContext(connection) as captured:
        assert rowcounts.counts(people, theirs) == [3, 1]
    assert len(captured.captured_queries) == 2
