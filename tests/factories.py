"""factory_boy factories for the domain; each builds a consistent object graph.

Every value is fixed or drawn from a sequence, never from Faker: a test that asserts on a
name or searches for a word must not depend on what a random generator happened to say
(a Faker job title once contained the "engin" a search test looked for).
"""

from __future__ import annotations

import importlib

import factory
from django.contrib.auth import get_user_model

from layers.models import Assignment, Layer, Product, Review
from layers.readmodel import hooks
from roles.models import Function, Membership, Organization, Stakeholder


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    username = factory.LazyAttribute(lambda u: u.email.lower())
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    go_to_market = Organization.GoToMarket.HYBRID


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    access = Membership.Access.LEADER


class Maintained:
    """A factory whose rows keep the read model up to date, through the hooks the services call."""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        cls._maintain(obj)
        return obj


class FunctionFactory(Maintained, factory.django.DjangoModelFactory):
    @staticmethod
    def _maintain(obj) -> None:
        hooks.functions_changed(organization_id=obj.organization_id)

    class Meta:
        model = Function

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Function {n}")
    category = Function.Category.BUILDING


class StakeholderFactory(Maintained, factory.django.DjangoModelFactory):
    @staticmethod
    def _maintain(obj) -> None:
        hooks.people_changed(organization_id=obj.organization_id, function_ids=[obj.function_id])

    class Meta:
        model = Stakeholder

    function = factory.SubFactory(FunctionFactory)
    organization = factory.SelfAttribute("function.organization")
    full_name = factory.Sequence(lambda n: f"Pat Person{n}")
    title = "Team member"
    email = factory.Sequence(lambda n: f"person{n}@example.test")


class ProductFactory(Maintained, factory.django.DjangoModelFactory):
    @staticmethod
    def _maintain(obj) -> None:
        hooks.product_created(organization_id=obj.organization_id, product_id=obj.pk)

    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")


def ensure_layers() -> None:
    """Put back the four layers of the data migration if a transactional test flushed them.

    Tests with a live server or a worker run on a transactional database; its flush empties
    the reference tables, and `serialized_rollback` cannot always restore them (the connection
    it serialized may not be the one the test thread holds once Playwright runs its loop).
    """
    from django.apps import apps as django_apps

    migration = importlib.import_module("layers.migrations.0002_the_four_layers")
    migration.create_layers(django_apps, None)


def layer(key: str) -> Layer:
    return Layer.objects.get(key=key)


class AssignmentFactory(Maintained, factory.django.DjangoModelFactory):
    @staticmethod
    def _maintain(obj) -> None:
        hooks.assignments_changed(
            organization_id=obj.organization_id, product_id=obj.product_id, function_ids=[obj.function_id]
        )

    class Meta:
        model = Assignment

    product = factory.SubFactory(ProductFactory)
    function = factory.SubFactory(FunctionFactory, organization=factory.SelfAttribute("..product.organization"))
    layer = factory.LazyFunction(lambda: layer("core"))
    emphasis = Assignment.Emphasis.CONTRIBUTOR
    contribution = "Builds the thing."
    source = Assignment.Source.MANUAL


class ReviewFactory(Maintained, factory.django.DjangoModelFactory):
    @staticmethod
    def _maintain(obj) -> None:
        hooks.review_written(
            organization_id=obj.organization_id, assignment_id=obj.assignment_id, stakeholder_id=obj.stakeholder_id
        )

    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)
    stakeholder = factory.SubFactory(StakeholderFactory, function=factory.SelfAttribute("..assignment.function"))
    verdict = Review.Verdict.AGREE


# The figures a CoverageReport requires, for a test that stores one by hand (not through a build).
REPORT_FIGURES = {
    "trigger": "manual",
    "score": 40,
    "layer_coverage": 0.5,
    "function_coverage": 0.5,
    "review_coverage": 0.5,
    "agreement": 0.5,
}
