"""Celery tasks of the organization side. Thin: ids in, one service call (STYLE §5)."""

from __future__ import annotations

from celery import shared_task

from wholeproduct.task_limits import task_options

from .services import disruptions, imports


@shared_task(name="roles.commit_import", ignore_result=True, **task_options("roles.commit_import"))
def commit_import(job_id: int) -> None:
    """Write a previewed org-chart import; idempotent (the service claims the job first)."""
    imports.run_queued_import(job_id=job_id)


@shared_task(name="roles.apply_due_disruptions", ignore_result=True)
def apply_due_disruptions() -> int:
    """Apply planned disruptions whose date has come (every few minutes; idempotent)."""
    return disruptions.apply_due_disruptions()
