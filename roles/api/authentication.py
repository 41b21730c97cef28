"""The API's token authentication: django-rest-knox's, with one query fewer per request.

knox's `TokenAuthentication` reads every token of the requester on each request to delete the
expired ones among them (`_cleanup_token`). Here they are deleted where tokens are issued
(`roles.services.tokens.token_issue`) and a list shows only live ones (`tokens_of`), so a request
checks the expiry of the token it presents only: an expired one is deleted and refused, as knox
does, and `token_expired` is sent as knox sends it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox import auth
from knox.signals import token_expired


class TokenAuthentication(auth.TokenAuthentication):
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
