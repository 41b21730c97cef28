"""Every Celery task's time limits, in one place (no Django import: settings read it).

Three things follow from these numbers, so they are written once:
- each task's own `soft_time_limit`/`time_limit` (`limits_of(name)` in its decorator);
- the broker's visibility timeout, just above the longest hard limit: Redis hands an
  unacknowledged message to another worker after that long, so it must not do so while the
  task may still be running, and should not keep a dead worker's task waiting much longer;
- the sweeper's deadline for a job "running" past its task's hard limit (wholeproduct.jobs):
  no worker can still be on it, so it was lost.

A task not listed gets DEFAULT. A new task with other limits adds one line to TASKS.
"""

from __future__ import annotations

from typing import NamedTuple


class Limits(NamedTuple):
    soft: int  # seconds: SoftTimeLimitExceeded is raised in the task, which can clean up
    hard: int  # seconds: the worker kills the process running the task


DEFAULT = Limits(soft=9 * 60, hard=10 * 60)

TASKS: dict[str, Limits] = {
    "layers.build_report": Limits(soft=4 * 60, hard=5 * 60),
    "layers.build_all_reports": DEFAULT,
    "roles.commit_import": DEFAULT,
    "layers.build_export": Limits(soft=4 * 60, hard=5 * 60),
}

# Redelivery of a lost message comes this long after the longest task could have ended.
VISIBILITY_MARGIN = 60
LONGEST = max([DEFAULT.hard, *(limits.hard for limits in TASKS.values())])
VISIBILITY_TIMEOUT = LONGEST + VISIBILITY_MARGIN


def limits_of(task_name: str) -> Limits:
    return TASKS.get(task_name, DEFAULT)


def task_options(task_name: str) -> dict[str, int]:
    """The decorator arguments: `@shared_task(name=NAME, **task_options(NAME))`."""
    limits = limits_of(task_name)
    return {"soft_time_limit": limits.soft, "time_limit": limits.hard}
