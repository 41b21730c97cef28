"""Writes of people (stakeholders): add and edit a person of the organization."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from wholeproduct.errors import DomainError, field_error, save_or_explain

from .. import hooks
from ..history import recorded_by
from ..models import Function, Organization, Stakeholder
from ..selectors import functions as selectors


def _duplicate_email(existing: Stakeholder) -> DomainError:
    return field_error("email", f"{existing.full_name} already uses the email {existing.email} in this organization.")


def _clean_email(organization: Organization, email: str, *, exclude_pk: int | None) -> str:
    # Stored as entered (people notice when their address is "corrected"), compared lowercased.
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise field_error("email", "Enter a valid email address.") from None
    existing = selectors.email_taken(organization, email, exclude_pk=exclude_pk)
    if existing is not None:
        raise _duplicate_email(existing)
    return email


def _clean_name(full_name: str) -> str:
    full_name = " ".join(full_name.split())
    if not full_name:
        raise field_error("full_name", "Give the person's name.")
    return full_name


def _check_function(organization: Organization, function: Function) -> None:
    if function.organization_id != organization.pk:
        raise field_error("function", "Choose a function of this organization.")


def _save(person: Stakeholder) -> Stakeholder:
    def explain() -> DomainError | None:
        existing = selectors.email_taken(person.organization, person.email, exclude_pk=person.pk)
        return None if existing is None else _duplicate_email(existing)

    return save_or_explain(person, explain)


def _by(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def linked_email_error(stakeholder: Stakeholder) -> DomainError:
    return field_error(
        "email",
        f"{stakeholder.full_name} has an account, so their email is the account's ({stakeholder.email}). "
        "Only they can change it, from their own account.",
    )


def _same(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


@transaction.atomic
def stakeholder_create(
    *, organization: Organization, full_name: str, email: str, function: Function, title: str = "", by: Any = None
) -> Stakeholder:
    _check_function(organization, function)
    person = Stakeholder(
        organization=organization,
        full_name=_clean_name(full_name),
        email=_clean_email(organization, email, exclude_pk=None),
        function=function,
        title=" ".join(title.split()),
        created_by=_by(by),
    )
    person = _save(recorded_by(person, by))
    hooks.people_changed(organization_id=organization.pk, function_ids=[function.pk])
    return person


@transaction.atomic
def stakeholder_update(
    *, stakeholder: Stakeholder, full_name: str, email: str, function: Function, title: str, by: Any = None
) -> Stakeholder:
    """Edit a person. A person linked to an account keeps the account's email (DESIGN §2); a
    changed email of anyone else revokes their open invites, which were for the old address."""
    from . import invites  # invites imports the models this module writes

    organization = stakeholder.organization
    _check_function(organization, function)
    # Read the stored row, locked: the caller's instance may carry an unsaved email already.
    stored = Stakeholder.objects.select_for_update().values("email", "user_id", "function_id").get(pk=stakeholder.pk)
    changed = not _same(stored["email"], email)
    if changed and stored["user_id"]:
        stakeholder.email = stored["email"]
        raise linked_email_error(stakeholder)
    moved_from = stored["function_id"]
    stakeholder.full_name = _clean_name(full_name)
    stakeholder.email = _clean_email(organization, email, exclude_pk=stakeholder.pk)
    stakeholder.function = function
    stakeholder.title = " ".join(title.split())
    person = _save(recorded_by(stakeholder, by))
    if changed:
        invites.revoke_for_changed_email(stakeholder=person, by=by)
    if moved_from != function.pk:
        ends = {function.pk} | ({moved_from} if moved_from else set())
        hooks.people_changed(organization_id=organization.pk, function_ids=ends)
    return person


@transaction.atomic
def stakeholder_delete(*, stakeholder: Stakeholder) -> None:
    """Remove a person; their reviews go with them, and their function's pairs are recounted."""
    organization_id, function_id = stakeholder.organization_id, stakeholder.function_id
    stakeholder.delete()
    hooks.people_changed(organization_id=organization_id, function_ids=[function_id])
