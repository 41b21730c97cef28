"""What a `roles` write tells the apps built on top of it (DESIGN §9): typed hooks, no imports upward.

`roles` never imports `layers`. Where a write in `roles` must reach the product side (people move,
a function is created, deleted or renamed, a disruption is applied, a whole organization is restored or
imported), the service calls one of the functions below, inside its own transaction and after its
own writes. Each one hands the call to every registered `Listener`. `layers` registers its read
model (`layers.readmodel.hooks`, a module that satisfies the protocol) from
`LayersConfig.ready()`, so by the time a request or a task runs, the listener is in place.

A listener also answers the one question a `roles` service asks of the product side before it
writes: how many current reviews a disruption would turn stale (`current_reviews_until`).

With no listener registered (`roles` alone), the calls do nothing and the question answers zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Protocol, runtime_checkable


@runtime_checkable
class Listener(Protocol):
    """What an app above `roles` implements to follow its writes (all keyword-only, ids only)."""

    def people_changed(self, *, organization_id: int, function_ids: Iterable[int]) -> None:
        """People joined, left or moved between these functions (both ends of a move are named)."""

    def functions_changed(self, *, organization_id: int, created: bool = True) -> None:
        """A function was created or deleted (`created=False`: only deleted, none created)."""

    def functions_renamed(self, *, organization_id: int, function_ids: Iterable[int]) -> None:
        """These functions were renamed or moved to another category (nothing else changed)."""

    def disruption_applied(self, *, organization_id: int, function_ids: Iterable[int]) -> None:
        """A disruption took effect on these functions: reviews made before it are stale."""

    def partnerships_changed(self, *, organization_id: int, partnership_ids: Iterable[int]) -> None:
        """These partnerships were created, or their ends or the feedback they carry changed."""

    def organization_changed(self, *, organization_id: int) -> object:
        """Everything may have changed (restore, import, seed): recompute the organization."""

    def current_reviews_until(
        self, *, organization_id: int, function_ids: Collection[int], moment: datetime
    ) -> dict[int, int]:
        """Per function id: reviews current now whose latest review is not newer than `moment`."""


_listeners: list[Listener] = []


def register(listener: Listener) -> None:
    """Add a listener once (an app's `ready()` may run twice in a test process)."""
    if not isinstance(listener, Listener):
        raise TypeError(f"{listener!r} does not implement roles.hooks.Listener")
    if listener not in _listeners:
        _listeners.append(listener)


def listeners() -> tuple[Listener, ...]:
    return tuple(_listeners)


def people_changed(*, organization_id: int, function_ids: Iterable[int]) -> None:
    ids = frozenset(function_ids)
    for listener in _listeners:
        listener.people_changed(organization_id=organization_id, function_ids=ids)


def functions_changed(*, organization_id: int, created: bool = True) -> None:
    for listener in _listeners:
        listener.functions_changed(organization_id=organization_id, created=created)


def functions_renamed(*, organization_id: int, function_ids: Iterable[int]) -> None:
    ids = frozenset(function_ids)
    if not ids:
        return
    for listener in _listeners:
        listener.functions_renamed(organization_id=organization_id, function_ids=ids)


def disruption_applied(*, organization_id: int, function_ids: Iterable[int]) -> None:
    ids = frozenset(function_ids)
    for listener in _listeners:
        listener.disruption_applied(organization_id=organization_id, function_ids=ids)


def partnerships_changed(*, organization_id: int, partnership_ids: Iterable[int]) -> None:
    ids = frozenset(partnership_ids)
    if not ids:
        return
    for listener in _listeners:
        listener.partnerships_changed(organization_id=organization_id, partnership_ids=ids)


def organization_changed(*, organization_id: int) -> None:
    for listener in _listeners:
        listener.organization_changed(organization_id=organization_id)


def current_reviews_until(*, organization_id: int, function_ids: Collection[int], moment: datetime) -> dict[int, int]:
    total: Counter[int] = Counter()
    for listener in _listeners:
        total.update(
            listener.current_reviews_until(organization_id=organization_id, function_ids=function_ids, moment=moment)
        )
    return dict(total)
