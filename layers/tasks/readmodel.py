"""The read model's nightly check (issue 13 item 7) and the hourly fold of its kept suggestion
counts: thin, one service call each."""

from __future__ import annotations

from celery import shared_task

from layers.readmodel import oracle, suggestioncounts

__all__ = ["check_read_model", "fold_suggestion_counts"]


@shared_task(name="layers.check_read_model", ignore_result=True)
def check_read_model(sample: int = 20) -> int:
    """Compare live coverage with the oracle on a sample of products; log drift (repair is
    `manage.py rebuild_read_model`). Returns the number of differences."""
    return len(oracle.nightly_check(sample=sample))


@shared_task(name="layers.fold_suggestion_counts", ignore_result=True)
def fold_suggestion_counts() -> int:
    """Fold every product's kept suggestion counts to one row per key, those summing to nothing
    (a deleted product's) dropped (hourly; a read folds its product's past 128 rows). Returns the
    rows left."""
    return suggestioncounts.fold() if suggestioncounts.installed() else 0
