"""Coverage report builds (issue 5): one immutable snapshot per product and run.

- `build_report` computes DESIGN §4 for one product and stores it once per `run_key`: a task
  delivered twice, or retried after its worker died, finds the snapshot of its first run.
- `request_build` queues one build task per product (the pages and the API call it).
- `claim_scheduled_builds` is the beat dispatcher's half: it claims each product's build for a
  schedule slot with a conditional insert, so two dispatchers running at once queue it once.
- `retry_failed_builds` queues again the builds of a job that failed (a lost worker's, failed
  by the sweep of `STUCK_BUILDS`, or one that raised).
"""

from __future__ import annotations

import heapq
import json
import operator
import re
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

import orjson
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, JSONField, OuterRef, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django_celery_results.models import TaskResult

from domain.coverage.result import COUNT_FIELDS, Coverage, Severity
from domain.coverage.rows import LAYERS, FunctionRow
from layers.models import CoverageReport, Product
from layers.readmodel.read import LiveCoverage, live_coverage
from roles.models import Organization
from shared.background import task
from shared.collector import collector_paused
from wholeproduct import jobs
from wholeproduct.errors import DomainError, NotFound

from ..selectors.coverage import LOST_BUILD, job_key, job_progress
from ..selectors.rings import PER_RING

TRIGGERS = tuple(CoverageReport.Trigger.values)
RUN_KEY_MAX = CoverageReport._meta.get_field("run_key").max_length
SLOT_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
BUILD_TASK = "layers.build_report"
JOB_TTL = 24 * 60 * 60  # how long a build's progress can be polled


def build_report(*, product_id: int, trigger: str, run_key: str, by: Any = None) -> CoverageReport:
    """The snapshot of `product_id` for the run `run_key`, built now unless it exists already.

    The rows are read and the numbers computed before the one write, outside a transaction:
    under SQLite an open transaction holds the database's write lock, and a build of a large
    organization should not keep the web process waiting. A build that raises anywhere before
    or during that write leaves no snapshot.
    """
    _check_trigger(trigger)
    _check_run_key(run_key)
    existing = CoverageReport.objects.filter(product_id=product_id, run_key=run_key).first()
    if existing is not None:
        return existing
    product = Product.objects.select_related("organization").filter(pk=product_id).first()
    if product is None:
        raise NotFound(f"There is no product {product_id} to report on: it may have been deleted.")
    started = time.perf_counter()
    now = timezone.now()
    # A copy of the live read model, not a second computation: a report built right after any
    # change equals the live coverage endpoint on every figure (DESIGN §4). The collector stays
    # paused through the write too: packing 12,000 gaps right after making them ran some 17
    # collections a build, now and then one over the whole process (30 builds at 5,000 functions:
    # 512 collections, 4 of them full, against 30 and none; the slowest build 0.26-0.35 s against
    # 0.24-0.28 s over four paired runs, the medians within this machine's noise).
    with collector_paused():
        rows = live_coverage(product, now=now)
        fields = snapshot_fields(product=product, coverage=rows.coverage, rows=rows)
        fields |= {
            "organization_id": product.organization_id,
            "trigger": trigger,
            "generated_at": now,
            "requested_by_id": _user_id(by),
            "duration_ms": round(1000 * (time.perf_counter() - started)),
        }
        return _store_once(product_id=product.pk, run_key=run_key, fields=fields)


@transaction.atomic
def _store_once(*, product_id: int, run_key: str, fields: dict[str, Any]) -> CoverageReport:
    # get_or_create inserts in a savepoint and reads the row back when a concurrent run of
    # the same task won the unique (product, run_key): both return the one snapshot.
    written = fields | _encoded(fields)
    report, created = CoverageReport.objects.get_or_create(product_id=product_id, run_key=run_key, defaults=written)
    if created:  # the instance holds the values written, not the expressions that wrote them
        for name in ("layers", "data"):
            setattr(report, name, fields[name])
        # The gaps were packed from their `Gap`s; as a deferred field they are read back only if
        # asked for (`report.gaps`), as the stored dicts.
        del report.__dict__["gaps"]
    return report


def _encoded(fields: dict[str, Any]) -> dict[str, Cast]:
    """`layers` and `data` as JSON text, each encoded once and cast to jsonb, which keeps the
    values, not the text: the stored rows equal those JSONField would write. orjson encodes them
    five times faster than `json.dumps`; its text is compact UTF-8, which PostgreSQL parses as fast
    as the longer escaped text. The gaps are packed by their own field (shared/packed.py)."""
    return {
        name: Cast(Value(orjson.dumps(fields[name]).decode()), output_field=JSONField()) for name in ("layers", "data")
    }


def snapshot_fields(*, product: Product, coverage: Coverage, rows: LiveCoverage) -> dict[str, Any]:
    """The columns of a CoverageReport for `coverage`. `data` keeps the rest of the result (the
    figures and counts) plus the product and the rings as they stood (who sat on which layer), so
    a past snapshot draws its own picture. The layers and gaps are in their own columns only: at
    5,000 functions a second copy inside `data` was 3.4 of its 4.3 MB and half of a build's time.
    `gaps` holds the `Gap`s themselves: orjson writes a dataclass as its fields in order, which are
    `Gap.to_dict()`'s keys and values (tested), without 11,800 dicts made first (10 ms)."""
    result = coverage.to_dict(gaps=False)
    layers, gaps = result.pop("layers"), coverage.gaps
    return {
        "score": coverage.score,
        "layer_coverage": coverage.layer_coverage,
        "function_coverage": coverage.function_coverage,
        "review_coverage": coverage.review_coverage,
        "agreement": coverage.agreement,
        "layers": layers,
        "gaps": gaps,
        "totals": totals_of(coverage, rows),
        "data": result | {"product": {"name": product.name, "slug": product.slug}, "rings": _rings(rows)},
    }


def totals_of(coverage: Coverage, rows: LiveCoverage) -> dict[str, int]:
    """The `totals` of a snapshot: the counts, people and gaps (`totals`)."""
    by_severity = Counter(map(_severity_of, coverage.gaps))  # 11,800 gaps at 5,000 functions
    return totals(coverage, people=rows.people, gaps_by_severity={str(s): n for s, n in by_severity.items()})


_severity_of = operator.attrgetter("severity")


def totals(coverage: Coverage, *, people: int, gaps_by_severity: Mapping[str, int]) -> dict[str, int]:
    """The `totals` of a snapshot and of the live coverage endpoint (which holds a page of the gaps
    and counts them all): the counts, the people, and the gaps in all and per severity."""
    by_severity = {str(s): gaps_by_severity.get(str(s), 0) for s in Severity}
    counts = {name: getattr(coverage, name) for name in COUNT_FIELDS}  # to_dict()'s "counts"
    return (
        counts
        | {"people": people, "gaps": sum(by_severity.values())}
        | {f"gaps_{severity}": n for severity, n in by_severity.items()}
    )


def _rings(rows: LiveCoverage) -> list[dict[str, Any]]:
    """Each ring as the snapshot's picture draws it: the `PER_RING` members the picture shows first
    (lead first, then by name) and how many more it held (`more`), which the picture counts. Every contributor is
    named in the `layers` column already; a second whole list here was 0.8 MB and 17 ms of a build
    at 5,000 functions."""
    functions, external = rows.functions, rows.external_function_ids
    found: dict[str, list[tuple[FunctionRow, bool]]] = {spec.key: [] for spec in LAYERS}
    for a in rows.assignments:
        f, ring = functions.get(a.function_id), found.get(a.layer_key)
        if f is not None and ring is not None:
            ring.append((f, a.emphasis == "lead"))
    stored = []
    for spec in LAYERS:
        ring = found[spec.key]
        # The ones the picture draws first (domain.rings.layout._ordered: lead, category, name), so
        # the stored picture is the one drawn with every member; kept in the snapshot's own order.
        # Only those are written out (6,000 members at 5,000 functions, 240 kept).
        kept = heapq.nsmallest(PER_RING, ring, key=_picture_order) if len(ring) > PER_RING else ring
        members = [
            {
                "function_id": f.id,
                "name": f.name,
                "category": f.category,
                "is_external": f.id in external,
                "is_lead": lead,
            }
            for f, lead in kept
        ]
        stored.append(
            {
                "key": spec.key,
                "name": spec.name,
                "ring": spec.ring,
                "members": sorted(members, key=_member_order),
                "more": len(ring) - len(kept),
            }
        )
    return stored


def _member_order(member: dict[str, Any]) -> tuple[bool, str]:
    return not member["is_lead"], member["name"].casefold()


def _picture_order(member: tuple[FunctionRow, bool]) -> tuple[bool, str, str]:
    f, lead = member
    return not lead, f.category, f.name.lower()


# --- queueing -----------------------------------------------------------------------------------


def request_build(
    *, organization: Organization, product: Product | None = None, trigger: str, by: Any = None
) -> list[str]:
    """Queue a build of `product` (or of every product of `organization`); return the task ids.

    The tasks are sent when the caller's transaction commits, each with an id chosen here, which
    is also its run key: a redelivered message finds the snapshot its first delivery made. The
    first id names the job whose progress a page can poll (`selectors_coverage.job_progress`).
    """
    _check_trigger(trigger)
    if product is not None and product.organization_id != organization.pk:
        raise NotFound("No such product.")
    product_ids = [product.pk] if product else list(organization.products.order_by("name").values_list("pk", flat=True))
    if not product_ids:
        raise DomainError(f"{organization.name} has no product to report on yet: create one first.")
    return _queue_builds(organization=organization, product_ids=product_ids, trigger=trigger, by=by)


def retry_failed_builds(*, organization: Organization, job_id: str, by: Any = None) -> list[str]:
    """Queue again, as a new job, the builds of `job_id` that failed; return the new task ids."""
    job = job_progress(organization_id=organization.pk, job_id=job_id)
    if job is None:
        raise NotFound("No such build, or it finished more than a day ago.")
    product_ids = [task.product.pk for task in job.failed if task.product is not None]
    if not product_ids:
        raise DomainError("Nothing to retry: no build of this run failed.")
    return _queue_builds(
        organization=organization, product_ids=product_ids, trigger=CoverageReport.Trigger.MANUAL, by=by
    )


def _queue_builds(*, organization: Organization, product_ids: list[int], trigger: str, by: Any) -> list[str]:
    user_id = _user_id(by)
    task_ids = []
    for product_id in product_ids:
        task_id = str(uuid.uuid4())
        kwargs = {"product_id": product_id, "trigger": trigger, "requested_by_id": user_id}
        transaction.on_commit(partial(task("layers.build_report").apply_async, kwargs=kwargs, task_id=task_id))
        task_ids.append(task_id)
    # A row per build from the start, so a build whose message is lost before a worker starts it
    # is still seen by the sweep (STUCK_BUILDS) rather than shown as queued forever.
    TaskResult.objects.bulk_create(
        [TaskResult(task_id=task_id, status="PENDING", task_name=BUILD_TASK) for task_id in task_ids],
        ignore_conflicts=True,
    )
    _remember_job(organization_id=organization.pk, task_ids=task_ids, product_ids=product_ids)
    return task_ids


def _remember_job(*, organization_id: int, task_ids: list[str], product_ids: list[int]) -> None:
    record = {"organization_id": organization_id, "tasks": [list(p) for p in zip(task_ids, product_ids, strict=True)]}
    cache.set(job_key(task_ids[0]), record, JOB_TTL)


# --- the schedule -------------------------------------------------------------------------------


def schedule_run_key(*, now: datetime, slot: str = "") -> str:
    """`schedule:<date>:<slot>`. The slot defaults to the hour the dispatcher runs in, so the
    nightly run and any other time an admin schedules each get their own run, while two
    dispatches of the same run (two beats, a redelivery) share one."""
    local = timezone.localtime(now)
    slot = slot or f"{local:%H}h"
    if not SLOT_PATTERN.match(slot):
        raise DomainError(f"A schedule slot is up to 40 letters, digits, - or _, not {slot!r}.")
    return f"schedule:{local:%Y-%m-%d}:{slot}"


def claim_scheduled_builds(*, run_key: str) -> list[tuple[int, str]]:
    """Claim every product's build for the scheduled run `run_key`; return the (product id,
    task id) pairs this call won.

    The claim is a conditional insert: the task's result row (django-celery-results), whose
    `task_id` is unique and derived from the run and the product. Of two dispatchers running
    at once, one inserts it and queues the build; the other finds it and moves on. Products
    that already have the run's snapshot are skipped without a claim.
    """
    _check_run_key(run_key)
    done = CoverageReport.objects.filter(run_key=run_key).values("product_id")
    claimed = []
    for product_id in Product.objects.exclude(pk__in=done).order_by("pk").values_list("pk", flat=True):
        task_id = f"{run_key}:{product_id}"
        kwargs = {"product_id": product_id, "trigger": CoverageReport.Trigger.SCHEDULE, "run_key": run_key}
        _, created = TaskResult.objects.get_or_create(
            task_id=task_id,
            defaults={"status": "PENDING", "task_name": BUILD_TASK, "task_kwargs": json.dumps(kwargs)},
        )
        if created:
            claimed.append((product_id, task_id))
    return claimed


# --- lost builds ---------------------------------------------------------------------------------


def _lost_build(now: datetime, reason: str) -> dict[str, Any]:
    """A build's result row as the sweep leaves it: failed, with the reason the page shows."""
    error = {"exc_type": LOST_BUILD, "exc_message": [reason], "exc_module": __name__}
    return {"status": "FAILURE", "result": json.dumps(error), "traceback": reason, "date_done": now}


# A build with its snapshot is done, whatever its row says (an eager run stores no result).
_BUILT = Q(Exists(CoverageReport.objects.filter(run_key=OuterRef("task_id"))))
STUCK_BUILDS = jobs.Stuck(
    model=TaskResult,
    task=BUILD_TASK,
    since="date_done",  # django-celery-results moves it at every state: queued, started, retried
    running=Q(task_name=BUILD_TASK, status__in=["STARTED", "RETRY"]) & ~_BUILT,
    waiting=Q(task_name=BUILD_TASK, status="PENDING") & ~_BUILT,
    failed=_lost_build,
)


# --- checks -------------------------------------------------------------------------------------


def _check_trigger(trigger: str) -> None:
    if trigger not in TRIGGERS:
        raise DomainError(f"Unknown trigger {trigger!r}; use one of {', '.join(TRIGGERS)}.")


def _check_run_key(run_key: str) -> None:
    if not run_key or len(run_key) > RUN_KEY_MAX:
        raise DomainError(f"A run key is 1 to {RUN_KEY_MAX} characters, got {len(run_key or '')}.")


def _user_id(by: Any) -> int | None:
    """Accept a user or a user id: tasks carry ids, pages hold users."""
    if by is None:
        return None
    return getattr(by, "pk", by)
