"""The database has the last word: each constraint of DESIGN §2, violated once, below the services."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from layers.models import Assignment
from roles.models import Function, Membership, Stakeholder
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    MembershipFactory,
    ProductFactory,
    StakeholderFactory,
    UserFactory,
    layer,
)


def violates(create) -> bool:
    """True when `create()` is refused by the database (inside a savepoint, so the test goes on)."""
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_it_rejects_a_duplicate_function_name_in_other_case(org):
    FunctionFactory(organization=org, name="Customer Success")
    assert violates(lambda: Function.objects.create(organization=org, name="customer SUCCESS", category="building"))
    assert Function.objects.filter(organization=org).count() == 1


def test_it_allows_the_same_function_name_in_another_organization(org, other_org):
    FunctionFactory(organization=org, name="Sales")
    assert not violates(lambda: Function.objects.create(organization=other_org, name="Sales", category="building"))


def test_it_rejects_a_function_inside_itself(org):
    function = FunctionFactory(organization=org)
    function.parent_id = function.pk
    assert violates(function.save)


def test_it_rejects_a_duplicate_stakeholder_email_in_other_case(org, cs_function):
    StakeholderFactory(function=cs_function, email="Casey@Acme.test")
    duplicate = Stakeholder(organization=org, function=cs_function, full_name="Other", email="casey@ACME.TEST")
    assert violates(duplicate.save)
    assert Stakeholder.objects.filter(organization=org).count() == 1


def test_it_rejects_a_duplicate_membership(org, leader):
    assert violates(lambda: MembershipFactory(user=leader, organization=org, access=Membership.Access.ADMIN))
    assert Membership.objects.filter(user=leader, organization=org).count() == 1


def test_a_user_may_belong_to_two_organizations(org, other_org):
    user = UserFactory(email="both@example.test")
    MembershipFactory(user=user, organization=org)
    assert not violates(lambda: MembershipFactory(user=user, organization=other_org))


def test_it_rejects_a_second_lead_for_a_product_layer(org):
    product = ProductFactory(organization=org)
    AssignmentFactory(product=product, layer=layer("augmented"), emphasis=Assignment.Emphasis.LEAD)

    def second() -> None:
        AssignmentFactory(product=product, layer=layer("augmented"), emphasis=Assignment.Emphasis.LEAD)

    assert violates(second)
    assert Assignment.objects.filter(product=product, emphasis="lead").count() == 1


def test_a_lead_per_layer_and_many_contributors_are_fine(org):
    product = ProductFactory(organization=org)
    for key in ("core", "expected"):
        AssignmentFactory(product=product, layer=layer(key), emphasis=Assignment.Emphasis.LEAD)
    assert not violates(lambda: AssignmentFactory.create_batch(3, product=product, layer=layer("core")))


def test_it_rejects_a_duplicate_product_function_layer(org):
    existing = AssignmentFactory(product=ProductFactory(organization=org), layer=layer("core"))
    duplicate = Assignment(
        product=existing.product, function=existing.function, layer=existing.layer, emphasis="contributor"
    )
    assert violates(duplicate.save)
    assert Assignment.objects.filter(product=existing.product).count() == 1


def test_it_rejects_a_duplicate_product_address_in_one_organization(org, other_org):
    ProductFactory(organization=org, slug="insights")
    assert violates(lambda: ProductFactory(organization=org, slug="insights"))
    assert not violates(lambda: ProductFactory(organization=other_org, slug="insights"))


def test_stakeholders_keep_their_function_from_being_deleted(org, cs_function):
    from django.db.models import ProtectedError

    StakeholderFactory(function=cs_function)
    with pytest.raises(ProtectedError):
        cs_function.delete()
    assert Function.objects.filter(pk=cs_function.pk).exists()
