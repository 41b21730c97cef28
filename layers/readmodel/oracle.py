"""Check and repair the read model against the oracle (`rebuild_read_model`, the nightly check).

Two comparisons, both reported as readable lines:

- the stored rows (pairs, counters, the playbook's suggestions) against a rebuild from raw rows, run in a savepoint
  that a check rolls back and a repair keeps;
- each product's live coverage (`read.live_coverage`) against the pure computation from raw
  rows (`domain.coverage.compute.compute_coverage`), figure by figure and gap by gap.

A repair runs in one transaction per organization under the products' row locks, so pages keep
reading the old rows until it commits: no downtime.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from roles import linkcounts, rowcounts
from roles.models import Organization

from ..models import Product
from ..selectors.coverage import coverage_input
from . import hooks, suggestioncounts
from .read import live_coverage
from .tables import (
    CellCounts,
    FeedbackLoopRow,
    FunctionCounts,
    LayerCounts,
    ProductCounts,
    ReviewPair,
    SuggestionRow,
)

log = logging.getLogger(__name__)

# What each table is keyed by, and which columns hold its state (ids and `as_of` are not state).
_TABLES: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("pair", ReviewPair, ("assignment_id", "stakeholder_id")),
    ("cell", CellCounts, ("assignment_id",)),
    ("function", FunctionCounts, ("product_id", "function_id")),
    ("layer", LayerCounts, ("product_id", "layer_id")),
    ("product", ProductCounts, ("product_id",)),
    ("suggestion", SuggestionRow, ("product_id", "function_id", "layer_id")),
    ("feedback loop", FeedbackLoopRow, ("product_id", "partnership_id")),
)


@dataclass
class Report:
    organization: str
    differences: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.differences


class _Rollback(Exception):
    pass


def _state(organization_id: int) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    out: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for name, model, key in _TABLES:
        columns = [f.attname for f in model._meta.concrete_fields if f.attname not in ("id", "as_of")]
        rows = model.objects.filter(organization_id=organization_id).values(*columns)
        out[name] = {tuple(row[k] for k in key): row for row in rows.iterator(chunk_size=5000)}
    return out


def _table_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    for name, _, _ in _TABLES:
        old, new = before[name], after[name]
        for key in sorted(old.keys() | new.keys(), key=repr):
            label = f"{name} {'x'.join(map(str, key))}"
            if key not in new:
                lines.append(f"{label}: stored but should not exist")
            elif key not in old:
                lines.append(f"{label}: missing")
            else:
                changed = [f"{c} {old[key][c]!r} -> {new[key][c]!r}" for c in new[key] if old[key][c] != new[key][c]]
                if changed:
                    lines.append(f"{label}: " + ", ".join(changed))
    return lines


def coverage_differences(product: Product, *, now: datetime | None = None) -> list[str]:
    """Live coverage against the oracle on raw rows, for one product."""
    now = now or timezone.now()
    live = live_coverage(product, now=now).coverage.to_dict()
    oracle = coverage_input(product_id=product.pk, organization_id=product.organization_id).compute(now=now).to_dict()
    return [f"product {product.slug}: {line}" for line in _dict_differences(oracle, live, "")]


def _dict_differences(expected: Any, actual: Any, path: str) -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        lines = []
        for key in sorted(expected.keys() | actual.keys(), key=str):
            lines += _dict_differences(expected.get(key), actual.get(key), f"{path}.{key}" if path else str(key))
        return lines
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        return [
            line
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for line in _dict_differences(e, a, f"{path}[{i}]")
        ]
    return [] if expected == actual else [f"{path}: live {actual!r}, oracle {expected!r}"]


def check_organization(organization: Organization, *, repair: bool) -> Report:
    """Every difference between the stored read model and a rebuild, and between live coverage
    and the oracle; with `repair`, the rebuild is kept."""
    report = Report(organization.slug)
    products = list(Product.objects.filter(organization=organization).order_by("slug"))
    now = timezone.now()
    for product in products:
        report.differences += coverage_differences(product, now=now)
    before = _state(organization.pk)
    try:
        with transaction.atomic():
            hooks.organization_changed(organization_id=organization.pk)
            report.differences += _table_differences(before, _state(organization.pk))
            # The row counts the database keeps (roles.rowcounts), against COUNT(*).
            drifted = rowcounts.check([organization.pk])
            report.differences += [f"{d.table}: {d.counted} rows, counted as {d.kept}" for d in drifted]
            if drifted:
                rowcounts.repair([organization.pk])
            # The web's link sums the database keeps (roles.linkcounts), against the links.
            linked = linkcounts.differences(organization.pk)
            report.differences += linked
            if linked:
                linkcounts.repair(organization.pk)
            # The suggestion counts the database keeps (readmodel.suggestioncounts), against the rows.
            suggested = suggestioncounts.differences(organization.pk)
            report.differences += suggested
            if suggested:
                suggestioncounts.repair(organization.pk)
            if not repair:
                raise _Rollback
    except _Rollback:
        pass
    return report


def nightly_check(*, sample: int = 20, seed: int | None = None) -> list[str]:
    """Compare live coverage with the oracle for a sample of products; log and return any drift."""
    ids = list(Product.objects.order_by("pk").values_list("pk", flat=True))
    chosen = random.Random(seed).sample(ids, min(sample, len(ids)))  # noqa: S311 (a sample, not a secret)
    drift: list[str] = []
    for product in Product.objects.filter(pk__in=chosen).select_related("organization"):
        lines = coverage_differences(product)
        for line in lines:
            log.warning("read model drift in %s: %s", product.organization.slug, line)
        drift += lines
    if not drift:
        log.info("read model checked on %d products: no drift", len(chosen))
    return drift


def organizations(slug: str | None) -> Iterable[Organization]:
    qs = Organization.objects.order_by("slug")
    return qs.filter(slug=slug) if slug else qs


def rebuild_everything() -> None:
    """Rebuild every organization's read model (tests and recovery; a command run uses `--org`)."""
    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        hooks.organization_changed(organization_id=organization_id)
