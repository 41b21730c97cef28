"""Who the activity log names for a write (django-simple-history).

Page and API requests are named by the middleware; a service that is told `by` names them
itself, so a write from a task, a command or a test is credited to the person who asked.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T")


def recorded_by(instance: T, by: Any) -> T:
    if getattr(by, "pk", None):
        # django-simple-history reads this attribute when it writes the history row.
        vars(instance)["_history_user"] = by
    return instance
