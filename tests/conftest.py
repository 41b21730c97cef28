"""The cast every test can call on (STYLE §8).

`org` is the organization under test with an admin, a leader and a stakeholder
(a Customer Success manager with a linked user); `outsider` is a leader of
another organization, who must see nothing of `org` (404 everywhere).
"""

from __future__ import annotations

import os

import pytest
from django.test import Client

from roles.models import Function, Membership

from .factories import FunctionFactory, MembershipFactory, OrganizationFactory, StakeholderFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls in
# the same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Acme Analytics", slug="acme")


@pytest.fixture
def other_org(db):
    return OrganizationFactory(name="Globex", slug="globex")


def _member(org, access: str, email: str):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organization=org, access=access)
    return user


@pytest.fixture
def admin_user(org):
    return _member(org, Membership.Access.ADMIN, "admin@acme.test")


@pytest.fixture
def leader(org):
    return _member(org, Membership.Access.LEADER, "leader@acme.test")


@pytest.fixture
def cs_function(org):
    return FunctionFactory(organization=org, name="Customer Success", category=Function.Category.CUSTOMER_FACING)


@pytest.fixture
def stakeholder_user(org, cs_function):
    user = _member(org, Membership.Access.STAKEHOLDER, "cs@acme.test")
    StakeholderFactory(function=cs_function, email=user.email, full_name="Casey Success", user=user)
    return user


@pytest.fixture
def outsider(other_org):
    return _member(other_org, Membership.Access.LEADER, "leader@globex.test")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user):
    return client_for(admin_user)


@pytest.fixture
def leader_client(leader):
    return client_for(leader)


@pytest.fixture
def stakeholder_client(stakeholder_user):
    return client_for(stakeholder_user)


@pytest.fixture
def outsider_client(outsider):
    return client_for(outsider)
