"""Migration 0015 packs the gaps of the snapshots already stored, and counts them where the
snapshot's totals did not, and gives them back as jsonb when reversed."""

from __future__ import annotations

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import REPORT_FIGURES
from tests.services import require_postgres

BEFORE = [("layers", "0014_snapshot_data_help")]
AFTER = [("layers", "0015_report_gaps_packed")]
GAPS = [
    {
        "kind": "unowned_layer",
        "severity": "high",
        "message": "The Core product has no lead.",
        "target": {"layer": "core"},
    },
    {"kind": "pending_review", "severity": "low", "message": "2 reviews pending from Sales.", "count": 2},
    {"kind": "pending_review", "severity": "low", "message": "1 review pending from R&D\nnorth.", "count": 1},
]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def _report(apps, slug: str, **fields):
    org = apps.get_model("roles", "Organization").objects.create(slug=slug, name=slug.title())
    product = apps.get_model("layers", "Product").objects.create(organization=org, name="Insights", slug="insights")
    return apps.get_model("layers", "CoverageReport").objects.create(
        product=product,
        organization=org,
        run_key="old",
        **REPORT_FIGURES,
        **fields,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # as the other transactional tests
def test_stored_gaps_are_packed_counted_and_given_back():
    require_postgres()  # it reads the jsonb column the migration packs
    try:
        apps = _migrate(BEFORE)
        uncounted = _report(apps, "uncounted", gaps=GAPS, totals={"people": 3})
        counted = _report(apps, "counted", gaps=GAPS[:1], totals={"gaps": 1, "gaps_high": 1, "people": 2})
        empty = _report(apps, "empty", gaps=[], totals={})

        apps = _migrate(AFTER)
        Report = apps.get_model("layers", "CoverageReport")
        assert Report.objects.get(pk=uncounted.pk).gaps == GAPS
        assert Report.objects.get(pk=uncounted.pk).totals == {
            "people": 3,
            "gaps": 3,
            "gaps_high": 1,
            "gaps_medium": 0,
            "gaps_low": 2,
        }
        assert Report.objects.get(pk=counted.pk).gaps == GAPS[:1]
        assert Report.objects.get(pk=counted.pk).totals == {"gaps": 1, "gaps_high": 1, "people": 2}  # kept
        assert Report.objects.get(pk=empty.pk).gaps == []
        assert Report.objects.get(pk=empty.pk).totals["gaps"] == 0

        apps = _migrate(BEFORE)
        Report = apps.get_model("layers", "CoverageReport")
        assert Report.objects.get(pk=uncounted.pk).gaps == GAPS
        assert Report.objects.get(pk=empty.pk).gaps == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT jsonb_array_length(gaps) FROM layers_coveragereport WHERE id = %s", [uncounted.pk])
            assert cursor.fetchone() == (3,)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        # As `migrate` ends: the tables the way back dropped and the way forward made again get
        # their statement triggers (the state version, the kept counts) from the apps' installers.
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_the_round_trip_every_table_counts_its_writes_again():
    """The migrations back and forth above drop and make tables again; the test leaves them with
    their triggers, as `migrate` does (a later test's writes would otherwise go uncounted)."""
    require_postgres()
    from layers.models import SuggestionRow
    from layers.readmodel import suggestioncounts
    from roles import linkcounts, rowcounts
    from shared.triggers import triggers_in_place

    try:
        _migrate(BEFORE)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
        emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert suggestioncounts.install() is False and linkcounts.install() is False and rowcounts.install() == []
    rows = SuggestionRow._meta.db_table
    with connection.cursor() as cursor:
        assert triggers_in_place(cursor, [rows], "wp_suggestions") == 4
        assert triggers_in_place(cursor, [rows], "wp_note") == 3  # the state version's (statecache)
