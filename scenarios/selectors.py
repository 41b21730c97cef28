"""Reads of scenarios, scoped to one organization (STYLE: selectors)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from roles.models import Organization

from .models import Scenario, ScenarioChange


def scenarios_of(organization: Organization) -> QuerySet[Scenario]:
    """The list page's rows: newest first, with `steps` (the number of changes) and who drafted
    and applied each (one query)."""
    return (
        Scenario.objects.filter(organization=organization)
        .select_related("created_by", "applied_by")
        .annotate(steps=Count("changes"))
        .order_by("-updated_at", "-id")
    )


def scenario_for(organization: Organization, pk: object) -> Scenario | None:
    """One of the organization's scenarios, or None (another organization's, or none at all)."""
    try:
        pk = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
    return scenarios_of(organization).filter(pk=pk).first()


def changes_of(scenario: Scenario) -> QuerySet[ScenarioChange]:
    """The scenario's steps in order."""
    return ScenarioChange.objects.filter(organization_id=scenario.organization_id, scenario=scenario).order_by(
        "position", "id"
    )
