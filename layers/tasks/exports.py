"""Report export tasks (issue 15 item 9): thin, an id in, one service call, idempotent by claim."""

from __future__ import annotations

from celery import shared_task

from layers.services import exports as services

from .reports import RETRY

__all__ = ["build_export"]


@shared_task(
    name="layers.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    ignore_result=True,
    **RETRY,
)
def build_export(job_id: int) -> None:
    """Build one export job's file; a second delivery finds the job claimed and does nothing."""
    services.run_export(job_id=job_id)
