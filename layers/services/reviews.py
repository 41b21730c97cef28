"""Reviews and disputes (DESIGN §2 "Review", issue 4).

A stakeholder reviews an assignment of their own function: agree, or disagree with a
comment and optionally the layer they would put it on. Each review is a new row, so the
history stays; only the latest one of a (person, assignment) pair counts.

A leader resolves an open dispute in one of two ways:
- **changed**: the assignment is changed through `assignment_set` (which moves its
  `changed_at`, so every review of it becomes stale and its people are asked again), and
  optionally the function is added to the layer the stakeholder suggested;
- **kept**: the assignment stays, with a note the stakeholder reads on their page.
Nobody resolves a dispute they raised themselves.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from domain.review_state import latest_review
from roles.models import Stakeholder
from shared.background import task
from wholeproduct.errors import DomainError, Forbidden, NotFound

from ..models import Assignment, Layer, Review
from ..readmodel import hooks as readmodel
from . import assignments as assignment_services

COMMENT_MAX = Review._meta.get_field("comment").max_length
NOTE_MAX = Review._meta.get_field("resolution_note").max_length


def _field(name: str, message: str) -> DomainError:
    return DomainError(message, fields={name: [message]})


def _text(value: str | None, *, name: str, limit: int | None) -> str:
    text = (value or "").strip()
    if limit is not None and len(text) > limit:
        raise _field(name, f"Keep it to {limit} characters (it has {len(text)}).")
    return text


def _layer(value: Layer | str | None) -> Layer | None:
    if value in (None, ""):
        return None
    try:
        return assignment_services.resolve_layer(value)
    except DomainError:
        raise _field("suggested_layer", "Choose one of the four layers.") from None


@transaction.atomic
def review_submit(
    *,
    assignment: Assignment,
    stakeholder: Stakeholder,
    verdict: str,
    comment: str = "",
    suggested_layer: Layer | str | None = None,
) -> Review:
    """Record a stakeholder's verdict on an assignment of their own function."""
    if (
        stakeholder.function_id != assignment.function_id
        or stakeholder.organization_id != assignment.product.organization_id
    ):
        # Another function's assignment does not exist for this person.
        raise NotFound("No such assignment.")
    if verdict not in Review.Verdict.values:
        raise _field("verdict", "Choose agree or disagree.")
    comment = _text(comment, name="comment", limit=COMMENT_MAX)
    layer = _layer(suggested_layer)
    if verdict == Review.Verdict.DISAGREE:
        if not comment:
            raise _field("comment", "Say why you disagree, so a leader can act on it.")
        if layer is not None and layer.pk == assignment.layer_id:
            raise _field("suggested_layer", f"It is already on the {layer.name}; choose another layer or none.")
    else:
        layer = None  # a suggestion only makes sense with a disagreement
    review = Review.objects.create(
        organization_id=stakeholder.organization_id,
        assignment=assignment,
        stakeholder=stakeholder,
        verdict=verdict,
        comment=comment,
        suggested_layer=layer,
    )
    readmodel.review_written(
        organization_id=review.organization_id, assignment_id=assignment.pk, stakeholder_id=stakeholder.pk
    )
    if verdict == Review.Verdict.DISAGREE:
        transaction.on_commit(partial(_notify_dispute, review.pk))
    return review


def _notify_dispute(review_id: int) -> None:
    task("layers.send_dispute_notice").delay(review_id)


def _open_dispute(review: Review, by: Any) -> Review:
    """Lock the review and check that it is an open dispute `by` may resolve."""
    locked = (
        Review.objects.select_for_update(of=("self",))
        .select_related("assignment__product", "assignment__layer", "assignment__function", "stakeholder")
        .filter(pk=review.pk)
        .first()
    )
    if locked is None:
        raise NotFound("No such review.")
    if locked.verdict != Review.Verdict.DISAGREE:
        raise DomainError("This review agrees with the assignment: there is nothing to resolve.")
    if locked.resolved_at:
        raise DomainError("This dispute has already been resolved.")
    history = Review.objects.filter(
        organization_id=locked.organization_id, assignment_id=locked.assignment_id, stakeholder_id=locked.stakeholder_id
    ).only("id", "verdict", "created_at", "resolved_at")
    latest = latest_review(history)  # the rule's one home: the greatest (created_at, id)
    if latest is not None and latest.pk != locked.pk:
        raise DomainError(f"{locked.stakeholder.full_name} has reviewed this assignment again since.")
    if by is not None and locked.stakeholder.user_id == getattr(by, "pk", None):
        raise Forbidden("You raised this dispute yourself; another leader must resolve it.")
    return locked


def _mark(review: Review, *, resolution: str, note: str, by: Any) -> Review:
    review.resolution = resolution
    review.resolution_note = note
    review.resolved_at = timezone.now()
    review.resolved_by = by
    review.save(update_fields=["resolution", "resolution_note", "resolved_at", "resolved_by"])
    readmodel.review_written(
        organization_id=review.organization_id, assignment_id=review.assignment_id, stakeholder_id=review.stakeholder_id
    )
    transaction.on_commit(partial(_notify, review.pk))
    return review


def _notify(review_id: int) -> None:
    task("layers.send_resolution").delay(review_id)


@transaction.atomic
def dispute_keep(*, review: Review, note: str, by: Any) -> Review:
    """Keep the assignment as it is; the note tells the stakeholder why."""
    review = _open_dispute(review, by)
    note = _text(note, name="note", limit=NOTE_MAX)
    if not note:
        raise _field("note", "Tell them why the assignment stays: they will read this note.")
    return _mark(review, resolution=Review.Resolution.KEPT, note=note, by=by)


@transaction.atomic
def dispute_change(
    *,
    review: Review,
    emphasis: str,
    contribution: str,
    by: Any,
    expected_version: int | None,
    add_suggested_layer: bool = False,
    note: str = "",
) -> Review:
    """Change the disputed assignment (and/or add the suggested layer), then close the dispute.

    `expected_version` is the version the leader's form showed; someone else's change since
    is a Conflict, and nothing is written.
    """
    review = _open_dispute(review, by)
    note = _text(note, name="note", limit=NOTE_MAX)
    assignment = review.assignment
    before = assignment.version
    changed = assignment_services.assignment_set(
        product=assignment.product,
        function=assignment.function,
        layer=assignment.layer,
        emphasis=emphasis,
        contribution=contribution.strip(),
        by=by,
        expected_version=expected_version,
    )
    added = _add_suggested(review, by) if add_suggested_layer else None
    if changed.version == before and added is None:
        raise DomainError(
            "Nothing changed. Change the role or the contribution, add the suggested layer, "
            "or keep the assignment with a note."
        )
    if not note:
        note = _change_note(assignment, changed if changed.version != before else None, added)
    return _mark(review, resolution=Review.Resolution.CHANGED, note=note, by=by)


def _add_suggested(review: Review, by: Any) -> Assignment:
    layer = review.suggested_layer
    assignment = review.assignment
    if layer is None:
        raise _field("add_suggested_layer", "This dispute suggests no other layer.")
    exists = Assignment.objects.filter(product=assignment.product, function=assignment.function, layer=layer).exists()
    if exists:
        raise _field("add_suggested_layer", f"{assignment.function.name} is already on the {layer.name}.")
    return assignment_services.assignment_set(
        product=assignment.product,
        function=assignment.function,
        layer=layer,
        emphasis=Assignment.Emphasis.CONTRIBUTOR,
        contribution="",
        by=by,
        expected_version=0,
    )


def _change_note(assignment: Assignment, changed: Assignment | None, added: Assignment | None) -> str:
    """A default note, so the stakeholder always reads what was done."""
    parts = []
    if changed is not None:
        role = changed.get_emphasis_display().lower()
        parts.append(f"{assignment.function.name} is now {role} on the {assignment.layer.name}.")
    if added is not None:
        parts.append(f"{assignment.function.name} was added to the {added.layer.name}, as you suggested.")
    return " ".join(parts)


def notify_resolution(*, review_id: int, base_url: str | None = None) -> bool:
    """Tell the stakeholder their dispute was resolved (the task's side). False when there is nobody to tell."""
    from django.urls import reverse

    from roles.services import invites

    review = (
        Review.objects.select_related(
            "assignment__product__organization",
            "assignment__layer",
            "assignment__function",
            "stakeholder",
            "resolved_by",
        )
        .filter(pk=review_id, resolved_at__isnull=False)
        .first()
    )
    if review is None or not review.stakeholder.email or not review.stakeholder.user_id:
        # Only to an account's own address: an unlinked person's email is a leader's to edit.
        return False
    organization = review.assignment.product.organization
    path = reverse("me", kwargs={"org": organization.slug}) + f"#assignment-{review.assignment_id}"
    resolver = review.resolved_by
    context = {
        "review": review,
        "assignment": review.assignment,
        "person": review.stakeholder,
        "organization": organization,
        "resolver": (resolver.get_full_name() or resolver.email) if resolver else "A leader",
        "url": invites.site_url(base_url) + path,
    }
    verb = "kept" if review.resolution == Review.Resolution.KEPT else "changed"
    subject = f"Your review of {review.assignment.function.name} on the {review.assignment.layer.name}: {verb}"
    invites.send_templated_email(
        to=review.stakeholder.email, subject=subject, template="dispute_resolved", context=context
    )
    return True


def dispute_recipients(review: Review) -> list[Any]:
    """Who hears of a new dispute: the organization's leaders (its admins when it has none), not its author."""
    from django.contrib.auth import get_user_model

    from roles.models import Membership

    organization_id = review.assignment.product.organization_id
    users = get_user_model().objects.filter(is_active=True).exclude(pk=review.stakeholder.user_id or 0)
    for access in (Membership.Access.LEADER, Membership.Access.ADMIN):
        found = list(
            users.filter(memberships__organization_id=organization_id, memberships__access=access)
            .exclude(email="")
            .order_by("email")
        )
        if found:
            return found
    return []


def notify_dispute(*, review_id: int, base_url: str | None = None) -> int:
    """Tell the leaders a stakeholder disagrees (the task's side). Returns how many were told.

    Nothing is sent once the dispute is closed or superseded: the email would point at nothing.
    """
    from django.urls import reverse

    from roles.services import invites

    review = (
        Review.objects.select_related(
            "assignment__product__organization", "assignment__layer", "assignment__function", "stakeholder"
        )
        .filter(pk=review_id, verdict=Review.Verdict.DISAGREE, resolved_at__isnull=True)
        .first()
    )
    if review is None:
        return 0
    organization = review.assignment.product.organization
    path = reverse("review-detail", kwargs={"org": organization.slug, "pk": review.pk})
    context = {
        "review": review,
        "assignment": review.assignment,
        "person": review.stakeholder,
        "organization": organization,
        "url": invites.site_url(base_url) + path,
    }
    subject = (
        f"{review.stakeholder.full_name} disagrees: {review.assignment.function.name} "
        f"on the {review.assignment.layer.name} of {review.assignment.product.name}"
    )
    recipients = dispute_recipients(review)
    for user in recipients:
        context["leader"] = user.get_full_name() or user.email
        invites.send_templated_email(to=user.email, subject=subject, template="dispute_opened", context=context)
    return len(recipients)
