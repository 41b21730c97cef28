"""JSON: the snapshot as stored, with the names that make it readable on its own."""

from __future__ import annotations

from typing import Any

from layers.models import CoverageReport


def snapshot(report: CoverageReport) -> dict[str, Any]:
    return {
        "id": report.pk,
        "organization": {"slug": report.organization.slug, "name": report.organization.name},
        "product": {"id": report.product_id, "slug": report.product.slug, "name": report.product.name},
        "run_key": report.run_key,
        "trigger": report.trigger,
        "generated_at": report.generated_at.isoformat(),
        "requested_by": report.requested_by.email if report.requested_by else None,
        "score": report.score,
        "layer_coverage": report.layer_coverage,
        "function_coverage": report.function_coverage,
        "review_coverage": report.review_coverage,
        "agreement": report.agreement,
        "layers": report.layers,
        "gaps": report.gaps,
        "totals": report.totals,
        "data": report.data,
        "duration_ms": report.duration_ms,
    }
