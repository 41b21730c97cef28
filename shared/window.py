"""An ordered list read from the database a slice at a time (issue 13 item 9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any


class Window(Sequence[Any]):
    """`count()` and `[a:b]`, each read when asked, which is what Django's and DRF's paginators
    need: `count` answers the number of rows, `fetch(offset, limit)` those rows (limit None: to
    the end). Iterating reads every row in one fetch."""

    def __init__(
        self,
        count: Callable[[], int],
        fetch: Callable[[int, int | None], list[Any]],
        tally: Callable[[], dict[str, int]] | None = None,
    ) -> None:
        self._count, self._fetch, self._tally = count, fetch, tally

    @property
    def tally(self) -> dict[str, int]:
        """{status: count} read with count(), where the list keeps them (suggestions)."""
        return self._tally() if self._tally else {}

    def count(self) -> int:  # type: ignore[override]
        return self._count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fetch(0, None))

    def __getitem__(self, index: Any) -> Any:
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is not None and stop <= start:
            return []
        return self._fetch(start, None if stop is None else stop - start)
