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

from django.contrib.auth import get_user_model
from django.db import connections
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

from ..permissions import CONTEXT_COLUMNS, CONTEXT_JOINS, ReadAhead, columns_of, instance_of, keep_read_ahead


class TokenAuthentication(auth.TokenAuthentication):
    # The organization of the request's URL, if it names one: its context is read with the token.
    org_slug: str | None = None

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        """knox's; with an organization in the URL (`/api/v1/orgs/<org>/…`), the requester's
        context there is read with the token (`roles.permissions.read_ahead`, as pages do) and
        left on the request for `OrgPermission`, which takes it only for the user this returns."""
        self.org_slug = ((getattr(request, "parser_context", None) or {}).get("kwargs") or {}).get("org")
        self.request = request
        return super().authenticate(request)

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        """knox's, reading the tokens of the key presented by a prepared statement (with the
        requester's organization context, when the URL names an organization)."""
        msg = _("Invalid token.")
        text = token.decode("utf-8")
        key = text[: CONSTANTS.TOKEN_KEY_LENGTH]
        keyed = _tokens_keyed(key) if self.org_slug is None else _tokens_with_context(key, self.org_slug)
        for auth_token in keyed:
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(text)
            except (TypeError, binascii.Error) as error:
                raise exceptions.AuthenticationFailed(msg) from error
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                user, valid = self.validate_user(auth_token)
                ahead = getattr(auth_token, "read_ahead", None)
                if ahead is not None:
                    keep_read_ahead(self.request, ahead)
                return user, valid
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


def _tokens_with_context(token_key: str, org_slug: str) -> list[Any]:
    """`_tokens_keyed`, each token with its user and, as `read_ahead`, a `ReadAhead` of its
    user's organization context row in `org_slug` (empty columns for no membership): one
    statement where the token and then the context took two."""
    token_model, user_model = get_token_model(), get_user_model()
    connection = connections[token_model.objects.db]
    tokens = len(token_model._meta.concrete_fields)
    users = len(user_model._meta.concrete_fields)
    sql = f"""SELECT {columns_of(token_model, "t")}, {columns_of(user_model, "u")}, {CONTEXT_COLUMNS}
  FROM {token_model._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.id = t.user_id
  {CONTEXT_JOINS}
 WHERE t.token_key = %s"""  # noqa: S608 (constants; values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_slug, token_key])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        auth_token = instance_of(token_model, row[:tokens], connection)
        user = instance_of(user_model, row[tokens : tokens + users], connection)
        auth_token.user = user
        auth_token.read_ahead = ReadAhead(user=user, org_slug=org_slug, row=tuple(row[tokens + users :]))
        found.append(auth_token)
    return found
