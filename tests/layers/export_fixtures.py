"""Fixtures of the export-job tests (page and API): the scenario's report, and the same report
counted as large so its PDF and XLSX go to the worker. Import them into a test module."""

from __future__ import annotations

import pytest

from .reports_scenario import build, insights


@pytest.fixture
def report(org):
    return build(insights(org).product)


@pytest.fixture
def large(settings, report):
    """Every report counts as large: its PDF and XLSX are built by the worker."""
    settings.EXPORT_INLINE_MAX_ROWS = 0
    return report
