"""What the map editor tests share: the map's addresses, a stakeholder's own product, a second leader,
and the cells of a product."""

from __future__ import annotations

import pytest
from django.test import Client

from layers.models import Assignment
from roles.models import Function, Membership
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    UserFactory,
    layer,
)

MAP = "/o/acme/p/insights/map/"
APPLY = MAP + "suggestions/apply/"
DISMISS = MAP + "suggestions/dismiss/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def cell_url(function: Function, key: str, tail: str = "") -> str:
    return f"{MAP}cell/{function.pk}/{key}/{tail}"


@pytest.fixture
def own_product(insights, cs_function):
    """The stakeholder's function (Customer Success) is on Insights, so they may view its map."""
    return AssignmentFactory(product=insights, function=cs_function, layer=layer("augmented"), emphasis="lead")


@pytest.fixture
def colleague(org):
    """A second leader who edits the map while our leader has it open."""
    user = UserFactory(email="lee@acme.test", first_name="Lee", last_name="Leader")
    MembershipFactory(user=user, organization=org, access=Membership.Access.LEADER)
    return user


def cells(product) -> set[tuple[str, str, str]]:
    return set(Assignment.objects.filter(product=product).values_list("function__name", "layer__key", "emphasis"))


def post_cell(client: Client, function, key: str, emphasis: str, version: int | str):
    return client.post(cell_url(function, key), {"emphasis": emphasis, "version": str(version)}, **HTMX)


@pytest.fixture
def pm_core(insights, pm):
    return AssignmentFactory(product=insights, function=pm, layer=layer("core"), emphasis="lead", contribution="Old.")
