"""Domain errors raised by services and mapped to HTTP in one place (pages and API).

Services raise these; views show them as form or page errors; the API's exception
handler maps `code`/`status` to its JSON body.
"""

from __future__ import annotations

from typing import Any


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
