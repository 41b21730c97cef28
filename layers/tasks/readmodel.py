"""The read model's nightly check (issue 13 item 7): thin, one service call."""

from __future__ import annotations

from celery import shared_task

from layers.readmodel import oracle

__all__ = ["check_read_model"]


@shared_task(name="layers.check_read_model", ignore_result=True)
def check_read_model(sample: int = 20) -> int:
    """Compare live coverage with the oracle on a sample of products; log drift (repair is
    `manage.py rebuild_read_model`). Returns the number of differences."""
    return len(oracle.nightly_check(sample=sample))
