"""The heavy jobs of a large organization, timed (issue 9): report builds, a 20,000-row import,
and applying the playbook's suggestions to 1,000 functions. Each goes through the same service
the pages, the API, the commands and the workers call.
"""

from __future__ import annotations

import statistics
import time
import uuid
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from layers.models import CoverageReport, Product
from layers.services import mapping
from layers.services.reports import build_report
from roles.exports import PeopleExporter
from roles.models import Function, Organization
from roles.services import imports


def report_builds(organization: Organization, rounds: int = 3) -> dict[str, Any]:
    """Build a new snapshot of every product (a manual build, as the button does), `rounds` times
    interleaved (every product once a round), as pages are timed: each product's median build,
    the median and slowest of those, and the slowest single build of all."""
    samples: dict[str, list[float]] = {}
    queries = set()
    products = list(Product.objects.filter(organization=organization).order_by("name"))
    for _ in range(rounds):
        for product in products:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                build_report(
                    product_id=product.pk, trigger=CoverageReport.Trigger.MANUAL, run_key=f"bench-{uuid.uuid4()}"
                )
                samples.setdefault(product.name, []).append(time.perf_counter() - started)
            queries.add(len(captured.captured_queries))
    per_product = {name: statistics.median(times) for name, times in samples.items()}
    seconds = list(per_product.values())
    return {
        "rounds": rounds,
        "per_product_s": per_product,
        "samples_s": samples,
        "median_s": statistics.median(seconds),
        "max_s": max(seconds),  # the slowest product's median build
        "slowest_single_s": max(max(times) for times in samples.values()),
        "queries": sorted(queries),
    }


class _Undone(Exception):
    """Raised to roll back what a timed job wrote."""


def people_import(source: Organization) -> dict[str, Any]:
    """Export the large organization's people (the import format) and import the file into a
    new, empty organization: every function and person is created. Then import it again,
    which changes nothing (the plan alone). All of it is rolled back at the end, so each run
    imports beside the same tenants (runs that kept it left 20,000 people each)."""
    exported = PeopleExporter(source).render("csv")
    measured: dict[str, Any] = {}
    try:
        with transaction.atomic():  # the import's own transaction is a savepoint inside it
            measured = _import_twice(source, exported)
            raise _Undone
    except _Undone:
        pass
    return measured


def _import_twice(source: Organization, exported: Any) -> dict[str, Any]:
    slug = f"{source.slug[:30]}-import-{uuid.uuid4().hex[:6]}"
    target = Organization.objects.create(slug=slug, name=f"{source.name} (import)")
    started = time.perf_counter()
    table = imports.read_table(content=exported.content, filename=exported.filename)
    mapping_ = imports.recognize(table.headers)
    read = time.perf_counter() - started
    plan = imports.import_table(organization=target, table=table, mapping=mapping_)
    first = time.perf_counter() - started
    started = time.perf_counter()
    again = imports.import_table(
        organization=target,
        table=imports.read_table(content=exported.content, filename=exported.filename),
        mapping=mapping_,
    )
    second = time.perf_counter() - started
    return {
        "rows": len(table.rows),
        "bytes": len(exported.content),
        "organization": target.slug,
        "read_s": read,
        "seconds": first,
        "result": plan.result,
        "functions": Function.objects.filter(organization=target).count(),
        "reimport_unchanged_s": second,
        "reimport_totals": {k: again.totals[k] for k in ("create", "update", "unchanged", "error")},
    }


def apply_suggestions(organization: Organization, by: Any) -> dict[str, Any]:
    """Apply the playbook to every function of the organization on a new, unmapped product
    (deleted afterwards)."""
    product = Product.objects.create(organization=organization, slug=f"bench-{uuid.uuid4().hex[:8]}", name="Bench")
    functions = Function.objects.filter(organization=organization).count()
    started = time.perf_counter()
    suggested = mapping.suggest(product=product)
    suggest_s = time.perf_counter() - started
    try:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = mapping.apply(product=product, by=by)
            seconds = time.perf_counter() - started
    finally:
        # The organization stays as generated, so a later run can reuse it (--large), even when
        # the apply fails (an older commit's code on a newer schema left its product behind).
        product.delete()
    outcome = result.as_dict() | {"conflicts": len(result.conflicts)}  # "X already leads…", one per team
    return {
        "functions": functions,
        "suggestions": len(suggested.suggestions),
        "unmatched": len(suggested.unmatched),
        "suggest_s": suggest_s,
        "seconds": seconds,
        "queries": len(captured.captured_queries),
        "result": outcome,
    }
