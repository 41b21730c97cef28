"""What deleting a person takes with them, counted for the confirmation page (DESIGN §2, §5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import Stakeholder


@dataclass(frozen=True)
class PersonDeletion:
    reviews: int  # every review they wrote: deleted with them
    open_disputes: int  # their unresolved disagreements: they stop waiting for a leader
    products: int  # products whose review figures are recounted without them
    reports: int  # people whose manager they are: they keep their row, without a manager
    has_account: bool  # their sign-in stays a member; only an admin removes it


def person_deletion_impact(person: Stakeholder) -> PersonDeletion:
    """Three queries whatever the number of reviews."""
    reviews = person.reviews.aggregate(
        n=Count("pk"),
        open=Count("pk", filter=Q(verdict="disagree", resolved_at__isnull=True)),
        products=Count("assignment__product", distinct=True),
    )
    return PersonDeletion(
        reviews=reviews["n"],
        open_disputes=reviews["open"],
        products=reviews["products"],
        reports=person.reports.count(),
        has_account=person.user_id is not None,
    )
