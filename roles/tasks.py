"""Celery tasks of the organization side. Thin: ids in, one service call (STYLE §4)."""

from __future__ import annotations

import smtplib

from celery import shared_task

from wholeproduct.task_limits import task_options

from .services import disruptions, imports, invites

TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 60, "max_retries": 5}


@shared_task(name="roles.commit_import", ignore_result=True, **task_options("roles.commit_import"))
def commit_import(job_id: int) -> None:
    """Write a previewed org-chart import; idempotent (the service claims the job first)."""
    imports.run_queued_import(job_id=job_id)


@shared_task(name="roles.apply_due_disruptions", ignore_result=True)
def apply_due_disruptions() -> int:
    """Apply planned disruptions whose date has come (every few minutes; idempotent)."""
    return disruptions.apply_due_disruptions()


@shared_task(name="roles.fold_state_changes", ignore_result=True)
def fold_state_changes() -> int:
    """Fold the state cache's rows, one per organization (hourly; the versions are unchanged), the
    row counts' (roles.rowcounts), one per organization and table, and the web's link sums
    (roles.linkcounts), one per key, the checks that became old by today written as such."""
    from . import linkcounts, rowcounts, statecache

    rowcounts.fold_all()
    if linkcounts.installed():
        linkcounts.fold()
    return statecache.fold_all() if statecache.installed() else 0


# Named "layers.…" since issue 4, when it lived there: the name is what queued messages carry.
@shared_task(name="layers.send_invites", ignore_result=True, **RETRY)
def send_invites(items: list[list[int]], base_url: str) -> int:
    """Send invite emails; `items` are [invite id, send_count when queued] pairs."""
    sent = 0
    for invite_id, expected_count in items:
        sent += invites.invite_deliver(invite_id=invite_id, expected_count=expected_count, base_url=base_url)
    return sent
