"""Every tenant-owned row carries its tenant key (DESIGN §2, issue 13 item 1).

A model that reaches an organization through any foreign key is tenant-owned, and must hold
its own `organization` column (not null, a foreign key to Organization) so that every query
can filter on it without a join. A new model that forgets it fails here.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from roles.models import Organization

APPS = ("roles", "layers", "scenarios")
# Not tenant-owned: the tenant itself, and reference data shared by every tenant.
SHARED = {"Organization", "Layer"}


def _reaches_organization(model: type[models.Model], seen: frozenset[type[models.Model]] = frozenset()) -> bool:
    for field in model._meta.concrete_fields:
        target = field.related_model if field.is_relation else None
        if target is None or target in seen or target is model:
            continue
        if target is Organization or (target._meta.app_label in APPS and _reaches_organization(target, seen | {model})):
            return True
    return False


def _tenant_owned() -> list[type[models.Model]]:
    found = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=False):
            if model.__name__ not in SHARED and _reaches_organization(model):
                found.append(model)
    return found


def test_every_tenant_owned_model_has_its_own_organization_column():
    missing = []
    for model in _tenant_owned():
        try:
            field = model._meta.get_field("organization")
        except FieldDoesNotExist:
            missing.append(f"{model.__name__}: no organization column")
            continue
        # An activity-log row (django-simple-history) copies its source row, whose own column is the
        # NOT NULL one; the library makes every copied foreign key nullable and unconstrained.
        nullable_by_design = hasattr(model, "instance_type")
        if field.related_model is not Organization or (field.null and not nullable_by_design):
            missing.append(f"{model.__name__}: organization must be a NOT NULL foreign key to Organization")
    assert not missing, "\n".join(missing)


def test_the_walk_finds_the_rows_that_reached_their_tenant_only_through_joins():
    names = {model.__name__ for model in _tenant_owned()}
    assert {
        "Assignment",
        "Review",
        "AssignmentChange",
        "DismissedSuggestion",
        "ReviewCampaign",
        "CampaignReminder",
        "PartnershipCheckIn",
        "ReviewPair",
        "ProductCounts",
    } <= names


def test_a_model_without_the_column_is_caught():
    class Orphan(models.Model):  # noqa: DJ008 - never saved
        assignment = models.ForeignKey("layers.Assignment", on_delete=models.CASCADE)

        class Meta:
            app_label = "layers"
            managed = False

    try:
        assert _reaches_organization(Orphan)
        assert not any(f.name == "organization" for f in Orphan._meta.concrete_fields)
    finally:
        apps.all_models["layers"].pop("orphan", None)
        apps.clear_cache()
