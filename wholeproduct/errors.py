"""Domain errors raised by services and mapped to HTTP in one place (pages and API).

Services raise these; views show them as form or page errors; the API's exception
handler maps `code`/`status` to its JSON body.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction


class DomainError(Exception):
    """A rule of the domain refused the change. Nothing was written."""

    code = "invalid"
    status = 400

    def __init__(self, detail: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """Someone else changed the object since it was read (optimistic locking)."""

    code = "conflict"
    status = 409

    def __init__(self, detail: str, *, current: Any = None, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)
        self.current = current


def field_error(field: str, message: str) -> DomainError:
    """A refusal that belongs to one form field."""
    return DomainError(message, fields={field: [message]})


M = TypeVar("M", bound=models.Model)


def save_or_explain(obj: M, explain: Callable[[], DomainError | None]) -> M:
    """Save, and turn a unique-constraint race into the domain error a check would have raised.

    A service checks uniqueness before it saves, but a concurrent insert can still win: the
    database constraint has the last word, and `explain()` says what it was (None: re-raise).
    """
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        error = explain()
        if error is None:
            raise
        raise error from None
    return obj
