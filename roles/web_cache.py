"""The partnership web's layout, cached per organization (issue 13 item 9).

The picture's geometry depends only on the functions (id, name, category, external) and on which
functions each link joins, so it is computed once and kept in the cache under a version token of
the organization. The services that change either — function create, rename, delete; partnership
create, update, delete; an import that creates functions — call `changed()`, which issues a new
token. The token is random, not a counter, so a version key evicted
from the cache can never bring an older layout back.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from django.core.cache import cache

from domain.web import layout as web_layout
from domain.web import shapes

TTL = 60 * 60 * 24  # a layout nobody looked at for a day is dropped


def _version_key(organization_id: int) -> str:
    return f"web:version:{organization_id}"


def version(organization_id: int) -> str:
    token = cache.get(_version_key(organization_id))
    if token is None:
        cache.add(_version_key(organization_id), uuid.uuid4().hex, None)
        token = cache.get(_version_key(organization_id)) or "uncached"
    return token


def changed(organization_id: int) -> None:
    """Forget the organization's layout. At once rather than on commit: a reader that lays out the
    rows as they were before the commit stores its layout with their digest, which the next
    reader's rows no longer match (and a rolled-back write only costs one recomputation)."""
    cache.set(_version_key(organization_id), uuid.uuid4().hex, None)


def fingerprint(nodes: Iterable[shapes.NodeIn], edges: Iterable[shapes.EdgeIn]) -> str:
    """A digest of what the layout is computed from, kept with it: a writer that bypassed the
    services (a bulk load, a restore) or a reused organization id can never get a wrong picture."""
    digest = hashlib.blake2b(digest_size=16)
    for item in (*nodes, *edges):
        digest.update(repr(item).encode())
    return digest.hexdigest()


def layout(organization_id: int, nodes: list[shapes.NodeIn], edges: list[shapes.EdgeIn]) -> shapes.WebLayout:
    """The organization's layout: from the cache when its version and inputs are unchanged."""
    key = f"web:layout:{organization_id}:{version(organization_id)}"
    stamp = fingerprint(nodes, edges)
    found = cache.get(key)
    if isinstance(found, tuple) and found[0] == stamp:
        return found[1]
    computed = web_layout.layout_web(nodes, edges)
    cache.set(key, (stamp, computed), TTL)
    return computed
