"""The report build service: DESIGN §4's numbers on a hand-computed organization, snapshots stored
once per run, builds that fail leaving nothing, and the rows read in a fixed number of queries."""

from __future__ import annotations

import gc
import io
import json
from datetime import timedelta

import orjson
import pytest
import zstandard
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from layers.models import CoverageReport
from layers.readmodel import read
from layers.readmodel.read import live_coverage
from layers.selectors import coverage as selectors_coverage
from layers.services import reports as services
from roles.models import Disruption
from roles.services.disruptions import disruption_log
from tests.factories import (
    AssignmentFactory,
    FunctionFactory,
    ProductFactory,
    ReviewFactory,
    StakeholderFactory,
    layer,
)
from wholeproduct.celery import app
from wholeproduct.errors import DomainError, NotFound

from .reports_scenario import SCORE, build, insights, review


@pytest.fixture
def scenario(org):
    return insights(org)


@pytest.fixture
def eager():
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


# --- the numbers --------------------------------------------------------------------------------


def test_a_report_has_the_hand_computed_numbers(scenario, leader):
    report = services.build_report(product_id=scenario.product.pk, trigger="manual", run_key="r1", by=leader)

    assert report.score == SCORE == 68
    assert report.layer_coverage == 0.5
    assert report.function_coverage == 0.8
    assert report.review_coverage == 0.75
    assert report.agreement == pytest.approx(2 / 3)
    assert (report.trigger, report.run_key, report.requested_by) == ("manual", "r1", leader)
    assert report.organization == scenario.org
    counts = report.totals
    assert (counts["functions"], counts["mapped_functions"], counts["review_pairs"]) == (5, 4, 4)
    assert (counts["current_reviews"], counts["stale_reviews"], counts["pending_reviews"]) == (3, 1, 0)
    assert counts["open_disputes"] == 1
    assert counts["people"] == 4  # the people of mapped functions: Finance's person forms no pair


def test_each_layer_has_its_lead_reach_reviews_and_disputes(scenario):
    report = build(scenario.product)

    core, expected, augmented, potential = report.layers
    assert (core["lead"], core["contributors"]) == ("Product Management", ["Engineering"])
    assert (core["stakeholders_reached"], core["reviewed_pct"], core["agreement_pct"]) == (3, 100, 67)
    assert core["open_disputes"] == 1
    assert (augmented["lead"], augmented["contributors"], augmented["stakeholders_reached"]) == (
        "Customer Success",
        ["Sales"],
        1,
    )
    assert (augmented["reviewed_pct"], augmented["stale_reviews"]) == (0, 1)
    assert expected["lead"] is None and potential["lead"] is None


def test_the_gaps_say_what_to_fix_most_severe_first(scenario):
    report = build(scenario.product)

    assert [(g["severity"], g["kind"], g["name"]) for g in report.gaps] == [
        ("high", "unowned_layer", "Expected product"),
        ("high", "unowned_layer", "Potential product"),
        ("medium", "open_dispute", "Engineering"),
        ("medium", "unmapped_function", "Finance"),
        ("medium", "unstaffed_function", "Sales"),
        ("medium", "weak_partnership", "Customer Success ↔ Sales"),
        ("low", "stale_review", "Customer Success"),
    ]
    assert report.gaps[3]["target"] == {"function_id": scenario.functions["Finance"].pk}


def test_the_snapshot_keeps_the_whole_result_and_the_rings_as_they_stood(scenario):
    report = build(scenario.product)

    assert report.data["score"] == report.score
    assert report.data["counts"]["assignments"] == report.totals["assignments"]
    # The layers and gaps live in their own columns once, not a second time inside `data`.
    assert "layers" not in report.data and "gaps" not in report.data
    assert report.layers and report.gaps
    rings = {ring["key"]: ring["members"] for ring in report.data["rings"]}
    assert [(m["name"], m["is_lead"]) for m in rings["core"]] == [("Product Management", True), ("Engineering", False)]
    assert rings["expected"] == []
    assert report.duration_ms >= 0


def test_a_large_ring_is_stored_as_the_picture_draws_it_and_counts_the_rest(scenario, monkeypatch, leader):
    # A snapshot keeps the members its picture shows (lead first) and counts the others, which
    # the report page's picture shows as "+N more"; the layers column still names every one.
    from layers.selectors.report_page import report_for_page, report_rings
    from roles.models import Membership
    from roles.permissions import OrgContext

    monkeypatch.setattr(services, "PER_RING", 1)
    report = build(scenario.product)

    core = next(ring for ring in report.data["rings"] if ring["key"] == "core")
    assert [m["name"] for m in core["members"]] == ["Product Management"] and core["more"] == 1
    assert next(row for row in report.layers if row["key"] == "core")["contributors"] == ["Engineering"]
    ctx = OrgContext(report.organization, Membership.objects.get(organization=report.organization, user=leader))
    picture = report_rings(report_for_page(ctx, report.pk))
    assert picture is not None
    assert [(ring.key, ring.total) for ring in picture.rings][:2] == [("core", 2), ("expected", 0)]


def test_the_stored_snapshot_is_the_json_of_its_fields(scenario):
    # Each column's JSON is encoded once (orjson): its values are the fields'.
    report = build(scenario.product)
    live = live_coverage(scenario.product)
    fields = services.snapshot_fields(product=scenario.product, coverage=live.coverage, rows=live)
    stored = CoverageReport.objects.values("layers", "gaps", "totals", "data").get(pk=report.pk)

    gaps = [gap.to_dict() for gap in fields["gaps"]]  # the fields hold the `Gap`s themselves
    assert stored == {name: fields[name] for name in ("layers", "totals", "data")} | {"gaps": gaps}
    assert (report.layers, report.data) == (fields["layers"], fields["data"])
    with CaptureQueriesContext(connection) as read_back:
        assert report.gaps == gaps  # a deferred field: read back when asked for
    assert len(read_back.captured_queries) == 1

    assert stored["layers"][0]["contributors"] == ["Engineering"]
    with connection.cursor() as cursor:  # as written (PostgreSQL's jsonb keeps its own text)
        cursor.execute("SELECT data, gaps FROM layers_coveragereport WHERE id = %s", [report.pk])
        data_text, gaps_bytes = cursor.fetchone()
    if connection.vendor == "sqlite":  # orjson's text: compact UTF-8
        assert data_text == orjson.dumps(fields["data"]).decode()
    else:
        assert json.loads(data_text) == fields["data"]
    # The gaps packed (shared/packed.py): zstd-compressed JSON Lines, one gap per line.
    assert bytes(gaps_bytes)[:4] == zstandard.FRAME_HEADER
    lines = zstandard.ZstdDecompressor().decompress(bytes(gaps_bytes)).split(b"\n")
    assert [orjson.loads(line) for line in lines] == gaps


def test_orjson_writes_every_kind_of_gap_as_its_to_dict():
    # The build encodes `Gap`s directly (orjson writes a dataclass's fields in order): the stored
    # JSON must be `Gap.to_dict()`, for every kind and severity, with and without a name or count.
    from domain.coverage.result import Gap, GapKind, Severity

    targets = [{"layer": "core"}, {"function_id": 7}, {"assignment_id": 3, "function_id": 7, "layer": "core"}]
    made = [
        Gap(kind, severity, f"{kind} — ↔ “quoted”", targets[i % len(targets)], *extra)
        for i, (kind, severity) in enumerate((k, s) for k in GapKind for s in Severity)
        for extra in ((), ("A ↔ B",), ("Ünïcode", 3))
    ]
    assert orjson.loads(orjson.dumps(made)) == [gap.to_dict() for gap in made]


def test_a_disruption_after_a_review_makes_it_stale_in_the_next_report(scenario):
    before = build(scenario.product)
    # Logged through its service, which applies it (a raw row would be a planned disruption
    # nobody applied: only applied disruptions count, domain.review_state).
    disruption_log(
        organization=scenario.org,
        kind=Disruption.Kind.REORG,
        title="Product split in two",
        occurred_on=timezone.localdate(),
        function_ids=[scenario.functions["Product Management"]],
    )

    after = build(scenario.product)

    assert before.totals["current_reviews"] == 3
    assert after.totals["current_reviews"] == 2  # Pat's agreement needs re-confirming
    assert after.score == round(100 * (0.5 + 0.8 + 0.5) / 3) == 60


def test_only_each_persons_latest_review_counts(scenario):
    """Eli disputed, then agreed: the dispute is withdrawn. Of two reviews saved in the same
    instant, the later insert (the higher id) is the latest."""
    eng, eli, eve = scenario.assignments["eng"], scenario.people["eli"], scenario.people["eve"]
    moment = timezone.now() - timedelta(minutes=30)
    review(eng, eli, at=moment)
    review(eng, eve, verdict="disagree", at=moment)
    review(eng, eve, verdict="agree", at=moment)

    report = build(scenario.product)

    assert report.totals["open_disputes"] == 0
    assert report.totals["agreeing_reviews"] == 3  # Pat, Eve and Eli
    rows = selectors_coverage.coverage_input(product_id=scenario.product.pk, organization_id=scenario.org.pk)
    assert len(rows.reviews) == 4  # one per pair: the older reviews stay in the database


def test_a_partnership_between_functions_the_product_does_not_map_is_not_its_gap(scenario):
    other = FunctionFactory(organization=scenario.org, name="Legal")
    a, b = sorted((other, scenario.functions["Finance"]), key=lambda f: f.pk)
    scenario.org.partnerships.create(function_a=a, function_b=b, trust=1)

    report = build(scenario.product)

    assert [g["name"] for g in report.gaps if "partnership" in g["kind"]] == ["Customer Success ↔ Sales"]


def _link(org, one, two, trust):
    a, b = sorted((one, two), key=lambda f: f.pk)
    org.partnerships.create(function_a=a, function_b=b, trust=trust)


def test_live_coverage_reads_the_partnerships_the_joined_read_finds(scenario, other_org):
    # mapped_partnerships reads the organization's links whole and names them from its functions:
    # the same rows as partnership_rows' filtered, joined read, whatever their order.
    legal = FunctionFactory(organization=scenario.org, name="Legal")
    _link(scenario.org, legal, scenario.functions["Sales"], 4)
    _link(scenario.org, legal, FunctionFactory(organization=scenario.org, name="Tax"), 1)  # neither is mapped
    functions, _ = read.function_rows(scenario.org.pk)
    mapped = set(scenario.product.assignments.values_list("function_id", flat=True))

    def both(mapped):
        fast = read.mapped_partnerships(scenario.org.pk, functions, mapped)
        joined = read.partnership_rows(scenario.org.pk, list(mapped))
        return sorted(fast, key=lambda p: p.id), sorted(joined, key=lambda p: p.id)

    fast, joined = both(mapped)
    assert fast == joined
    assert {frozenset((p.a_name, p.b_name)) for p in fast} == {
        frozenset(("Customer Success", "Sales")),
        frozenset(("Legal", "Sales")),
    }
    # A link to another organization's function (no service makes one) is named by the join.
    _link(scenario.org, FunctionFactory(organization=other_org, name="Stranger"), scenario.functions["Sales"], 3)
    fast, joined = both(mapped)
    assert fast == joined and len(fast) == 3


def test_an_empty_product_is_a_report_of_zeros_and_one_gap_not_a_crash(org):
    product = ProductFactory(organization=org)

    report = build(product)

    assert (report.score, report.agreement) == (0, 0.0)
    assert [g["kind"] for g in report.gaps][:1] == ["no_functions"]


# --- once per run -------------------------------------------------------------------------------


def test_building_one_run_twice_returns_the_first_snapshot(scenario):
    first = services.build_report(product_id=scenario.product.pk, trigger="manual", run_key="same")
    ReviewFactory(assignment=scenario.assignments["pm"], stakeholder=scenario.people["pat"])  # the numbers move on

    second = services.build_report(product_id=scenario.product.pk, trigger="manual", run_key="same")

    assert second.pk == first.pk
    assert CoverageReport.objects.filter(product=scenario.product).count() == 1


def test_two_runs_make_two_snapshots(scenario):
    build(scenario.product, run_key="a")
    build(scenario.product, run_key="b")
    assert CoverageReport.objects.filter(product=scenario.product).count() == 2


@pytest.mark.parametrize("where", ["totals_of", "_rings"])
def test_a_build_that_raises_midway_leaves_no_snapshot(scenario, monkeypatch, where):
    def broken(*args, **kwargs):
        raise RuntimeError("the worker was interrupted")

    monkeypatch.setattr(services, where, broken)

    with pytest.raises(RuntimeError):
        services.build_report(product_id=scenario.product.pk, trigger="manual", run_key="r")

    assert not CoverageReport.objects.exists()


def test_a_build_that_fails_while_saving_leaves_no_snapshot(scenario, monkeypatch):
    def failing_save(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(CoverageReport, "save", failing_save)

    with pytest.raises(RuntimeError):
        services.build_report(product_id=scenario.product.pk, trigger="manual", run_key="r")

    monkeypatch.undo()
    assert not CoverageReport.objects.exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_leaves_the_garbage_collector_as_it_found_it(scenario, monkeypatch, enabled):
    # A build pauses the collector while it computes (its many rows are freed by their counts).
    paused = []
    real_rings = services._rings

    def rings(rows):
        paused.append(not gc.isenabled())
        return real_rings(rows)

    monkeypatch.setattr(services, "_rings", rings)
    gc.enable() if enabled else gc.disable()
    try:
        build(scenario.product)
        assert gc.isenabled() is enabled
        monkeypatch.setattr(services, "totals_of", lambda *args: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            build(scenario.product)
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert paused == [True]  # the second build stopped before its rings


@pytest.mark.parametrize("enabled", [True, False])
def test_live_coverage_pauses_the_collector_and_leaves_it_as_it_found_it(scenario, monkeypatch, enabled):
    # The coverage API and the oracle read live coverage outside a build: it pauses the collector
    # itself (at 5,000 functions the collections its objects triggered took half the API's time).
    paused = []
    real = read.assemble_coverage

    def assemble(**kwargs):
        paused.append(not gc.isenabled())
        return real(**kwargs)

    monkeypatch.setattr(read, "assemble_coverage", assemble)
    gc.enable() if enabled else gc.disable()
    try:
        assert live_coverage(scenario.product).coverage.score == SCORE
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert paused == [True]


def test_the_snapshot_json_columns_are_compressed_with_lz4_where_postgresql_has_it(db):
    # The gaps are packed already (shared/packed.py): stored out of line, not compressed again.
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's column compression")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone() is None:
            pytest.skip("this PostgreSQL is built without lz4")
        cursor.execute(
            "SELECT attname, attcompression::text, attstorage::text FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname IN ('data', 'gaps', 'layers')",
            [CoverageReport._meta.db_table],
        )
        found = {name: (compression, storage) for name, compression, storage in cursor.fetchall()}
        assert found == {"data": ("l", "x"), "layers": ("l", "x"), "gaps": ("", "e")}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"trigger": "cron", "run_key": "r"}, "Unknown trigger 'cron'"),
        ({"trigger": "manual", "run_key": ""}, "A run key is 1 to 100 characters"),
        ({"trigger": "manual", "run_key": "x" * 101}, "A run key is 1 to 100 characters"),
    ],
)
def test_it_refuses_a_bad_trigger_or_run_key(scenario, kwargs, message):
    with pytest.raises(DomainError, match=message):
        services.build_report(product_id=scenario.product.pk, **kwargs)
    assert not CoverageReport.objects.exists()


def test_a_deleted_product_is_not_found(db):
    with pytest.raises(NotFound, match="no product 999999"):
        services.build_report(product_id=999_999, trigger="manual", run_key="r")


# --- the rows, in a fixed number of queries -----------------------------------------------------


def _grow(scenario, *, functions: int, people_each: int) -> None:
    for i in range(functions):
        function = FunctionFactory(organization=scenario.org, name=f"Team {i}")
        assignment = AssignmentFactory(product=scenario.product, function=function, layer=layer("potential"))
        for _ in range(people_each):
            person = StakeholderFactory(function=function)
            ReviewFactory(assignment=assignment, stakeholder=person)


def test_the_rows_are_read_in_six_queries_at_any_size(scenario, django_assert_num_queries):
    def load():
        return selectors_coverage.coverage_input(product_id=scenario.product.pk, organization_id=scenario.org.pk)

    with django_assert_num_queries(6):
        small = load()
    _grow(scenario, functions=12, people_each=3)
    with django_assert_num_queries(6):
        large = load()
    assert (len(small.reviews), len(large.reviews)) == (4, 4 + 36)


def test_a_build_runs_the_same_queries_for_a_small_or_a_larger_product(scenario):
    with CaptureQueriesContext(connection) as small:
        build(scenario.product)
    _grow(scenario, functions=10, people_each=2)
    with CaptureQueriesContext(connection) as large:
        build(scenario.product)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- queueing -----------------------------------------------------------------------------------


def test_request_build_queues_one_task_per_product_named_by_its_run(
    scenario, leader, eager, django_capture_on_commit_callbacks
):
    second = ProductFactory(organization=scenario.org, name="Pipelines")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        task_ids = services.request_build(organization=scenario.org, trigger="manual", by=leader)

    assert len(task_ids) == len(callbacks) == 2
    reports = CoverageReport.objects.filter(run_key__in=task_ids)
    assert {r.product_id for r in reports} == {scenario.product.pk, second.pk}
    assert {r.requested_by_id for r in reports} == {leader.pk}


def test_request_build_sends_nothing_until_the_transaction_commits(scenario, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        task_ids = services.request_build(organization=scenario.org, product=scenario.product, trigger="api")
    assert len(task_ids) == len(callbacks) == 1
    assert not CoverageReport.objects.exists()


def test_request_build_refuses_another_organizations_product(scenario, other_org):
    foreign = ProductFactory(organization=other_org)
    with pytest.raises(NotFound):
        services.request_build(organization=scenario.org, product=foreign, trigger="manual")


def test_request_build_explains_an_organization_with_no_product(org):
    with pytest.raises(DomainError, match="has no product to report on yet"):
        services.request_build(organization=org, trigger="manual")


def test_request_build_refuses_an_unknown_trigger(scenario):
    with pytest.raises(DomainError, match="Unknown trigger"):
        services.request_build(organization=scenario.org, trigger="nightly")


def test_the_schedule_run_key_names_the_day_and_the_slot():
    moment = timezone.make_aware(timezone.datetime(2025, 11, 3, 2, 0, 5))
    assert services.schedule_run_key(now=moment) == "schedule:2025-11-03:02h"
    assert services.schedule_run_key(now=moment, slot="nightly") == "schedule:2025-11-03:nightly"
    with pytest.raises(DomainError, match="schedule slot"):
        services.schedule_run_key(now=moment, slot="no spaces please")


# --- the schedule and the command ---------------------------------------------------------------


def test_a_migration_schedules_the_nightly_build_in_the_database(db):
    task = PeriodicTask.objects.get(name="Nightly coverage reports")
    assert task.task == "layers.build_all_reports"
    assert task.enabled
    assert (task.crontab.minute, task.crontab.hour) == ("0", "2")


def test_build_reports_sync_builds_every_product_of_one_organization(scenario, other_org):
    ProductFactory(organization=other_org, name="Elsewhere")
    out = io.StringIO()

    call_command("build_reports", "--org", "acme", "--sync", stdout=out)

    assert CoverageReport.objects.get().product == scenario.product
    assert f"Acme Analytics / Insights Cloud: score {SCORE}" in out.getvalue()


def test_build_reports_queues_through_the_service(scenario, eager, django_capture_on_commit_callbacks):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("build_reports", stdout=out)
    assert CoverageReport.objects.filter(product=scenario.product, trigger="manual").count() == 1
    assert "Acme Analytics: queued 1 build(s)." in out.getvalue()


def test_build_reports_names_the_organizations_it_knows(org):
    with pytest.raises(CommandError, match=r"No organization with slug 'nope'\. Known: acme"):
        call_command("build_reports", "--org", "nope")
