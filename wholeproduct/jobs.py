"""Jobs a lost worker left unfinished, found by a periodic sweep and marked failed with a reason.

A worker killed in the middle of a task (out of memory, a restart, a machine gone) leaves its
job "running" forever; on the embedded filesystem broker the message itself is gone too. No
worker can still be running a job past its task's hard time limit (wholeproduct.task_limits),
so beat's "sweep stuck jobs" entry marks such a job failed, and the page offers a retry. A job
still waiting for a worker after QUEUE_DEADLINE is failed the same way.

A job model joins the sweep with one call, in its app's `ready()`:

    jobs.register(jobs.job_model(ExportJob, task="layers.build_export"))

(or a `Stuck(...)` of its own when its states or columns differ, as report builds' do).

The sweep is idempotent and safe to run from two beats at once: rows are claimed with
`select_for_update(skip_locked=True)` and failed with an UPDATE that repeats the condition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from wholeproduct.celery import app
from wholeproduct.task_limits import VISIBILITY_MARGIN, limits_of

logger = logging.getLogger(__name__)

# A queued job no worker has taken after this long is given up (the broker lost its message).
QUEUE_DEADLINE = timedelta(hours=1)

RUNNING_REASON = (
    "The worker running this job stopped before it finished (no word from it for {minutes} minutes); "
    "nothing was saved. Retry it."
)
WAITING_REASON = "No worker picked this job up within {minutes} minutes; nothing was saved. Retry it."


@dataclass(frozen=True)
class Stuck:
    """How to find one model's stuck jobs and what a failed one looks like."""

    model: type[models.Model]
    task: str  # the Celery task that runs the job: its hard time limit is the deadline
    since: str  # a datetime field that moves whenever the job does (an `auto_now` column)
    running: Q  # a job a worker has taken
    failed: Callable[[datetime, str], dict[str, Any]]  # the columns of a failed job
    waiting: Q | None = None  # a job queued for a worker, not taken yet

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}:{self.task}"

    @property
    def running_deadline(self) -> timedelta:
        return timedelta(seconds=limits_of(self.task).hard + VISIBILITY_MARGIN)

    def conditions(self, now: datetime) -> list[tuple[Q, str]]:
        """(which rows are stuck at `now`, the reason they are given) pairs."""
        pairs = [(self.running, self.running_deadline, RUNNING_REASON)]
        if self.waiting is not None:
            pairs.append((self.waiting, QUEUE_DEADLINE, WAITING_REASON))
        return [
            (state & Q(**{f"{self.since}__lt": now - deadline}), reason.format(minutes=_minutes(deadline)))
            for state, deadline, reason in pairs
        ]


def _minutes(deadline: timedelta) -> int:
    return round(deadline.total_seconds() / 60)


def job_model(model: Any, *, task: str) -> Stuck:
    """The sweep's entry for a job model of the usual shape: a `State` with QUEUED, RUNNING and
    FAILED, an `error` reason, `finished_at`, and an `updated_at` that moves with the job."""
    state = model.State
    return Stuck(
        model=model,
        task=task,
        since="updated_at",
        running=Q(state=state.RUNNING),
        waiting=Q(state=state.QUEUED),
        # .update() does not touch auto_now columns: updated_at is set here.
        failed=lambda now, reason: {"state": state.FAILED, "error": reason, "finished_at": now, "updated_at": now},
    )


REGISTRY: dict[str, Stuck] = {}


def register(stuck: Stuck) -> None:
    """Add a job model to the sweep (again: replaces its entry, so a reload is harmless)."""
    REGISTRY[stuck.label] = stuck


def sweep(*, now: datetime | None = None) -> dict[str, list[Any]]:
    """Fail every registered job stuck at `now`; return the primary keys failed, per model."""
    now = now or timezone.now()
    failed: dict[str, list[Any]] = {}
    for stuck in REGISTRY.values():
        for condition, reason in stuck.conditions(now):
            pks = _fail(stuck, condition, now=now, reason=reason)
            if pks:
                logger.warning("Marked %d stuck %s job(s) failed: %s", len(pks), stuck.label, pks)
                failed.setdefault(stuck.label, []).extend(pks)
    return failed


@transaction.atomic
def _fail(stuck: Stuck, condition: Q, *, now: datetime, reason: str) -> list[Any]:
    rows = stuck.model._default_manager.filter(condition)
    # Rows another sweep holds are skipped: that sweep fails them.
    pks = list(rows.select_for_update(skip_locked=True).values_list("pk", flat=True))
    if not pks:
        return []
    rows.filter(pk__in=pks).update(**stuck.failed(now, reason))
    return pks


@app.task(name="wholeproduct.sweep_stuck_jobs", ignore_result=True)
def sweep_stuck_jobs() -> int:
    """Beat's entry "sweep stuck jobs" (settings.CELERY_BEAT_SCHEDULE): how many jobs it failed."""
    return sum(len(pks) for pks in sweep().values())
