"""The API's token authentication: django-rest-knox's, with one query fewer per request.

knox's `TokenAuthentication` reads every token of the requester on each request to delete the
expired ones among them (`_cleanup_token`). Here they are deleted where tokens are issued
(`roles.services.tokens.token_issue`) and a list shows only live ones (`tokens_of`), so a request
checks the expiry of the token it presents only: an expired one is deleted and refused, as knox
does, and `token_expired` is sent as knox sends it. The tokens of the key presented are read by a
prepared statement (shared.prepared): Django built and compiled knox's on every request of the
API, for longer than PostgreSQL took to run it.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from shared.prepared import prepared


class TokenAuthentication(auth.TokenAuthentication):
    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """knox's, reading the tokens of the key presented by a prepared statement."""
        msg = _("Invalid token.")
        text = token.decode("utf-8")
        for auth_token in _tokens_keyed(text[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(msg) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token: Any) -> bool:
        """True (the token deleted) when the presented token has expired."""
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI security scheme of knox's tokens (drf-spectacular's), for this subclass too."""

    target_class = "roles.api.authentication.TokenAuthentication"


@prepared
def _tokens_keyed(token_key: str) -> QuerySet[Any]:
    """The tokens whose key (the first characters of the token) is `token_key`, with their users."""
    return get_token_model().objects.filter(token_key=token_key).select_related("user")
