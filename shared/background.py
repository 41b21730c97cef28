"""Queueing background work by the task's registered name (DESIGN §9).

A service sits below the task module that wraps it (a task is a thin shell over one service
call, STYLE §4), so a service that queues work must not import that module: the import would
close a circle (service → task → service). It names the task instead, the same name the worker,
beat and the stuck-job sweep use (`wholeproduct/task_limits.py`, `wholeproduct/jobs.py`).

Every app imports its task modules in `AppConfig.ready()`, so each name is registered in every
process (web, worker, tests); an unknown name fails at once with `KeyError`, never silently.
Tests that patch `some_task.delay` patch the same object this returns.
"""

from __future__ import annotations

from typing import Any

from celery import Task, current_app


def task(name: str) -> Task[Any, Any]:
    """The task registered under `name` (e.g. "roles.commit_import"), to `.delay` or `.apply_async`."""
    return current_app.tasks[name]
