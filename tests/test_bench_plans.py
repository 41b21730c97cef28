"""bench/plans.py: a statement's planning and running time, as PostgreSQL reports them."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.plans import _reads, plan_and_run

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN (ANALYZE, SUMMARY) is PostgreSQL's")
def test_it_times_planning_and_running_a_statement(org):
    with connection.cursor() as cursor:
        timed = plan_and_run(cursor, "SELECT id FROM roles_function\n WHERE organization_id = %s", [org.pk], rounds=2)
    assert timed.sql == "SELECT id FROM roles_function WHERE organization_id = %s"
    assert timed.planning_ms >= 0 and timed.running_ms >= 0


def test_only_reads_are_run_again():
    assert _reads("SELECT 1") and _reads("\nWITH days AS (SELECT 1) SELECT * FROM days")
    assert not _reads("WITH gone AS (DELETE FROM wp_state_change RETURNING weight) SELECT 1")
    assert not _reads("UPDATE roles_function SET name = 'x'") and not _reads("")
