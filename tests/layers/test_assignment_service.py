"""assignment_set / assignment_clear: one cell at a time, optimistic-locked, one lead per layer, with history."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import Assignment, AssignmentChange
from layers.selectors.history import cell_history
from layers.services import assignments as service
from layers.services.assignments import SecondLead, assignment_clear, assignment_set
from roles.models import Function
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    OrganizationFactory,
    ProductFactory,
    UserFactory,
    layer,
)
from wholeproduct.errors import Conflict, DomainError

CF = Function.Category.CUSTOMER_FACING


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Northwind Insights", slug="northwind")


@pytest.fixture
def cs(cs_function):
    return cs_function


@pytest.fixture
def support(org):
    return FunctionFactory(organization=org, name="Support", category=CF)


@pytest.fixture
def other_user(org):
    return UserFactory(email="dana@acme.test", first_name="Dana", last_name="Lee")


def history_count() -> int:
    return AssignmentChange.objects.count()


# --- create / update ------------------------------------------------------------------------


def test_it_creates_a_cell_at_version_one_with_history(product, cs, leader):
    assignment = assignment_set(
        product=product, function=cs, layer=layer("augmented"), emphasis="lead", contribution="Onboards.", by=leader
    )
    assignment.refresh_from_db()
    assert (assignment.emphasis, assignment.contribution, assignment.source, assignment.version) == (
        "lead",
        "Onboards.",
        "manual",
        1,
    )
    assert assignment.changed_by == leader
    change = AssignmentChange.objects.get()
    assert change.action == "created" and change.before is None and change.by == leader
    assert change.after == {"emphasis": "lead", "contribution": "Onboards.", "source": "manual", "version": 1}


def test_it_accepts_a_layer_key(product, cs, leader):
    assignment = assignment_set(product=product, function=cs, layer="potential", emphasis="contributor", by=leader)
    assert assignment.layer.key == "potential"


def test_it_updates_the_cell_bumps_the_version_and_records_before_and_after(product, cs, leader, other_user):
    first = assignment_set(product=product, function=cs, layer="augmented", emphasis="contributor", by=leader)
    earlier = timezone.now() - timedelta(days=3)
    Assignment.objects.filter(pk=first.pk).update(changed_at=earlier)
    updated = assignment_set(
        product=product, function=cs, layer="augmented", emphasis="lead", by=other_user, expected_version=1
    )
    updated.refresh_from_db()
    assert updated.pk == first.pk
    assert (updated.emphasis, updated.version, updated.changed_by) == ("lead", 2, other_user)
    assert updated.changed_at > earlier
    change = cell_history(product=product, function=cs, layer="augmented").first()
    assert change.action == "updated" and change.by == other_user
    assert change.before["emphasis"] == "contributor" and change.before["version"] == 1
    assert change.after["emphasis"] == "lead" and change.after["version"] == 2


def test_a_write_that_changes_nothing_writes_nothing(product, cs, leader, other_user):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", contribution="x", by=leader)
    again = assignment_set(
        product=product, function=cs, layer="augmented", emphasis="lead", contribution="x", by=other_user
    )
    again.refresh_from_db()
    assert again.version == 1 and again.changed_by == leader
    assert history_count() == 1


def test_none_contribution_keeps_the_current_text(product, cs, leader):
    assignment_set(
        product=product, function=cs, layer="augmented", emphasis="contributor", contribution="Trains.", by=leader
    )
    updated = assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    assert updated.contribution == "Trains."


def test_a_source_change_alone_bumps_the_version_but_not_changed_at(product, cs, leader, other_user):
    first = assignment_set(
        product=product, function=cs, layer="augmented", emphasis="lead", by=leader, source="playbook"
    )
    earlier = timezone.now() - timedelta(days=3)
    Assignment.objects.filter(pk=first.pk).update(changed_at=earlier)
    again = assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=other_user)
    again.refresh_from_db()
    assert (again.source, again.version, again.changed_at, again.changed_by) == ("manual", 2, earlier, leader)
    assert history_count() == 2


# --- optimistic locking ---------------------------------------------------------------------


def test_a_stale_version_is_a_conflict_naming_who_and_when_and_writes_nothing(product, cs, leader, other_user):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="contributor", by=leader)
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=other_user, expected_version=1)
    before = history_count()
    with pytest.raises(Conflict) as caught:
        assignment_set(
            product=product, function=cs, layer="augmented", emphasis="contributor", by=leader, expected_version=1
        )
    assert "Dana Lee changed the Augmented product assignment of Customer Success on " in caught.value.detail
    assert caught.value.code == "conflict" and caught.value.status == 409
    assert caught.value.current.version == 2 and caught.value.current.emphasis == "lead"
    assert Assignment.objects.get().emphasis == "lead"
    assert history_count() == before


def test_version_zero_means_i_saw_no_assignment(product, cs, leader, other_user):
    created = assignment_set(
        product=product, function=cs, layer="core", emphasis="contributor", by=leader, expected_version=0
    )
    assert created.version == 1
    with pytest.raises(Conflict) as caught:
        assignment_set(product=product, function=cs, layer="core", emphasis="lead", by=other_user, expected_version=0)
    assert "created the Core product assignment" in caught.value.detail
    assert caught.value.current == created
    assert Assignment.objects.get().emphasis == "contributor"


def test_a_version_on_an_empty_cell_is_a_conflict_with_no_current(product, cs, leader, other_user):
    assignment_set(product=product, function=cs, layer="core", emphasis="contributor", by=leader)
    assignment_clear(product=product, function=cs, layer="core", by=other_user)
    with pytest.raises(Conflict) as caught:
        assignment_set(product=product, function=cs, layer="core", emphasis="lead", by=leader, expected_version=1)
    assert caught.value.current is None
    assert caught.value.detail.startswith("Dana Lee removed the Core product assignment of Customer Success")
    assert not Assignment.objects.exists()


# --- one lead per layer ---------------------------------------------------------------------


def test_it_rejects_a_second_lead_and_writes_nothing(product, cs, support, leader):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    before = history_count()
    with pytest.raises(SecondLead) as caught:
        assignment_set(product=product, function=support, layer="augmented", emphasis="lead", by=leader)
    error = caught.value
    assert isinstance(error, DomainError)
    assert error.code == "second_lead"
    assert error.detail == "Customer Success already leads the Augmented product layer of Northwind Insights"
    assert error.fields["emphasis"][0].startswith(error.detail)
    assert not Assignment.objects.filter(function=support).exists()
    assert history_count() == before


def test_it_rejects_promoting_a_contributor_when_the_layer_has_a_lead(product, cs, support, leader):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    assignment_set(product=product, function=support, layer="augmented", emphasis="contributor", by=leader)
    with pytest.raises(SecondLead):
        assignment_set(product=product, function=support, layer="augmented", emphasis="lead", by=leader)
    assert Assignment.objects.get(function=support).emphasis == "contributor"


def test_a_lead_may_be_rewritten_and_other_layers_have_their_own_lead(product, cs, support, leader):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", contribution="New.", by=leader)
    assignment_set(product=product, function=support, layer="potential", emphasis="lead", by=leader)
    assert Assignment.objects.filter(emphasis="lead").count() == 2


def test_the_database_constraint_losing_a_race_gives_the_same_error(product, cs, support, leader, monkeypatch):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    real = service._other_lead
    calls = {"n": 0}

    def blind_first(*args, **kwargs):
        # The first check runs before the other writer committed; the later one sees it.
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    monkeypatch.setattr(service, "_other_lead", blind_first)
    with pytest.raises(SecondLead) as caught:
        assignment_set(product=product, function=support, layer="augmented", emphasis="lead", by=leader)
    assert caught.value.detail == "Customer Success already leads the Augmented product layer of Northwind Insights"
    assert not Assignment.objects.filter(function=support).exists()
    assert history_count() == 1


# --- bad input ------------------------------------------------------------------------------


def test_function_and_product_must_share_an_organization(product, leader):
    stranger = FunctionFactory(organization=OrganizationFactory(slug="elsewhere"), name="Sales")
    with pytest.raises(DomainError) as caught:
        assignment_set(product=product, function=stranger, layer="core", emphasis="lead", by=leader)
    assert "another organization" in caught.value.detail
    with pytest.raises(DomainError):
        assignment_clear(product=product, function=stranger, layer="core", by=leader)
    assert not Assignment.objects.exists() and history_count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"emphasis": "owner"}, "emphasis"),
        ({"layer": "mantle"}, "layer"),
        ({"contribution": "x" * 501}, "contribution"),
        ({"source": "guess"}, "source"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(product, cs, leader, kwargs, field):
    arguments = {"product": product, "function": cs, "layer": "core", "emphasis": "lead", "by": leader} | kwargs
    with pytest.raises(DomainError) as caught:
        assignment_set(**arguments)
    assert caught.value.fields[field]
    assert not Assignment.objects.exists() and history_count() == 0


# --- clear ----------------------------------------------------------------------------------


def test_clear_deletes_the_cell_and_records_it(product, cs, leader, other_user):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", contribution="x", by=leader)
    assignment_clear(product=product, function=cs, layer="augmented", by=other_user, expected_version=1)
    assert not Assignment.objects.exists()
    change = cell_history(product=product, function=cs, layer="augmented").first()
    assert change.action == "deleted" and change.by == other_user and change.after is None
    assert change.before == {"emphasis": "lead", "contribution": "x", "source": "manual", "version": 1}


def test_clear_with_a_stale_version_is_a_conflict(product, cs, leader, other_user):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="contributor", by=leader)
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=other_user)
    before = history_count()
    with pytest.raises(Conflict) as caught:
        assignment_clear(product=product, function=cs, layer="augmented", by=leader, expected_version=1)
    assert caught.value.current.version == 2
    assert Assignment.objects.exists() and history_count() == before


def test_clearing_an_empty_cell_is_a_no_op_unless_a_version_was_seen(product, cs, leader):
    assignment_clear(product=product, function=cs, layer="core", by=leader)
    assignment_clear(product=product, function=cs, layer="core", by=leader, expected_version=0)
    assert history_count() == 0
    with pytest.raises(Conflict):
        assignment_clear(product=product, function=cs, layer="core", by=leader, expected_version=3)


def test_clear_takes_the_reviews_with_it(product, cs, leader):
    assignment = AssignmentFactory(product=product, function=cs, layer=layer("augmented"))
    from tests.factories import ReviewFactory

    ReviewFactory(assignment=assignment)
    assignment_clear(product=product, function=cs, layer="augmented", by=leader)
    assert not Assignment.objects.exists()


# --- history selector -----------------------------------------------------------------------


def test_cell_history_is_newest_first_and_per_cell(product, cs, support, leader):
    assignment_set(product=product, function=cs, layer="augmented", emphasis="contributor", by=leader)
    assignment_set(product=product, function=cs, layer="augmented", emphasis="lead", by=leader)
    assignment_clear(product=product, function=cs, layer="augmented", by=leader)
    assignment_set(product=product, function=support, layer="augmented", emphasis="lead", by=leader)
    history = list(cell_history(product=product, function=cs, layer=layer("augmented")))
    assert [change.action for change in history] == ["deleted", "updated", "created"]
    assert cell_history(product=product, function=cs, layer="core").count() == 0


def test_history_survives_the_assignment_and_names_the_writer(product, cs, leader):
    assignment_set(product=product, function=cs, layer="potential", emphasis="contributor", by=leader)
    assignment_clear(product=product, function=cs, layer="potential", by=None)
    actions = list(cell_history(product=product, function=cs, layer="potential").values_list("action", "by"))
    assert actions == [("deleted", None), ("created", leader.pk)]


def test_a_conflict_on_a_row_written_without_history_names_its_last_writer(product, cs, other_user, leader):
    # Another part of the app wrote the row directly (no history): the row's own stamp speaks.
    AssignmentFactory(product=product, function=cs, layer=layer("core"), version=4, changed_by=other_user)
    with pytest.raises(Conflict) as caught:
        assignment_set(product=product, function=cs, layer="core", emphasis="lead", by=leader, expected_version=3)
    assert caught.value.detail.startswith("Dana Lee changed the Core product assignment of Customer Success on ")
