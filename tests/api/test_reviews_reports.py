"""Reviews (a stakeholder on their own function; leaders resolve) and coverage reports (202 builds, exports)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from layers.models import Assignment, CoverageReport, Review
from layers.services import reports as report_services
from tests.factories import ProductFactory

from .conftest import url

pytestmark = pytest.mark.django_db

REVIEWS = url("orgs/acme/reviews/")
REPORTS = url("orgs/acme/reports/")


# --- reviews ------------------------------------------------------------------------------------


def test_a_stakeholder_disagrees_with_their_own_assignment(stakeholder_api, cs_assignment):
    body = {
        "assignment": cs_assignment.pk,
        "verdict": "disagree",
        "comment": "We run onboarding.",
        "suggested_layer": "core",
    }
    response = stakeholder_api.post(REVIEWS, body, format="json")
    assert response.status_code == 201, response.json()
    review = Review.objects.get(assignment=cs_assignment)
    assert (review.verdict, review.comment, review.suggested_layer.key) == ("disagree", "We run onboarding.", "core")
    assert response.json()["is_open"] is True and response.json()["stakeholder_name"] == "Casey Success"


def test_a_stakeholder_cannot_review_another_functions_assignment(stakeholder_api, eng_assignment, cs_assignment):
    response = stakeholder_api.post(REVIEWS, {"assignment": eng_assignment.pk, "verdict": "agree"}, format="json")
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_a_member_without_a_person_record_cannot_review(leader_api, cs_assignment):
    response = leader_api.post(REVIEWS, {"assignment": cs_assignment.pk, "verdict": "agree"}, format="json")
    assert response.status_code == 403
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"verdict": "disagree"}, "comment"),
        ({"verdict": "meh"}, "verdict"),
        ({"verdict": "disagree", "comment": "c" * 2001}, "comment"),
        ({"verdict": "disagree", "comment": "No.", "suggested_layer": "augmented"}, "suggested_layer"),
        ({"verdict": "agree", "assignment": 999999}, "assignment"),
    ],
)
def test_it_refuses_a_bad_review(stakeholder_api, cs_assignment, body, field):
    response = stakeholder_api.post(REVIEWS, {"assignment": cs_assignment.pk, **body}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Review.objects.exists()


def test_leaders_list_every_review_and_a_stakeholder_their_own(leader_api, stakeholder_api, world, engineer):
    Review.objects.create(assignment_id=world["assignment"], stakeholder=engineer, verdict="agree")
    assert leader_api.get(REVIEWS).json()["count"] == 2
    own = stakeholder_api.get(REVIEWS).json()
    assert own["count"] == 1 and own["results"][0]["stakeholder_name"] == "Casey Success"
    assert leader_api.get(REVIEWS + "?open=true").json()["count"] == 1
    assert leader_api.get(REVIEWS + "?verdict=agree").json()["count"] == 1
    assert leader_api.get(REVIEWS + f"?stakeholder={engineer.pk}").json()["count"] == 1
    assert stakeholder_api.get(url(f"orgs/acme/reviews/{world['review']}/")).status_code == 200


def test_a_stakeholder_does_not_see_someone_elses_review(stakeholder_api, world, engineer):
    theirs = Review.objects.create(assignment_id=world["assignment"], stakeholder=engineer, verdict="agree")
    assert stakeholder_api.get(url(f"orgs/acme/reviews/{theirs.pk}/")).status_code == 404


def test_a_leader_keeps_a_disputed_assignment_with_a_note(leader_api, world, leader):
    response = leader_api.post(
        url(f"orgs/acme/reviews/{world['review']}/resolve/"), {"action": "keep", "note": "It stays."}, format="json"
    )
    assert response.status_code == 200, response.json()
    review = Review.objects.get(pk=world["review"])
    assert (review.resolution, review.resolution_note, review.resolved_by) == ("kept", "It stays.", leader)
    assert response.json()["is_open"] is False


def test_a_leader_changes_a_disputed_assignment(leader_api, world):
    path = url(f"orgs/acme/reviews/{world['review']}/resolve/")
    response = leader_api.post(path, {"action": "change", "emphasis": "lead", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert Assignment.objects.get(pk=world["own_assignment"]).emphasis == "lead"
    assert Review.objects.get(pk=world["review"]).resolution == "changed"


def test_resolving_against_a_stale_version_is_409_with_the_assignment(leader_api, world):
    path = url(f"orgs/acme/reviews/{world['review']}/resolve/")
    response = leader_api.post(path, {"action": "change", "emphasis": "lead", "version": 3}, format="json")
    assert response.status_code == 409
    assert response.json()["current"]["id"] == world["own_assignment"]
    assert Assignment.objects.get(pk=world["own_assignment"]).emphasis == "contributor"
    assert not Review.objects.get(pk=world["review"]).resolved_at


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "keep"}, "note"),
        ({"action": "change", "emphasis": "lead"}, "version"),
        ({"action": "shrug"}, "action"),
    ],
)
def test_it_refuses_an_incomplete_resolution(leader_api, world, body, field):
    response = leader_api.post(url(f"orgs/acme/reviews/{world['review']}/resolve/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not Review.objects.get(pk=world["review"]).resolved_at


# --- reports ------------------------------------------------------------------------------------


def test_reports_list_and_detail(leader_api, world):
    listed = leader_api.get(REPORTS).json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["product"] == "insights" and 0 <= row["score"] <= 100
    detail = leader_api.get(url(f"orgs/acme/reports/{row['id']}/")).json()
    assert [layer["key"] for layer in detail["layers"]] == ["core", "expected", "augmented", "potential"]
    assert isinstance(detail["gaps"], list) and "gaps" in detail["totals"]


def test_reports_filter_by_date_range_and_product(leader_api, world, product):
    old = report_services.build_report(product_id=product.pk, trigger="manual", run_key="old")
    CoverageReport.objects.filter(pk=old.pk).update(generated_at=timezone.now() - timedelta(days=30))
    today = timezone.localdate()
    count = lambda query: leader_api.get(REPORTS + query).json()["count"]  # noqa: E731
    assert count("") == 2
    assert count(f"?generated_at_after={today}") == 1
    assert count(f"?generated_at_before={today - timedelta(days=1)}") == 1
    assert count(f"?generated_at_after={today - timedelta(days=40)}&generated_at_before={today}") == 2
    assert count("?product=insights") == 2 and count("?product=connect") == 0
    assert leader_api.get(REPORTS + "?generated_at_after=yesterday").status_code == 400


def test_a_build_is_queued_with_a_status_url(leader_api, product, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = leader_api.post(REPORTS, {"product": "insights"}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    report = CoverageReport.objects.get(product=product, run_key=body["job"])
    assert report.trigger == "api"
    status = leader_api.get(body["status_url"]).json()
    assert status["done"] is True and status["tasks"][0]["report"] == report.pk


def test_a_build_of_every_product_queues_one_task_each(leader_api, org, product):
    ProductFactory(organization=org, slug="connect")
    body = leader_api.post(REPORTS, {}, format="json").json()
    assert len(body["tasks"]) == 2
    status = leader_api.get(body["status_url"]).json()
    assert status["total"] == 2 and status["done"] is False


def test_a_build_refuses_an_unknown_product(leader_api, product):
    response = leader_api.post(REPORTS, {"product": "nope"}, format="json")
    assert response.status_code == 400 and "product" in response.json()["fields"]
    assert leader_api.get(url("orgs/acme/reports/jobs/6f1c2a52-2f0b-4c8e-9a51-0d7e1f7c1a11/")).status_code == 404


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
        ("json", "application/json"),
    ],
)
def test_an_admin_exports_a_report(admin_api, world, fmt, content_type):
    response = admin_api.get(url(f"orgs/acme/reports/{world['report']}/export/?format={fmt}"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith('attachment; filename="coverage-insights-')
    if fmt == "csv":
        assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    if fmt == "json":
        assert json.loads(response.content)


@pytest.mark.parametrize("query", ["", "?format=docx", "?format="])
def test_an_export_needs_a_known_format(admin_api, world, query):
    response = admin_api.get(url(f"orgs/acme/reports/{world['report']}/export/{query}"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "format" in response.json()["fields"]


def test_another_organizations_report_is_not_found(admin_api, other_org):
    theirs = ProductFactory(organization=other_org)
    report = report_services.build_report(product_id=theirs.pk, trigger="manual", run_key="theirs")
    assert admin_api.get(url(f"orgs/acme/reports/{report.pk}/")).status_code == 404
    assert admin_api.get(url(f"orgs/acme/reports/{report.pk}/export/?format=csv")).status_code == 404
