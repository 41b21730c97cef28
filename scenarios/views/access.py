"""Who reaches the scenario pages (DESIGN §5): leaders and admins of the organization.

A stakeholder gets 404, as someone of another organization does (issue 18: a scenario is a
draft of the organization's future, and its existence is not theirs to know).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse

from roles.permissions import Perm, org_view

from ..models import Scenario
from ..selectors import scenario_for

View = TypeVar("View", bound=Callable[..., HttpResponse])


def scenario_page(view: View) -> View:
    """`org_view` for the scenario pages: anonymous → login, not a member → 404, and a member
    without the right to edit the organization → 404 as well."""

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.ctx.can_edit:  # type: ignore[attr-defined]
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return org_view(Perm.VIEW)(inner)  # type: ignore[return-value]


def get_scenario(request: HttpRequest, pk: int) -> Scenario:
    scenario = scenario_for(request.ctx.organization, pk)  # type: ignore[attr-defined]
    if scenario is None:
        raise Http404("No such scenario.")
    return scenario
