"""Navigation context: the current organization and the user's other organizations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import Membership


def tenancy(request: HttpRequest) -> dict[str, Any]:
    ctx = getattr(request, "ctx", None)
    if not request.user.is_authenticated:
        return {"ctx": None}

    def memberships() -> list[Membership]:
        # Lazy: evaluated only by templates that draw the organization switcher.
        return list(Membership.objects.filter(user=request.user).select_related("organization"))

    return {"ctx": ctx, "org": ctx.organization if ctx else None, "my_memberships": memberships}
