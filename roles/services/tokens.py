"""API tokens (issue 16): hashed and expiring, with django-rest-knox.

The database keeps only a SHA-512 digest of each token and its first characters (to find it),
so a leaked backup gives no usable key. A token expires API_TOKEN_DAYS after it was issued; each
sign-in through POST /api/v1/auth/token/ issues a new one, and its owner lists and revokes them.
Old plain-text DRF tokens were deleted by a migration (README: "API tokens").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from knox.models import AuthToken

ID_LENGTH = 8  # how a token is named in lists and in DELETE auth/tokens/<id>/


def tokens_per_user() -> int:
    return int(getattr(settings, "API_TOKENS_PER_USER", 20))


def tokens_of(user: Any) -> QuerySet[AuthToken]:
    """The user's tokens that still work, oldest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("created", "digest")


def token_id(token: AuthToken) -> str:
    return token.token_key[:ID_LENGTH]


@transaction.atomic
def token_issue(*, user: Any) -> tuple[AuthToken, str]:
    """A new token for `user`: (the row, the key, shown this once). Expired ones are dropped, and
    past API_TOKENS_PER_USER the oldest is revoked, so a script that signs in on every run
    never piles up rows."""
    AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
    row, key = AuthToken.objects.create(user=user, expiry=settings.REST_KNOX["TOKEN_TTL"])
    keep = set(tokens_of(user).order_by("-created", "-digest").values_list("digest", flat=True)[: tokens_per_user()])
    AuthToken.objects.filter(user=user).exclude(digest__in=keep).delete()
    return row, key


def token_revoke(*, user: Any, token_id: str) -> bool:
    """Revoke one of the user's own tokens by its id; False when they have no such token."""
    if len(token_id) != ID_LENGTH:
        return False
    deleted, _ = AuthToken.objects.filter(user=user, token_key__startswith=token_id).delete()
    return deleted > 0
