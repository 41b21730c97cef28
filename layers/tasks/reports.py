"""Report build tasks (issue 5): thin wrappers around layers.services.reports.

- `build_report` builds one product's snapshot. Its run key is its own task id (or the schedule
  slot it was queued for), so a message delivered twice or retried finds the first snapshot.
  Only transient database errors are retried, with exponential backoff.
- `build_all_reports` is what beat runs nightly (the PeriodicTask of migration 0005): it claims
  the schedule slot's builds product by product and queues one `build_report` per claim.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from layers.services import reports as services
from wholeproduct.errors import NotFound
from wholeproduct.task_limits import task_options

__all__ = ["build_all_reports", "build_report"]

logger = logging.getLogger(__name__)

# A lost connection or a locked SQLite file heals by itself; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)
RETRY = {
    "autoretry_for": TRANSIENT,
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(
    bind=True,
    name="layers.build_report",
    acks_late=True,
    reject_on_worker_lost=True,
    **task_options("layers.build_report"),
    **RETRY,
)
def build_report(
    self, product_id: int, trigger: str = "manual", requested_by_id: int | None = None, run_key: str = ""
) -> int | None:
    """Build one product's snapshot; return its id (None when the product is gone)."""
    try:
        report = services.build_report(
            product_id=product_id, trigger=trigger, run_key=run_key or self.request.id, by=requested_by_id
        )
    except NotFound as error:
        # Deleted between the click and the run: nothing to build, nothing to retry.
        logger.info("Report build skipped: %s", error.detail)
        return None
    return report.pk


@shared_task(
    bind=True,
    name="layers.build_all_reports",
    acks_late=True,
    reject_on_worker_lost=True,
    **task_options("layers.build_all_reports"),
    **RETRY,
)
def build_all_reports(self, slot: str = "") -> int:
    """Fan out one build per product of every organization for this schedule slot; return how
    many this run queued (0 when another dispatcher claimed them first)."""
    run_key = services.schedule_run_key(now=timezone.now(), slot=slot)
    claimed = services.claim_scheduled_builds(run_key=run_key)
    for product_id, task_id in claimed:
        build_report.apply_async(
            kwargs={"product_id": product_id, "trigger": "schedule", "run_key": run_key}, task_id=task_id
        )
    logger.info("Queued %d report build(s) for %s", len(claimed), run_key)
    return len(claimed)
