"""Invites (issue 4): a stakeholder gets a signed, single-use, expiring link to join.

The link carries `signing.dumps({"i": invite id, "n": nonce})`: the signature catches a
tampered token, the random nonce (compared in constant time) makes a guessed id useless,
and the row decides the rest: expired, revoked, used. Expiry lives in the row rather
than in a timestamped signature so a resend can extend it and the same link works again.

Emails leave through a Celery task (ids in, queued on commit). Each delivery claims the
invite with a conditional UPDATE of `send_count`, so a redelivered task sends nothing twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from simple_history.utils import bulk_create_with_history

from shared.background import task
from shared.prepared import prepared
from wholeproduct.errors import DomainError, Forbidden

from .. import rowcounts
from ..history import recorded_by
from ..models import Function, Invite, Membership, Organization, Stakeholder

INVITE_DAYS = 7
SALT = "roles.invite"
SEND_CHUNK = 100  # invite ids per queued task
DEFAULT_SITE_URL = "http://localhost:8000"


class InviteState(StrEnum):
    """What the people and members pages show for one person's latest invite."""

    NOT_INVITED = "not_invited"
    INVITED = "invited"  # a pending invite, not yet expired
    EXPIRED = "expired"
    REVOKED = "revoked"
    JOINED = "joined"  # the person record is linked to an account


INVITE_STATE_LABELS: dict[str, str] = {
    InviteState.NOT_INVITED: "Not invited",
    InviteState.INVITED: "Invited",
    InviteState.EXPIRED: "Invite expired",
    InviteState.REVOKED: "Invite revoked",
    InviteState.JOINED: "Joined",
}


class InviteLimitReached(DomainError):
    """The organization sent INVITES_PER_HOUR invitations in the last hour."""

    status = 429
    code = "invite_limit"


class InviteUnusable(DomainError):
    """The link cannot be used; `reason` says why (invalid, expired, used, revoked)."""

    status = 410

    def __init__(self, reason: str, detail: str, invite: Invite | None = None) -> None:
        super().__init__(detail)
        self.code = f"invite_{reason}"
        self.reason = reason
        self.invite = invite


# --- email ----------------------------------------------------------------------------------------


def site_url(base_url: str | None = None) -> str:
    """The address links in emails start with: the request's when known, else settings.SITE_URL."""
    return (base_url or getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def send_templated_email(*, to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    """Send `templates/emails/<template>.txt` with its `.html` twin as the HTML alternative."""
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


# --- reads ----------------------------------------------------------------------------------------


def invites_of(organization: Organization | int) -> QuerySet[Invite]:
    return Invite.objects.filter(organization=organization)


def invite_of(organization: Organization, pk: int) -> Invite | None:
    return invites_of(organization).select_related("stakeholder", "stakeholder__function").filter(pk=pk).first()


def state_of(invite: Invite, *, joined: bool = False, now: datetime | None = None) -> InviteState:
    if joined or invite.accepted_at:
        return InviteState.JOINED
    if invite.revoked_at:
        return InviteState.REVOKED
    if invite.expires_at <= (now or timezone.now()):
        return InviteState.EXPIRED
    return InviteState.INVITED


def invite_states(organization: Organization, people: Iterable[Stakeholder] | None = None) -> dict[int, str]:
    """{stakeholder id: InviteState value}; a person missing from it is "not_invited".

    Every person of the organization in two queries; or only `people` (one page of them, as read
    for the page) in one: who has an account is read from their rows, their invites from the table.
    """
    if people is None:
        joined = Stakeholder.objects.filter(organization=organization, user__isnull=False)
        states: dict[int, str] = dict.fromkeys(joined.values_list("pk", flat=True), InviteState.JOINED.value)
        found = _latest_first(invites_of(organization))
    else:
        people = list(people)
        states = {person.pk: InviteState.JOINED.value for person in people if person.user_id is not None}
        found = _invites_of_people(organization.pk, [person.pk for person in people])
    now = timezone.now()
    for invite in found:
        states.setdefault(invite.stakeholder_id, state_of(invite, now=now).value)  # the latest invite wins
    return states


def _latest_first(invites: QuerySet[Invite]) -> QuerySet[Invite]:
    """Each person's invites, latest first, with what their state is read from."""
    ordered = invites.order_by("stakeholder_id", "-created_at", "-id")
    return ordered.only("stakeholder_id", "expires_at", "accepted_at", "revoked_at")


@prepared
def _invites_of_people(organization_id: int, person_ids: list[int]) -> QuerySet[Invite]:
    """`_latest_first` of these people (a page of them): a prepared statement."""
    return _latest_first(Invite.objects.filter(organization_id=organization_id, stakeholder_id__in=person_ids))


def invitable(stakeholders: QuerySet[Stakeholder], *, now: datetime | None = None) -> QuerySet[Stakeholder]:
    """People a bulk invite reaches: no account yet, no pending invite, and no invite an admin revoked.

    An expired invite counts as not invited: its link no longer works.
    """
    now = now or timezone.now()
    pending = Invite.objects.filter(
        stakeholder=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    revoked = Invite.objects.filter(stakeholder=OuterRef("pk"), revoked_at__isnull=False)
    return stakeholders.filter(user__isnull=True).exclude(Exists(pending)).exclude(Exists(revoked))


def invites_per_hour() -> int:
    return int(getattr(settings, "INVITES_PER_HOUR", 200))


def check_admin(organization_id: int, by: Any) -> None:
    """Only an admin of the organization invites (DESIGN §5), whichever way the call comes in.

    `by=None` is the system itself (a shell, a test); a signed-in user must be an admin there.
    """
    if by is None or getattr(by, "is_superuser", False):
        return
    is_admin = Membership.objects.filter(
        user_id=getattr(by, "pk", None), organization_id=organization_id, access=Membership.Access.ADMIN
    ).exists()
    if not is_admin:
        raise Forbidden("Only an admin of this organization can send invitations.")


def _check_rate(organization_id: int, wanted: int, now: datetime) -> None:
    """Refuse a send that would take the organization past its hourly number of invitations.

    Counted in the database, so every web process and worker sees the same figure; the
    organization's row lock serializes two admins. Each creation and each resend stamps a new
    `requested_at` on its row, and the invitation's history keeps every stamp: the sends of the
    last hour are the distinct (invite, requested_at) pairs there, so resending one invitation
    over and over counts every time (a revocation or acceptance copies the stamp it had).
    """
    Organization.objects.select_for_update().filter(pk=organization_id).exists()
    limit = invites_per_hour()
    recent = Invite.history.filter(organization_id=organization_id, requested_at__gt=now - timedelta(hours=1))
    used = recent.values("id", "requested_at").distinct().count()
    if used + wanted > limit:
        left = max(limit - used, 0)
        raise InviteLimitReached(
            f"Invitations are limited to {limit} an hour for an organization, and {used} went out in the last hour"
            f" ({left} left, {wanted} asked). Invite fewer people at once, or try again later."
        )


def _pending_invite(stakeholder: Stakeholder, now: datetime) -> Invite | None:
    return (
        Invite.objects.select_for_update()
        .filter(stakeholder=stakeholder, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )


# --- tokens ---------------------------------------------------------------------------------------


def token_for(invite: Invite) -> str:
    return signing.dumps({"i": invite.pk, "n": invite.nonce}, salt=SALT)


def accept_url(invite: Invite, base_url: str | None = None) -> str:
    return site_url(base_url) + reverse("invite-accept", kwargs={"token": token_for(invite)})


def invite_for_token(token: str, *, lock: bool = False, now: datetime | None = None) -> Invite:
    """The invite a link names, if it can still be used; InviteUnusable says why not."""
    try:
        data = signing.loads(token, salt=SALT)
        pk, nonce = int(data["i"]), str(data["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise InviteUnusable("invalid", "This invite link is not valid. Check that you copied all of it.") from None
    qs = Invite.objects.select_related("organization", "stakeholder", "stakeholder__function", "stakeholder__user")
    if lock:
        qs = qs.select_for_update(of=("self",))
    invite = qs.filter(pk=pk).first()
    if invite is None or not constant_time_compare(invite.nonce, nonce):
        raise InviteUnusable("invalid", "This invite link is not valid. Check that you copied all of it.")
    if invite.revoked_at or not _same_address(invite.email, invite.stakeholder.email):
        # The person's email changed since (which revokes it): the link was for the old address.
        raise InviteUnusable("revoked", "This invite was withdrawn by an administrator.", invite)
    if invite.accepted_at or invite.stakeholder.user_id:
        raise InviteUnusable("used", "This invite has already been used. Sign in with your email instead.", invite)
    if invite.expires_at <= (now or timezone.now()):
        raise InviteUnusable("expired", "This invite link has expired.", invite)
    return invite


def _same_address(a: str, b: str) -> bool:
    return a.strip().lower() == b.strip().lower()


def existing_account(invite: Invite) -> Any | None:
    """The user an accepted invite links to when there already is one (same email, any organization)."""
    if invite.stakeholder.user_id:
        return invite.stakeholder.user
    users = get_user_model().objects.all()
    return (
        users.filter(email__iexact=invite.email).order_by("id").first()
        or users.filter(username=invite.email.lower()).first()
    )


# --- writes ---------------------------------------------------------------------------------------


def _new_invite(stakeholder: Stakeholder, by: Any, now: datetime) -> Invite:
    return Invite(
        organization_id=stakeholder.organization_id,
        stakeholder=stakeholder,
        email=stakeholder.email,
        nonce=secrets.token_urlsafe(32),
        expires_at=now + timedelta(days=INVITE_DAYS),
        requested_at=now,
        created_by=by if getattr(by, "pk", None) else None,
    )


def _queue(invites: Sequence[Invite], base_url: str | None) -> None:
    """Send after commit: a rolled-back invite must never reach an inbox."""
    items = [[invite.pk, invite.send_count] for invite in invites]
    for start in range(0, len(items), SEND_CHUNK):
        chunk = items[start : start + SEND_CHUNK]
        transaction.on_commit(partial(task("layers.send_invites").delay, chunk, site_url(base_url)))


def _already_joined(stakeholder: Stakeholder) -> DomainError:
    return DomainError(f"{stakeholder.full_name} already has access to {stakeholder.organization.name}.")


@transaction.atomic
def invite_create(*, stakeholder: Stakeholder, by: Any, base_url: str | None = None) -> Invite:
    """Invite one person. A pending invite is sent again with a new expiry rather than duplicated."""
    if stakeholder.user_id:
        raise _already_joined(stakeholder)
    check_admin(stakeholder.organization_id, by)
    now = timezone.now()
    _check_rate(stakeholder.organization_id, 1, now)
    invite = _pending_invite(stakeholder, now)
    if invite is None:
        invite = _new_invite(stakeholder, by, now)
    invite.expires_at = now + timedelta(days=INVITE_DAYS)
    invite.requested_at = now
    recorded_by(invite, by).save()
    _queue([invite], base_url)
    return invite


@dataclass
class InviteBatch:
    invited: list[Invite] = field(default_factory=list)
    skipped: int = 0  # already joined, already invited, or revoked

    @property
    def count(self) -> int:
        return len(self.invited)


def _invite_many(organization_id: int, people: QuerySet[Stakeholder], by: Any, base_url: str | None) -> InviteBatch:
    check_admin(organization_id, by)
    now = timezone.now()
    chosen = list(invitable(people, now=now).select_for_update(of=("self",)).order_by("pk"))
    _check_rate(organization_id, len(chosen), now)
    new = [_new_invite(person, by, now) for person in chosen]
    invites = bulk_create_with_history(new, Invite, default_user=by if getattr(by, "pk", None) else None)
    _queue(invites, base_url)
    return InviteBatch(invited=invites, skipped=people.count() - len(invites))


@transaction.atomic
def invite_function(*, function: Function, by: Any, base_url: str | None = None) -> InviteBatch:
    """Invite every person of one function who is not invited yet (see `invitable`)."""
    return _invite_many(function.organization_id, Stakeholder.objects.filter(function=function), by, base_url)


@transaction.atomic
def invite_everyone(*, organization: Organization, by: Any, base_url: str | None = None) -> InviteBatch:
    """Invite everyone of the organization who is not invited yet (see `invitable`)."""
    return _invite_many(organization.pk, Stakeholder.objects.filter(organization=organization), by, base_url)


def _locked(invite: Invite) -> Invite:
    return Invite.objects.select_for_update().select_related("stakeholder", "organization").get(pk=invite.pk)


@transaction.atomic
def invite_resend(*, invite: Invite, by: Any, base_url: str | None = None) -> Invite:
    """Email the same link again, valid for another INVITE_DAYS days."""
    check_admin(invite.organization_id, by)
    invite = _locked(invite)
    if invite.accepted_at or invite.stakeholder.user_id:
        raise _already_joined(invite.stakeholder)
    if invite.revoked_at or not _same_address(invite.email, invite.stakeholder.email):
        raise DomainError("This invite was revoked. Send a new invite instead.")
    now = timezone.now()
    _check_rate(invite.organization_id, 1, now)
    invite.expires_at = now + timedelta(days=INVITE_DAYS)
    invite.requested_at = now
    recorded_by(invite, by).save(update_fields=["expires_at", "requested_at"])
    _queue([invite], base_url)
    return invite


@transaction.atomic
def invite_revoke(*, invite: Invite, by: Any) -> Invite:
    """Withdraw an invite: its link stops working at once. Revoking twice changes nothing."""
    check_admin(invite.organization_id, by)
    invite = _locked(invite)
    if invite.accepted_at:
        raise DomainError("This invite was already accepted; remove the member instead.")
    if not invite.revoked_at:
        invite.revoked_at = timezone.now()
        recorded_by(invite, by).save(update_fields=["revoked_at"])
    return invite


def revoke_for_changed_email(*, stakeholder: Stakeholder, by: Any = None, now: datetime | None = None) -> int:
    """Withdraw the person's open invites: each was for the address they had (DESIGN §5). How many."""
    open_invites = Invite.objects.select_for_update().filter(
        stakeholder=stakeholder, accepted_at__isnull=True, revoked_at__isnull=True
    )
    count = 0
    for invite in open_invites:
        invite.revoked_at = now or timezone.now()
        recorded_by(invite, by).save(update_fields=["revoked_at"])  # a save, not update(): the log records it
        count += 1
    return count


def invite_deliver(*, invite_id: int, expected_count: int, base_url: str | None = None) -> bool:
    """The task's side: send one invite email unless another delivery already did. True when sent."""
    now = timezone.now()
    usable = Invite.objects.filter(
        pk=invite_id, send_count=expected_count, accepted_at=None, revoked_at=None, expires_at__gt=now
    )
    previous = usable.values_list("sent_at", flat=True).first()
    if usable.update(send_count=F("send_count") + 1, sent_at=now) != 1:
        return False  # sent by another delivery, or no longer usable
    invite = Invite.objects.select_related("organization", "stakeholder", "stakeholder__function", "created_by").get(
        pk=invite_id
    )
    if not _same_address(invite.email, invite.stakeholder.email):
        return False  # the person's email changed after the send was queued: the invite is void
    try:
        _send_invite_email(invite, base_url)
    except Exception:
        # Give the claim back so a retry can send it.
        Invite.objects.filter(pk=invite_id, send_count=expected_count + 1).update(
            send_count=expected_count, sent_at=previous
        )
        raise
    return True


def _send_invite_email(invite: Invite, base_url: str | None) -> None:
    inviter = invite.created_by
    context = {
        "invite": invite,
        "person": invite.stakeholder,
        "organization": invite.organization,
        "inviter": (inviter.get_full_name() or inviter.email) if inviter else "",
        "url": accept_url(invite, base_url),
        "days": INVITE_DAYS,
        "site_url": site_url(base_url),
    }
    subject = f"You're invited to review your role in {invite.organization.name}"
    send_templated_email(to=invite.email, subject=subject, template="invite", context=context)


# --- accepting ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    user: Any
    membership: Membership
    stakeholder: Stakeholder
    created_user: bool


def name_parts(full_name: str) -> tuple[str, str]:
    first, _, last = full_name.strip().partition(" ")
    return first[:150], last.strip()[:150]


@transaction.atomic
def invite_accept(*, token: str, password: str | None = None, user: Any = None) -> Acceptance:
    """Accept an invite: create the account (new email) or link the signed-in one (known email).

    A new account gets `password` (already checked by Django's validators). An email that
    already has an account must be accepted by that account, signed in: the link alone never
    changes an existing password. The person record is linked, and a stakeholder membership is
    created unless the user already has one (which keeps its higher access).
    """
    invite = invite_for_token(token, lock=True)
    account = existing_account(invite)
    created = account is None
    if account is None:
        if not password:
            raise DomainError("Choose a password.", fields={"new_password1": ["Choose a password."]})
        first, last = name_parts(invite.stakeholder.full_name)
        account = get_user_model().objects.create_user(
            username=invite.email.lower(), email=invite.email, password=password, first_name=first, last_name=last
        )
    elif user is None or not user.is_authenticated or user.pk != account.pk:
        raise Forbidden(f"Sign in as {account.email} to accept this invite.")
    stakeholder = invite.stakeholder
    stakeholder.user = account
    recorded_by(stakeholder, account)  # the log: they did it, signed in or not
    stakeholder.save(update_fields=["user", "updated_at"])
    membership = Membership.objects.filter(user=account, organization=invite.organization).first()
    if membership is None:
        membership = Membership(user=account, organization=invite.organization, access=Membership.Access.STAKEHOLDER)
        recorded_by(membership, account)
        membership.save()
    invite.accepted_at = timezone.now()
    recorded_by(invite, account)
    invite.save(update_fields=["accepted_at"])
    return Acceptance(user=account, membership=membership, stakeholder=stakeholder, created_user=created)


def counts(organization: Organization, *, now: datetime | None = None) -> dict[str, int]:
    """People, people with an account, and people a bulk invite would reach (`invitable`), in
    three queries: the invitable are the people without an account less those of them an invite
    holds back (pending or revoked), counted from the invites, so the work follows the invites
    sent rather than going over every person once more."""
    now = now or timezone.now()
    total = rowcounts.count(Stakeholder.objects.filter(organization=organization))
    joined = rowcounts.counted(_joined_count(organization.pk))
    held = rowcounts.counted(_held_count(organization.pk, now))
    return {"total": total, "joined": joined, "invitable": total - joined - held}


@prepared
def _joined_count(organization_id: int) -> QuerySet[Any]:
    """How many people of the organization have an account (a prepared statement)."""
    return rowcounts.count_rows(Stakeholder.objects.filter(organization_id=organization_id, user__isnull=False))


@prepared
def _held_count(organization_id: int, now: datetime) -> QuerySet[Any]:
    """How many people without an account an invite holds back (pending or revoked), each once."""
    held = (
        invites_of(organization_id)
        .filter(stakeholder__user__isnull=True)
        .filter(Q(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now) | Q(revoked_at__isnull=False))
    )
    people = held.order_by().values("organization_id").annotate(n=Count("stakeholder_id", distinct=True))
    return people.values_list("n", flat=True)


@prepared(shaped=("bottom", "top"))
def open_or_expired_page(organization_id: int, bottom: int, top: int) -> QuerySet[Invite]:
    """The invites `bottom` to `top` of `open_or_expired` (a prepared statement)."""
    return open_or_expired(organization_id)[bottom:top]


@prepared
def open_or_expired_count(organization_id: int) -> QuerySet[Any]:
    return rowcounts.count_rows(open_or_expired(organization_id))


def open_or_expired(organization: Organization | int) -> QuerySet[Invite]:
    """Invites the members page lists: not yet accepted, newest first."""
    return (
        invites_of(organization)
        .filter(Q(accepted_at__isnull=True))
        .select_related("stakeholder", "stakeholder__function", "created_by")
        .order_by("-created_at", "-id")
    )
