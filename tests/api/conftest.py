"""Fixtures of the API tests: token-authenticated clients for the cast of tests/conftest.py."""

from __future__ import annotations

import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import AssignmentFactory, FunctionFactory, ProductFactory, StakeholderFactory, layer

BASE = "/api/v1"


def token_client(user) -> APIClient:
    """A client that signs every request with the user's API token, as an integration does."""
    from roles.services.tokens import token_issue

    _, key = token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """A cache of each test's own: throttle counters and build jobs never leak between tests."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def admin_api(admin_user):
    return token_client(admin_user)


@pytest.fixture
def leader_api(leader):
    return token_client(leader)


@pytest.fixture
def stakeholder_api(stakeholder_user):
    return token_client(stakeholder_user)


@pytest.fixture
def outsider_api(outsider):
    return token_client(outsider)


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights", slug="insights")


@pytest.fixture
def cs_assignment(product, cs_function):
    """Customer Success contributes to the Augmented layer: the stakeholder's own assignment."""
    return AssignmentFactory(product=product, function=cs_function, layer=layer("augmented"))


@pytest.fixture
def eng_assignment(product, engineering):
    return AssignmentFactory(product=product, function=engineering, layer=layer("core"), emphasis="lead")


@pytest.fixture
def engineer(engineering):
    return StakeholderFactory(function=engineering, full_name="Eve Engineer", email="eve@acme.test")


def url(path: str) -> str:
    return f"{BASE}/{path.lstrip('/')}"


@pytest.fixture
def eager():
    """Celery tasks run inside the request (CELERY_TASK_ALWAYS_EAGER), as in the journey of an integration."""
    from wholeproduct.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def world(org, product, cs_function, engineering, cs_assignment, eng_assignment, engineer, stakeholder_user, leader):
    """One of every object in `org`, for tests that walk every endpoint."""
    from layers.models import Review
    from layers.services import reports as report_services
    from roles.services import disruptions, partnerships

    casey = cs_function.stakeholders.get()
    review = Review.objects.create(
        assignment=cs_assignment, stakeholder=casey, verdict="disagree", comment="We also onboard."
    )
    link = partnerships.partnership_create(organization=org, function_a=cs_function, function_b=engineering, trust=3)
    from datetime import date

    effects = disruptions.disruption_log(
        organization=org, kind="reorg", title="New VP", occurred_on=date(2025, 1, 6), function_ids=[engineering.pk]
    )
    report = report_services.build_report(product_id=product.pk, trigger="manual", run_key="fixture")
    empty_function = FunctionFactory(organization=org, name="Legal", category="cross_functional")
    return {
        "org": org.slug,
        "product": product.slug,
        "function": engineering.pk,
        "empty_function": empty_function.pk,
        "person": engineer.pk,
        "assignment": eng_assignment.pk,
        "own_assignment": cs_assignment.pk,
        "review": review.pk,
        "partnership": link.pk,
        "disruption": effects.disruption.pk,
        "report": report.pk,
        "cs_function": cs_function.pk,
    }
