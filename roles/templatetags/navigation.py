"""The organization's navigation, rendered once per kind of page instead of twice per request.

`base.html` draws `_nav.html` twice on every signed-in page (the side column and the narrow
screen's menu): ~0.5 ms of template rendering per request, a tenth of a cheap page (issue 13
item 8). What the links say depends only on the organization's slug, the page's URL name and
four yes/no facts of the requester's access — no name, no count, nothing else of the user — so
the HTML for each combination is rendered once per process and reused (a bounded cache: a
stale entry is impossible, an evicted one is rendered again).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def org_nav(context: template.Context, nav_class: str = "", nav_label: str = "") -> SafeString:
    """The organization's links for the page being drawn (`ctx`, `org` and `request` of the page)."""
    ctx, request = context["ctx"], context["request"]
    match = getattr(request, "resolver_match", None)
    return _nav(
        context["org"].slug,
        match.url_name if match else None,
        bool(ctx.is_stakeholder_only or ctx.has_person),
        ctx.can_resolve,
        ctx.can_edit,
        ctx.is_admin,
        nav_class,
        nav_label,
    )


@lru_cache(maxsize=4096)
def _nav(
    slug: str,
    url_name: str | None,
    has_role: bool,
    can_resolve: bool,
    can_edit: bool,
    is_admin: bool,
    nav_class: str,
    nav_label: str,
) -> SafeString:
    facts: dict[str, Any] = {
        "org": {"slug": slug},
        "request": {"resolver_match": {"url_name": url_name}},
        "ctx": {
            "is_stakeholder_only": has_role,
            "has_person": has_role,
            "can_resolve": can_resolve,
            "can_edit": can_edit,
            "is_admin": is_admin,
        },
        "nav_class": nav_class,
        "nav_label": nav_label,
    }
    return mark_safe(get_template("_nav.html").render(facts))  # noqa: S308 - our template, escaped by it
