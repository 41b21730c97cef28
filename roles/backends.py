"""Sign in with an email address (case-insensitive) instead of a username."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from shared.prepared import prepared

# A user row read already by a statement that read more with it (`roles.permissions.read_ahead`):
# `EmailBackend.get_user` takes it instead of reading the same row again.
_PRELOADED: ContextVar[Any] = ContextVar("preloaded_user", default=None)


@contextmanager
def preloaded_user(user: Any) -> Iterator[None]:
    """While inside, `EmailBackend.get_user` of this user's id takes `user` (a row the ORM would
    read: every column) rather than querying it; every check it makes still applies."""
    token = _PRELOADED.set(user)
    try:
        yield
    finally:
        _PRELOADED.reset(token)


class EmailBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        """ModelBackend's (the session's user, if they may still sign in), read by a prepared
        statement, or taken from `preloaded_user`: every signed-in request asks it first."""
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        if not isinstance(pk, int):
            return None
        preloaded = _PRELOADED.get()
        user = preloaded if preloaded is not None and preloaded.pk == pk else next(iter(_user(pk)), None)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        email = kwargs.get("email") or username
        if not email or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email.strip()).order_by("id").first()
        if user is None:
            user_model().set_password(password)  # same cost as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


@prepared
def _user(pk: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.filter(pk=pk)[:1]
