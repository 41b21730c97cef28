"""Two transactions at once, in a known order: for the tests of what the database keeps when two
writers meet (its triggers' locks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connections, transaction


def one_then_another(first: Callable[[], object], second: Callable[[], object], *, hold: float = 0.5) -> None:
    """`first` writes in a transaction it holds open `hold` seconds; `second` writes meanwhile (once
    `first`'s statement ran), in a transaction of its own; both commit. Fails on any error."""
    written = threading.Event()
    errors: list[BaseException] = []

    def run(write: Callable[[], object], leads: bool) -> None:
        try:
            if not leads:
                written.wait(10)
            with transaction.atomic():
                write()
                if leads:
                    written.set()
                    time.sleep(hold)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(first, True)), threading.Thread(target=run, args=(second, False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert not any(thread.is_alive() for thread in threads), "a writer is still waiting: a lost lock"
