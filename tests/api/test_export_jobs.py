"""The API's report export keeps answering files (DESIGN §6); the PDF and XLSX of a large report
answer 202 with an export job to poll and download (issue 15 item 9), its admin's only."""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from django.core.management import call_command

from layers.models import ExportJob
from tests.conftest import _member
from tests.layers import export_fixtures

from .conftest import token_client, url

report, large = export_fixtures.report, export_fixtures.large  # the shared fixtures


def export(report, query: str) -> str:
    return url(f"orgs/acme/reports/{report.pk}/export/?{query}")


@pytest.mark.usefixtures("eager_tasks")
def test_a_large_pdf_answers_202_then_its_status_gives_the_file(admin_api, large, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.get(export(large, "format=pdf"))

    assert response.status_code == 202
    job = ExportJob.objects.get()
    body = response.json()
    status_url = f"http://testserver/api/v1/orgs/acme/reports/exports/{job.token}/"
    assert body["job"] == str(job.token) and body["status_url"] == status_url == response["Location"]
    assert body["state"] == "queued" and body["download_url"] is None  # as it stood when asked
    status = admin_api.get(status_url).json()
    assert status["state"] == "done" and status["percent"] == 100 and status["error"] == ""
    assert status["download_url"] == status_url + "download/"
    file = admin_api.get(status["download_url"])
    assert file.status_code == 200 and file.content.startswith(b"%PDF")
    assert file["Content-Disposition"].startswith('attachment; filename="coverage-insights-cloud-')


def test_the_same_request_again_answers_the_same_job(admin_api, large, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = admin_api.get(export(large, "format=xlsx&table=gaps")).json()
        again = admin_api.get(export(large, "format=xlsx&table=gaps")).json()
    assert first["job"] == again["job"] and ExportJob.objects.count() == 1
    assert again["table"] == "gaps" and again["format"] == "xlsx"


def test_csv_stays_a_file_of_one_table(admin_api, large):
    response = admin_api.get(export(large, "format=csv&table=layers"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Ring", "Layer"] and rows[1][1] == "Core product"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=csv&table=nope", "table"),
        ("format=xlsx&table=", "table"),
        ("format=json&table=gaps", "table"),
        ("format=zip", "format"),
    ],
)
def test_a_bad_table_or_format_is_refused_in_the_error_shape(admin_api, large, query, field):
    response = admin_api.get(export(large, query))
    assert response.status_code == 400 and list(response.json()["fields"]) == [field]
    assert not ExportJob.objects.exists()


def test_a_job_is_its_admins_only(
    admin_api, org, other_org, large, leader_api, outsider_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        token = admin_api.get(export(large, "format=pdf")).json()["job"]
    colleague = token_client(_member(org, "admin", "second-admin@acme.test"))
    their_admin = token_client(_member(other_org, "admin", "admin@globex.test"))
    for tail in ("", "download/"):
        path = url(f"orgs/acme/reports/exports/{token}/{tail}")
        assert colleague.get(path).status_code == 404, path
        assert leader_api.get(path).status_code == 403, path
        assert outsider_api.get(path).status_code == 404, path
        assert their_admin.get(path.replace("/orgs/acme/", "/orgs/globex/")).status_code == 404, path
    assert admin_api.get(url(f"orgs/acme/reports/exports/{token}/download/")).status_code == 404  # not built yet


def test_the_schema_documents_the_202_and_the_job(tmp_path):
    path = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    schema = yaml.safe_load(path.read_text())
    export_op = schema["paths"]["/api/v1/orgs/{org}/reports/{id}/export/"]["get"]
    assert "202" in export_op["responses"] and "worker" in export_op["description"]
    assert [p["name"] for p in export_op["parameters"] if p["in"] == "query"] == ["format", "table"]
    job = schema["paths"]["/api/v1/orgs/{org}/reports/exports/{token}/"]["get"]
    fields = schema["components"]["schemas"]["ExportJob"]["properties"]
    assert {"state", "percent", "error", "status_url", "download_url", "expires_at"} <= set(fields)
    assert "404" in job["responses"] and "403" in job["responses"]
    assert "/api/v1/orgs/{org}/reports/exports/{token}/download/" in schema["paths"]
