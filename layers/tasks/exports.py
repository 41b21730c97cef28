"""Report export tasks (issue 15 item 9): thin, an id in, one service call, idempotent by claim."""

from __future__ import annotations

import logging

from celery import shared_task
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from layers.models import CoverageReport, ExportJob
from layers.services import exports as services
from wholeproduct.task_limits import task_options

from .reports import RETRY

__all__ = ["build_export", "start_export"]

logger = logging.getLogger(__name__)


@shared_task(
    name="layers.build_export",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    **task_options("layers.build_export"),
    **RETRY,
)
def build_export(job_id: int) -> None:
    """Build one export job's file; a second delivery finds the job claimed and does nothing."""
    services.run_export(job_id=job_id)


def start_export(*, report: CoverageReport, file_format: str, table: str = "", by: AbstractBaseUser) -> ExportJob:
    """Ask for an export (the page and the API): a new job is queued once its row is committed."""
    job, created = services.request_export(report=report, file_format=file_format, table=table, by=by)
    if created:
        transaction.on_commit(lambda: _send(job.pk))
    return job


def _send(job_id: int) -> None:
    try:
        build_export.delay(job_id)
    except BrokerUnreachable:
        logger.exception("Could not queue export job %s", job_id)
        services.unreachable(job_id=job_id)
