"""The reports pages: who sees what (DESIGN §5), the list's filters, the comparison, an on-demand
build and its progress, the exports, every bad input, and queries that do not grow."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from layers.models import Assignment, CoverageReport
from layers.reporting import compare_reports
from layers.services import reports as services
from tests.factories import AssignmentFactory, ProductFactory, layer
from wholeproduct.celery import app

from .reports_scenario import SCORE, build, insights

LIST = "/o/acme/reports/"
COMPARE = "/o/acme/reports/compare/"
BUILD = "/o/acme/reports/build/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def scenario(org, cs_function):
    """Insights Cloud maps Customer Success, the stakeholder's function; Pipelines does not."""
    return insights(org, cs_function=cs_function)


@pytest.fixture
def report(scenario):
    return build(scenario.product)


@pytest.fixture
def pipelines_report(scenario):
    return build(ProductFactory(organization=scenario.org, name="Pipelines", slug="pipelines"))


@pytest.fixture
def eager():
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def detail(report) -> str:
    return f"/o/acme/reports/{report.pk}/"


def export(report, fmt: str = "csv") -> str:
    return f"/o/acme/reports/{report.pk}/export/?format={fmt}"


def job(task_id: str) -> str:
    return f"/o/acme/reports/jobs/{task_id}/"


# --- access -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, report):
    for path in (LIST, detail(report), COMPARE, export(report), job(str(uuid.uuid4()))):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path
    assert client.post(BUILD).status_code == 302


def test_another_organization_sees_nothing(outsider_client, report):
    for path in (LIST, detail(report), f"{COMPARE}?a={report.pk}&b={report.pk}", export(report)):
        assert outsider_client.get(path).status_code == 404, path
    assert outsider_client.post(BUILD).status_code == 404
    assert not CoverageReport.objects.exclude(pk=report.pk).exists()


def test_a_stakeholder_sees_the_reports_of_their_own_products_only(stakeholder_client, report, pipelines_report):
    response = stakeholder_client.get(LIST)
    assert response.status_code == 200
    assert [r.pk for r in response.context["page"]] == [report.pk]
    assert stakeholder_client.get(detail(report)).status_code == 200
    assert stakeholder_client.get(detail(pipelines_report)).status_code == 404
    assert stakeholder_client.get(f"{COMPARE}?a={report.pk}&b={pipelines_report.pk}").status_code == 404


def test_a_stakeholder_can_neither_build_nor_export(stakeholder_client, report):
    assert stakeholder_client.post(BUILD).status_code == 403
    assert stakeholder_client.get(export(report)).status_code == 403
    assert stakeholder_client.get(job(str(uuid.uuid4()))).status_code == 403
    assert "Rebuild" not in stakeholder_client.get(detail(report)).text
    assert CoverageReport.objects.count() == 1


def test_a_leader_reads_reports_but_may_not_export_them(leader_client, report):
    response = leader_client.get(detail(report))
    assert response.status_code == 200
    assert "Insights Cloud" in response.text and "?format=pdf" not in response.text
    for fmt in ("csv", "xlsx", "pdf", "json"):
        assert leader_client.get(export(report, fmt)).status_code == 403


def test_an_admin_downloads_every_format(admin_client_, report):
    for fmt in ("csv", "xlsx", "pdf", "json"):
        response = admin_client_.get(export(report, fmt))
        assert response.status_code == 200, fmt
        assert response["Content-Disposition"].startswith('attachment; filename="coverage-insights-cloud-')
        assert response["Cache-Control"] == "private, no-store"
    assert json.loads(admin_client_.get(export(report, "json")).content)["score"] == SCORE
    book = load_workbook(io.BytesIO(admin_client_.get(export(report, "xlsx")).content))
    assert book.sheetnames == ["Summary", "Layers", "Gaps", "Trend"]
    assert "?format=pdf" in admin_client_.get(detail(report)).text


@pytest.mark.parametrize(("fmt", "message"), [("docx", "Cannot export as “docx”"), ("", "Cannot export as no format")])
def test_an_unknown_export_format_is_refused_with_the_choices(admin_client_, report, fmt, message):
    response = admin_client_.get(export(report, fmt))
    assert response.status_code == 400
    assert message in response.text and "csv, xlsx, pdf, json" in response.text


def test_an_unknown_report_is_not_found(admin_client_, db):
    assert admin_client_.get("/o/acme/reports/999999/").status_code == 404
    assert admin_client_.get("/o/acme/reports/999999/export/?format=csv").status_code == 404


# --- the list -----------------------------------------------------------------------------------


def test_the_list_filters_by_product_and_dates(leader_client, report, pipelines_report):
    CoverageReport.objects.filter(pk=pipelines_report.pk).update(generated_at="2025-01-15T12:00:00Z")

    by_product = leader_client.get(LIST, {"product": "pipelines"})
    by_dates = leader_client.get(LIST, {"since": "2025-01-15", "until": "2025-01-15"})
    everything = leader_client.get(LIST)

    assert [r.pk for r in by_product.context["page"]] == [pipelines_report.pk]
    assert [r.pk for r in by_dates.context["page"]] == [pipelines_report.pk]
    assert [r.pk for r in everything.context["page"]] == [report.pk, pipelines_report.pk]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"product": "nope"}, "Choose one of your organization&#x27;s products."),
        ({"since": "2025-02-01", "until": "2025-01-01"}, "The end date is before the start date."),
    ],
)
def test_a_bad_filter_says_what_is_wrong_and_lists_nothing(leader_client, report, params, message):
    response = leader_client.get(LIST, params)
    assert response.status_code == 400
    assert message in response.text
    assert len(response.context["page"]) == 0


def test_the_list_preselects_the_newest_report_and_the_one_before_it(leader_client, scenario):
    older, _, newest = (
        build(scenario.product),
        build(ProductFactory(organization=scenario.org)),
        build(scenario.product),
    )
    response = leader_client.get(LIST)
    assert (response.context["pick_a"], response.context["pick_b"]) == (older.pk, newest.pk)


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_the_list_runs_the_same_queries_for_few_or_many_reports(leader_client, scenario, django_assert_num_queries):
    build(scenario.product)
    leader_client.get(LIST)
    with CaptureQueriesContext(connection) as small:
        leader_client.get(LIST)
    for _ in range(12):
        build(ProductFactory(organization=scenario.org))
    with django_assert_num_queries(len(small.captured_queries)):
        assert leader_client.get(LIST).status_code == 200


# --- one report ---------------------------------------------------------------------------------


def test_a_report_shows_its_numbers_layers_gaps_and_where_each_gap_is_fixed(leader_client, report, scenario):
    response = leader_client.get(detail(report))
    html = response.text
    assert f">{SCORE}<" in html
    assert "Product Management" in html and "No lead" in html
    assert "The Expected product has no lead" in html
    assert 'href="/o/acme/p/insights/map/#layer-expected"' in html
    assert f'href="/o/acme/people/?function={scenario.functions["Sales"].pk}"' in html
    assert 'href="/o/acme/reviews/"' in html
    assert "Compare with previous" not in html  # the first report has no previous one


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_a_report_runs_the_same_queries_whatever_its_history(leader_client, scenario, django_assert_num_queries):
    first = build(scenario.product)
    leader_client.get(detail(first))
    with CaptureQueriesContext(connection) as small:
        leader_client.get(detail(first))
    for _ in range(5):
        latest = build(scenario.product)
    with django_assert_num_queries(len(small.captured_queries)):
        response = leader_client.get(detail(latest))
    assert "Compare with previous" in response.text


@pytest.mark.usefixtures("drawn")  # counts what the view itself does
def test_a_large_snapshot_shows_a_page_of_its_gaps_and_a_picture_cut_to_what_it_can_show(
    leader_client, report, django_assert_num_queries
):
    """A snapshot of a large organization holds thousands of gaps and every member of every ring:
    the page reads one page of gaps and the picture's members, cut in the database."""
    from layers.selectors import report_page
    from layers.selectors.rings import PER_RING

    gaps = [
        {
            "kind": "unmapped_function",
            "severity": "medium",
            "message": f"Team {i:04d} is mapped to nothing.",
            "target": {},
        }
        for i in range(report_page.GAPS_PER_PAGE * 2 + 7)
    ]
    members = [
        {"function_id": i, "name": f"Team {i:04d}", "category": "ops", "is_external": False, "is_lead": False}
        for i in range(PER_RING + 25)
    ]
    data = report.data | {"rings": [ring | {"members": members} for ring in report.data["rings"]]}
    totals = report.totals | {"gaps": len(gaps), "gaps_high": 0, "gaps_medium": len(gaps), "gaps_low": 0}
    CoverageReport.objects.filter(pk=report.pk).update(gaps=gaps, data=data, totals=totals)
    leader_client.get(detail(report))
    with CaptureQueriesContext(connection) as first:
        html = leader_client.get(detail(report)).text
    queries = len(first.captured_queries)  # now: the next request clears the connection's log
    assert "Team 0000 is mapped to nothing." in html and "Team 0049 is mapped" in html
    assert "Team 0050 is mapped" not in html
    assert f"Showing 1\u201350 of {len(gaps)} gaps" in html and "Page 1 of 3" in html
    assert "?gaps=2#gaps-heading" in html
    assert f"0 high · {len(gaps)} medium · 0 low" in html
    assert "+" in html and "more" in html  # each ring's "+N more" chip counts the members not loaded
    last = leader_client.get(detail(report) + "?gaps=3").text
    assert "Team 0106 is mapped to nothing." in last and "Team 0099 is mapped" not in last
    with django_assert_num_queries(queries):
        past = leader_client.get(detail(report) + "?gaps=99").text  # past the end: the last page, same queries
    assert "Team 0106 is mapped to nothing." in past
    for bad in ("abc", "-1", "0"):
        answer = leader_client.get(detail(report) + f"?gaps={bad}")  # a bad page number: the first page
        assert answer.status_code == 200 and "Team 0000 is mapped to nothing." in answer.text


def test_the_picture_of_a_large_snapshot_counts_the_members_it_did_not_load(report, leader):
    from layers.selectors.report_page import report_for_page, report_rings
    from layers.selectors.rings import PER_RING
    from roles.models import Membership
    from roles.permissions import OrgContext

    members = [
        {"function_id": i, "name": f"Team {i:04d}", "category": "ops", "is_external": False, "is_lead": i == 0}
        for i in range(PER_RING + 25)
    ]
    data = report.data | {"rings": [ring | {"members": members} for ring in report.data["rings"]]}
    CoverageReport.objects.filter(pk=report.pk).update(data=data)
    ctx = OrgContext(report.organization, Membership.objects.get(organization=report.organization, user=leader))
    rings = report_rings(report_for_page(ctx, report.pk))
    assert [len(ring.members) for ring in rings.rings] == [PER_RING] * 4
    assert [ring.total for ring in rings.rings] == [PER_RING + 25] * 4
    assert rings.rings[0].lead is not None


# --- comparing two ------------------------------------------------------------------------------


@pytest.fixture
def two_reports(scenario):
    """Between the two: Finance became the Expected layer's lead, Sales left the map."""
    before = build(scenario.product)
    AssignmentFactory(
        product=scenario.product, function=scenario.functions["Finance"], layer=layer("expected"), emphasis="lead"
    )
    Assignment.objects.filter(pk=scenario.assignments["sales"].pk).delete()
    after = build(scenario.product)
    return before, after


def test_the_comparison_reads_as_a_diff(leader_client, two_reports):
    before, after = two_reports

    response = leader_client.get(COMPARE, {"a": after.pk, "b": before.pk})  # any order: older first

    assert response.status_code == 200
    diff = response.context["diff"]
    assert (diff.older, diff.newer) == (before, after)
    html = response.text
    assert "Gained a lead: <strong>Finance</strong>" in html
    assert "+ Finance" in html and "\u2212 Sales" in html
    assert diff.score.before == SCORE and diff.score.after == after.score > SCORE


def test_compare_reports_lists_leads_functions_deltas_and_gaps(two_reports):
    before, after = two_reports
    diff = compare_reports(before, after)

    expected = next(row for row in diff.layers if row.key == "expected")
    assert (expected.lead_change, expected.lead_after) == ("gained", "Finance")
    augmented = next(row for row in diff.layers if row.key == "augmented")
    assert augmented.removed == ("Sales",) and augmented.lead_change == ""
    assert (diff.mapped, diff.unmapped) == (["Finance"], ["Sales"])
    assert next(c for c in diff.ratios if c.label == "Layer coverage").delta == 25
    closed = {g["kind"] for g in diff.gaps_closed}
    assert {"unmapped_function", "unstaffed_function"} <= closed
    assert not diff.identical


def test_a_lost_lead_is_named(scenario):
    before = build(scenario.product)
    Assignment.objects.filter(pk=scenario.assignments["cs"].pk).delete()
    after = build(scenario.product)

    augmented = next(row for row in compare_reports(before, after).layers if row.key == "augmented")

    assert (augmented.lead_change, augmented.lead_before) == ("lost", "Customer Success")


def test_two_identical_snapshots_have_no_difference(scenario):
    assert compare_reports(build(scenario.product), build(scenario.product)).identical


def test_without_a_choice_the_comparison_page_offers_a_picker(leader_client, report):
    response = leader_client.get(COMPARE)
    assert response.status_code == 200
    assert "Pick two reports" in response.text and f'value="{report.pk}"' in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"a": "abc", "b": "1"}, "Choose two reports to compare."),
        ({"a": "1"}, "Choose two reports to compare."),
        ({"a": "SAME", "b": "SAME"}, "Choose two different reports"),
    ],
)
def test_a_bad_comparison_says_what_is_wrong(leader_client, report, params, message):
    params = {key: str(report.pk) if value == "SAME" else value for key, value in params.items()}
    response = leader_client.get(COMPARE, params)
    assert response.status_code == 400
    assert message in response.text


def test_comparing_with_an_unknown_report_is_not_found(leader_client, report):
    assert leader_client.get(COMPARE, {"a": report.pk, "b": 999999}).status_code == 404


def test_the_comparison_runs_a_fixed_number_of_queries(leader_client, two_reports, django_assert_num_queries):
    before, after = two_reports
    leader_client.get(COMPARE, {"a": before.pk, "b": after.pk})
    with CaptureQueriesContext(connection) as first:
        leader_client.get(COMPARE, {"a": before.pk, "b": after.pk})
    for _ in range(8):
        build(ProductFactory(organization=before.organization))
    with django_assert_num_queries(len(first.captured_queries)):
        leader_client.get(COMPARE, {"a": before.pk, "b": after.pk})


# --- building on demand -------------------------------------------------------------------------


def test_a_leader_rebuilds_every_product_and_sees_the_progress(
    leader_client, leader, scenario, eager, django_capture_on_commit_callbacks
):
    ProductFactory(organization=scenario.org, name="Pipelines")

    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(BUILD, headers=HTMX)

    assert response.status_code == 202
    assert response.context["job"].total == 2 and "Building 2 reports" in response.text
    reports = CoverageReport.objects.filter(trigger="manual", requested_by=leader)
    assert reports.count() == 2
    polled = leader_client.get(job(response.context["job"].job_id), headers=HTMX)
    progress = polled.context["job"]
    assert (progress.total, progress.finished, progress.done) == (2, 2, True)
    assert "2 reports built" in polled.text and 'hx-trigger="every 1s"' not in polled.text


def test_a_queued_build_polls_every_second_until_it_is_done(
    leader_client, scenario, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = leader_client.post(BUILD, {"product": "insights"}, headers=HTMX)
    task_id = response.context["job"].job_id
    assert 'hx-trigger="every 1s"' in response.text and "Queued" in response.text

    callbacks[0]()  # the transaction commits; the (eager) worker builds it
    done = leader_client.get(job(task_id), headers=HTMX)

    assert done.status_code == 200
    assert 'hx-trigger="every 1s"' not in done.text
    assert "1 report built" in done.text and f"Score {SCORE}" in done.text
    report = CoverageReport.objects.get(run_key=task_id)
    assert f"/o/acme/reports/{report.pk}/" in done.text


def test_without_htmx_a_build_redirects_to_the_list_showing_its_progress(
    leader_client, scenario, eager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_client.post(BUILD, {"product": "insights"})
    assert response.status_code == 302
    task_id = CoverageReport.objects.get().run_key
    assert response.url == f"{LIST}?job={task_id}"
    page = leader_client.get(response.url)
    assert "1 report built" in page.text


def test_an_unknown_product_is_refused_and_nothing_is_queued(
    leader_client, scenario, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        htmx = leader_client.post(BUILD, {"product": "nope"}, headers=HTMX)
        plain = leader_client.post(BUILD, {"product": "nope"}, follow=True)
    assert htmx.status_code == 400 and "There is no product &#x27;nope&#x27; in Acme Analytics." in htmx.text
    assert "There is no product &#x27;nope&#x27;" in plain.text
    assert callbacks == [] and not CoverageReport.objects.exists()


def test_an_organization_without_products_is_told_to_create_one(leader_client, org):
    response = leader_client.post(BUILD, headers=HTMX)
    assert response.status_code == 400
    assert "has no product to report on yet" in response.text


def test_building_needs_a_post(leader_client, scenario):
    assert leader_client.get(BUILD).status_code == 405


def test_a_job_of_another_organization_or_an_unknown_one_is_not_found(leader_client, scenario, other_org):
    foreign = services.request_build(
        organization=other_org, product=ProductFactory(organization=other_org), trigger="manual"
    )
    assert leader_client.get(job(foreign[0])).status_code == 404
    assert leader_client.get(job(str(uuid.uuid4()))).status_code == 404


def test_the_story_names_the_first_functions_a_disruption_touched_and_counts_the_rest(scenario, leader_client):
    # A reorganization of the product's functions between two snapshots: the page names a few.
    from datetime import timedelta

    from django.utils import timezone

    from layers.reporting import TOUCHED_NAMED
    from roles.models import Disruption
    from tests.factories import FunctionFactory

    build(scenario.product, at=timezone.now() - timedelta(days=3))
    reorg = Disruption.objects.create(
        organization=scenario.org,
        kind="reorg",
        title="The big reorg",
        occurred_on=timezone.localdate() - timedelta(days=1),
        effective_at=timezone.now() - timedelta(days=1),
    )
    teams = [FunctionFactory(organization=scenario.org, name=f"Team {i:03d}") for i in range(TOUCHED_NAMED + 5)]
    AssignmentFactory(product=scenario.product, function=teams[0], layer=layer("potential"))
    reorg.functions.add(*teams)
    html = " ".join(leader_client.get(detail(build(scenario.product))).content.decode().split())
    names = ", ".join(f"Team {i:03d}" for i in range(TOUCHED_NAMED))
    story = html[html.index("The big reorg") :].split("</li>")[0]
    assert f"{names} and 5 more functions" in story and f"Team {TOUCHED_NAMED:03d}" not in story


@pytest.mark.usefixtures("drawn")  # what the view itself reads
def test_a_large_snapshot_s_layers_name_their_first_contributors_and_count_the_rest(leader_client, leader, report):
    """A snapshot stores every contributor of every layer (thousands in a large organization); the
    page's layer table names six and counts the others, and the page reads the first names only."""
    from django.db import connection as db

    from layers.readmodel.read import NAMED_CONTRIBUTORS
    from layers.selectors.report_page import report_for_page
    from roles.permissions import org_context

    many = NAMED_CONTRIBUTORS + 30
    names = [f"Team {i:04d}" for i in range(many)]
    layers = [row | {"contributors": names} if row["key"] == "expected" else row for row in report.layers]
    CoverageReport.objects.filter(pk=report.pk).update(layers=layers)

    html = leader_client.get(detail(report)).text
    assert "Team 0000, Team 0001, Team 0002, Team 0003, Team 0004, Team 0005" in html
    assert "Team 0006" not in html and f"+{many - 6} more" in html
    ctx = org_context(leader, report.organization.slug)
    expected = next(row for row in report_for_page(ctx, report.pk).layers if row["key"] == "expected")
    if db.vendor == "postgresql":  # cut in the database
        assert expected["contributors"] == names[:NAMED_CONTRIBUTORS]
        assert expected["contributors_more"] == many - NAMED_CONTRIBUTORS
    else:
        assert expected["contributors"] == names
