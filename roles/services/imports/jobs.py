"""An import as the web pages run it: upload, map columns, preview, commit (inline or on a worker).

The job row carries the file between requests and machines; its state moves
mapping → ready | invalid → (queued →) running → done | failed. Each step that
starts work claims the job with a conditional UPDATE, so a double click or a
redelivered task never runs an import twice.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from shared.background import task
from wholeproduct.errors import Conflict, DomainError
from wholeproduct.task_limits import VISIBILITY_MARGIN, limits_of

from ...models import Function, ImportJob, Organization
from . import columns
from .planning import build_plan
from .reading import Table, read_table
from .rows import ERROR, Plan, escape_cell
from .writing import ImportChanged, ImportRejected, import_table

# Above this many rows the commit runs on a Celery worker and the page shows progress.
BACKGROUND_ROWS = 2000
PREVIEW_ERRORS_KEPT = 500
# Uploads never imported are dropped after this long: the file holds personal data.
ABANDONED_AFTER = timedelta(days=7)
State = ImportJob.State
logger = logging.getLogger(__name__)


# Reads -------------------------------------------------------------------------------------------


def jobs_of(organization: Organization) -> QuerySet[ImportJob]:
    # The file and the preview are large; pages load them only when they show them.
    return ImportJob.objects.filter(organization=organization).defer("content", "preview")


def job_of(organization: Organization, token: UUID | str, *, with_preview: bool = False) -> ImportJob | None:
    qs = ImportJob.objects.filter(organization=organization, token=token).select_related("created_by")
    return (qs.defer("content") if with_preview else qs.defer("content", "preview")).first()


def column_samples(job: ImportJob) -> list[list[str]]:
    """A few values of each column, to help a user recognize it when mapping."""
    table = _table(job)
    return [table.samples(index) for index in range(len(job.headers))]


def missing_columns(mapping: dict[str, int]) -> list[str]:
    return columns.missing(mapping)


def suggest_columns(headers: list[str], samples: list[list[str]]) -> dict[str, int]:
    return columns.suggest(headers, samples)


def runs_in_background(job: ImportJob) -> bool:
    return job.row_count > BACKGROUND_ROWS


def progress_of(job: ImportJob) -> dict[str, Any]:
    """How far a commit has come: {label, percent}, shared through the cache by the worker."""
    if job.state == State.DONE:
        return {"label": "Done", "percent": 100}
    if job.state == State.QUEUED:
        return {"label": "Waiting for a worker", "percent": 0}
    if job.state != State.RUNNING:
        return {"label": job.get_state_display(), "percent": 0}
    return cache.get(_progress_key(job), {"label": "Starting", "percent": 0})


# Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def start_import(
    *, organization: Organization, by: AbstractBaseUser | None, filename: str, content: bytes
) -> ImportJob:
    """Read an upload and keep it as a job with its preview; a file that cannot be read is refused.

    Raises ImportFileError (nothing written) for an unreadable file.
    """
    table = read_table(content=content, filename=filename)
    _forget_abandoned(organization)
    job = ImportJob(
        organization=organization,
        created_by=by if by is not None and by.is_authenticated else None,
        filename=filename[-255:],
        file_format=table.file_format,
        size=len(content),
        content=content,
        headers=list(table.headers),
        mapping=columns.recognize(table.headers),
        row_count=len(table.rows),
    )
    if columns.missing(job.mapping):
        job.state = State.MAPPING
        job.save()
        return job
    _store_preview(job, _plan(job, table), table)
    job.save()
    return job


@transaction.atomic
def choose_columns(*, job: ImportJob, mapping: dict[str, int]) -> ImportJob:
    """Use the columns a user picked and preview the import with them."""
    if job.state not in {State.MAPPING, State.READY, State.INVALID, State.FAILED}:
        raise Conflict("This import has already been committed; upload the file again to change its columns.")
    job.mapping = columns.check(mapping, job.headers)
    table = _table(job)
    _store_preview(job, _plan(job, table), table)
    job.save(update_fields=["mapping", "preview", "state", "error", "updated_at"])
    return job


@transaction.atomic
def choose_joins(*, job: ImportJob, separate: Iterable[str]) -> ImportJob:
    """Keep the named department labels as functions of their own instead of joining existing ones."""
    if job.state not in {State.READY, State.INVALID, State.FAILED}:
        raise Conflict("This import has already been committed; upload the file again to change it.")
    offered = {join["label"].casefold(): join["label"] for join in job.preview.get("joins", [])}
    kept = set(job.options.get("separate", []))
    unknown = [label for label in separate if label.casefold() not in offered and label not in kept]
    if unknown:
        raise DomainError(f"{unknown[0]} is not a department this import joins to a function.")
    job.options = job.options | {"separate": sorted(set(separate), key=str.casefold)}
    table = _table(job)
    _store_preview(job, _plan(job, table), table)
    job.save(update_fields=["options", "preview", "state", "error", "updated_at"])
    return job


def rejected_csv(job: ImportJob) -> bytes:
    """The rows with errors as the file had them, plus a Reason column: to fix and import again."""
    reasons = {row[0]: " ".join(row[7]) for row in job.preview.get("rows", []) if row[1] == ERROR}
    return rejected_csv_of(_table(job), reasons)


def rejected_csv_of(table: Table, reasons: dict[int, str]) -> bytes:
    """CSV (UTF-8 with BOM, formula-escaped like the people export) of the rows `reasons` names."""
    width = len(table.headers)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_cell(h) for h in (*table.headers, "Reason")])
    for row in table.rows:
        if row.number in reasons:
            cells = [*row.cells[:width], *[""] * (width - len(row.cells)), reasons[row.number]]
            writer.writerow([escape_cell(str(value)) for value in cells])
    return buffer.getvalue().encode("utf-8-sig")


def commit_import(*, job: ImportJob, skip_invalid: bool = False) -> ImportJob:
    """Commit a previewed import now, in this process (small files).

    Not atomic as a whole on purpose: the claim must be visible to other requests
    at once; the import itself is one transaction (writing.import_table).
    `skip_invalid`: import the good rows of a file with errors and leave the others out.
    """
    _claim(job, from_states=_committable(job, skip_invalid), to_state=State.RUNNING, skip_invalid=skip_invalid)
    _run(job)
    return job


def queue_import(*, job: ImportJob, skip_invalid: bool = False) -> ImportJob:
    """Hand a previewed import to a worker; the page follows its progress."""
    _claim(job, from_states=_committable(job, skip_invalid), to_state=State.QUEUED, skip_invalid=skip_invalid)
    job_id = job.pk

    def send() -> None:
        try:
            task("roles.commit_import").delay(job_id)
        except BrokerUnreachable:
            logger.exception("Could not queue import job %s", job_id)
            ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
                state=State.READY, error="The background worker could not be reached; nothing was imported. Try again."
            )

    transaction.on_commit(send)
    return job


def run_queued_import(*, job_id: int) -> None:
    """The worker's side of `queue_import`. Does nothing if another worker has the job."""
    # A job left "running" longer than a task may live was lost with its worker;
    # its transaction was rolled back, so running it again is safe.
    lost = timezone.now() - timedelta(seconds=limits_of("roles.commit_import").hard + VISIBILITY_MARGIN)
    claimable = Q(state=State.QUEUED) | Q(state=State.RUNNING, updated_at__lt=lost)
    if not ImportJob.objects.filter(claimable, pk=job_id).update(state=State.RUNNING, updated_at=timezone.now()):
        return
    # The preview of 100,000 rows is ~100 MB as Python objects: the worker needs only its fingerprint.
    job = ImportJob.objects.select_related("organization").defer("content", "preview").get(pk=job_id)
    try:
        _run(job)
    except DomainError:
        return  # recorded on the job, which the page shows; not a task failure


def _forget_abandoned(organization: Organization) -> None:
    waiting = [State.MAPPING, State.READY, State.INVALID, State.FAILED]
    cutoff = timezone.now() - ABANDONED_AFTER
    ImportJob.objects.filter(organization=organization, state__in=waiting, updated_at__lt=cutoff).delete()
    # Files kept to hand back their rejected rows go too, after the same while.
    done = ImportJob.objects.filter(organization=organization, state=State.DONE, finished_at__lt=cutoff)
    done.filter(result__rejected__gt=0).update(content=b"")


def _committable(job: ImportJob, skip_invalid: bool) -> list[str]:
    # A file with errors is committed only when the user chose to leave the bad rows out.
    return [State.READY, State.FAILED, *([State.INVALID] if skip_invalid else [])]


def _claim(job: ImportJob, *, from_states: Iterable[str], to_state: str, skip_invalid: bool = False) -> None:
    options = job.options | {"skip_invalid": skip_invalid}
    claimed = ImportJob.objects.filter(pk=job.pk, state__in=list(from_states)).update(
        state=to_state, error="", options=options, updated_at=timezone.now()
    )
    if not claimed:
        job.refresh_from_db(fields=["state"])
        raise Conflict(_why_not_committable(job))
    job.state = to_state
    job.error = ""
    job.options = options


def _why_not_committable(job: ImportJob) -> str:
    if job.state in {State.QUEUED, State.RUNNING}:
        return "This import is already running."
    if job.state == State.DONE:
        return "This file has already been imported."
    if job.state == State.MAPPING:
        return "Choose the columns first."
    return (
        "The file has rows with errors: fix them and upload it again, "
        "or tick “Import the other rows” to leave them out."
    )


def _run(job: ImportJob) -> None:
    started = time.monotonic()
    key = _progress_key(job)

    def report(label: str, done: int, total: int) -> None:
        # Reading and checking take about the first fifth; writing the rest.
        percent = 20 + (80 * done // total if total else 80)
        cache.set(key, {"label": f"{label}: {done:,} of {total:,}", "percent": percent}, 3600)

    cache.set(key, {"label": "Reading and checking the file", "percent": 5}, 3600)
    try:
        # Only the columns the import reads: the others would cost memory and change nothing.
        used = set(job.mapping.values()) | {
            c for extra in columns.alternates(job.headers, job.mapping).values() for c in extra
        }
        table = _table(job, keep=used)
        plan = import_table(
            organization=job.organization,
            table=table,
            mapping=job.mapping,
            expected_fingerprint=_fingerprint(job),
            progress=report,
            separate=job.options.get("separate", []),
            skip_invalid=bool(job.options.get("skip_invalid")),
            by=job.created_by,
        )
    except (ImportChanged, ImportRejected) as exc:
        _store_preview(job, exc.plan, table)
        job.error = exc.detail
        job.save(update_fields=["preview", "state", "error", "updated_at"])
        raise
    except DomainError as exc:
        _finish(job, State.FAILED, error=exc.detail)
        raise
    except Exception:
        _finish(job, State.FAILED, error="The import stopped unexpectedly; nothing was imported. Try again.")
        raise
    job.result = plan.result | {"seconds": round(time.monotonic() - started, 2)}
    # The people are in the database now; the file is kept only to hand back its rejected rows.
    keep = plan.result.get("rejected", 0) > 0
    if not keep:
        job.content = b""
    _finish(job, State.DONE, drop_content=not keep)


def _finish(job: ImportJob, state: str, *, error: str = "", drop_content: bool = False) -> None:
    job.state = state
    job.error = error
    job.finished_at = timezone.now()
    fields = ["state", "error", "finished_at", "result", "updated_at"]
    job.save(update_fields=[*fields, "content"] if drop_content else fields)
    cache.delete(_progress_key(job))


def _progress_key(job: ImportJob) -> str:
    return f"import-progress:{job.token}"


def _table(job: ImportJob, keep: set[int] | None = None) -> Table:
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    return read_table(content=bytes(content), filename=job.filename, keep=keep)


def _fingerprint(job: ImportJob) -> str | None:
    if "preview" not in job.get_deferred_fields():
        return job.preview.get("fingerprint")
    return ImportJob.objects.filter(pk=job.pk).values_list("preview__fingerprint", flat=True).get()


def _plan(job: ImportJob, table: Table) -> Plan:
    separate = job.options.get("separate", [])
    return build_plan(organization=job.organization, table=table, mapping=job.mapping, separate=separate)


def _store_preview(job: ImportJob, plan: Plan, table: Table) -> None:
    """Keep what the preview page shows, compactly: one short list per row."""
    job.preview = {
        "fingerprint": plan.fingerprint,
        "totals": plan.totals,
        "encoding": table.encoding,
        "encoding_guessed": table.encoding_guessed,
        "ignored": plan.ignored,
        "joins": [{"label": j.label, "function": j.function, "kind": j.kind, "reason": j.reason} for j in plan.joins],
        "separate": list(job.options.get("separate", [])),
        "errors": plan.errors[:PREVIEW_ERRORS_KEPT],
        "functions": [
            {
                "name": f.name,
                "state": f.state,
                "category": f.category,
                "category_label": Function.Category(f.category).label,
                "parent": f.parent,
                "changes": f.changes,
                "reason": f.reason,
            }
            for f in sorted(plan.functions.values(), key=lambda f: f.name.lower())
            if f.state != "unchanged"
        ],
        "rows": [
            [r.number, r.state, r.full_name, r.email, r.title or "", r.function, r.changes, r.errors, r.manager_cell]
            for r in plan.rows
        ],
    }
    job.state = State.READY if plan.ok else State.INVALID
    job.error = ""
