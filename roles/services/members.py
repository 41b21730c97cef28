"""Writes of memberships (issue 4): change a member's access, remove a member.

Two rules keep an organization manageable: it always keeps at least one admin, and
nobody changes or removes their own membership (another admin does it, so a slip of
the mouse never locks the last person out).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from simple_history.utils import bulk_update_with_history

from shared.prepared import prepared
from wholeproduct.errors import DomainError

from ..history import recorded_by
from ..models import Membership, Organization, Stakeholder
from ..rowcounts import count_rows

Access = Membership.Access
# Higher wins when two sources give a user access (an invite never lowers an admin).
ACCESS_RANK: dict[str, int] = {Access.STAKEHOLDER: 1, Access.LEADER: 2, Access.ADMIN: 3}


def members_of(organization: Organization | int) -> QuerySet[Membership]:
    return Membership.objects.filter(organization=organization)


# --- the members page, read by prepared statements (shared.prepared) ---------------------------------
# Built and compiled on every load, its statements took longer than PostgreSQL took to run them.

MEMBER_ORDER = ("user__email", "pk")


# What a member's row shows of the membership and its account (`member_row`).
MEMBER_LISTED = (
    *(field.attname for field in Membership._meta.concrete_fields),
    *("user__id", "user__email", "user__first_name", "user__last_name"),
)
# What it shows of the member's person here: the name and the function's chip.
PERSON_LISTED = (
    *("id", "organization_id", "user_id", "full_name", "function_id"),
    *("function__id", "function__name", "function__category"),
)


def listed(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """Members as the page lists them: with their user, by email (the columns a row shows)."""
    return memberships.select_related("user").only(*MEMBER_LISTED).order_by(*MEMBER_ORDER)


@prepared(shaped=("bottom", "top"))
def members_page(organization_id: int, bottom: int, top: int) -> QuerySet[Membership]:
    """The members `bottom` to `top` of `listed(members_of(…))`."""
    return listed(members_of(organization_id))[bottom:top]


@prepared
def member_count(organization_id: int) -> QuerySet[Any]:
    return count_rows(members_of(organization_id))


@prepared
def admin_count(organization_id: int) -> QuerySet[Any]:
    return count_rows(members_of(organization_id).filter(access=Access.ADMIN))


@prepared
def people_of_users(organization_id: int, user_ids: list[int]) -> QuerySet[Stakeholder]:
    """The people of the organization whose accounts are `user_ids` (each once), with their function."""
    people = Stakeholder.objects.filter(organization_id=organization_id, user_id__in=user_ids)
    return people.select_related("function").only(*PERSON_LISTED)


def search(memberships: QuerySet[Membership], query: str) -> QuerySet[Membership]:
    """The members whose email or name contains `query` (ignoring case)."""
    named = memberships.annotate(user_name=Concat("user__first_name", Value(" "), "user__last_name"))
    return named.filter(Q(user__email__icontains=query) | Q(user_name__icontains=query))


def member_of(organization: Organization, pk: int) -> Membership | None:
    return members_of(organization).select_related("user", "organization").filter(pk=pk).first()


def _admins_locked(organization: Organization) -> int:
    # Locking every admin row serializes two admins demoting each other at the same time.
    return len(list(members_of(organization).select_for_update().filter(access=Access.ADMIN)))


def _not_yourself(membership: Membership, by: Any, verb: str) -> None:
    if by is not None and membership.user_id == getattr(by, "pk", None):
        raise DomainError(f"You cannot {verb} your own membership. Ask another admin.")


def _keeps_an_admin(membership: Membership, verb: str) -> None:
    if membership.access == Access.ADMIN and _admins_locked(membership.organization) <= 1:
        raise DomainError(
            f"You cannot {verb} the last admin of {membership.organization.name}. Make someone else an admin first."
        )


@transaction.atomic
def membership_set_access(*, membership: Membership, access: str, by: Any) -> Membership:
    if access not in Access.values:
        message = "Choose admin, leader or stakeholder."
        raise DomainError(message, fields={"access": [message]})
    _not_yourself(membership, by, "change")
    if access == membership.access:
        return membership
    if access != Access.ADMIN:
        _keeps_an_admin(membership, "demote")
    membership.access = access
    recorded_by(membership, by).save(update_fields=["access"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: Any) -> None:
    """Remove a member. Their person record stays, unlinked, so they can be invited again."""
    _not_yourself(membership, by, "remove")
    _keeps_an_admin(membership, "remove")
    linked = list(Stakeholder.objects.filter(organization_id=membership.organization_id, user_id=membership.user_id))
    for person in linked:
        person.user = None
    # Recorded in the activity log, credited to `by`.
    bulk_update_with_history(linked, Stakeholder, ["user"], default_user=by if getattr(by, "pk", None) else None)
    recorded_by(membership, by).delete()
