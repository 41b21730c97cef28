"""Every URL pattern of the project, walked from the resolver (`endpoints()`): what the security
meta-tests check has an entry in `routes.ROUTES`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
ALL_METHODS = (*METHODS, "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern: `key` is its full name ("api:function-list"), or namespace:route if unnamed."""

    key: str
    name: str | None
    route: str
    params: tuple[str, ...]

    @property
    def is_admin_site(self) -> bool:
        return self.key.startswith("admin:")

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def is_org_scoped(self) -> bool:
        return "org" in self.params


def _walk(resolver: URLResolver, prefix: str, namespace: str | None) -> Iterator[Endpoint]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            key = name or f"{namespace or ''}:{route}"
            yield Endpoint(key=key, name=name, route=route, params=_params(route))


def _params(route: str) -> tuple[str, ...]:
    """The arguments a route takes: path converters (<slug:org>) and regex groups ((?P<pk>…))."""
    names = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    return tuple(sorted(set(names)))


def endpoints() -> list[Endpoint]:
    """Every URL pattern the project answers, in the resolver's order."""
    return list(_walk(get_resolver(), "", None))
