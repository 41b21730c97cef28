"""The OpenAPI schema (complete, valid, errors documented), the docs page, and the error shape."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command

from wholeproduct.api_errors import flatten

from .conftest import url

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_validates_without_a_warning(schema):
    assert schema["openapi"].startswith("3.")
    assert len(list(operations(schema))) >= 45


def test_every_path_of_design_6_is_there(schema):
    expected = [
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/layers/",
        "/api/v1/orgs/",
        "/api/v1/orgs/{org}/functions/",
        "/api/v1/orgs/{org}/stakeholders/",
        "/api/v1/orgs/{org}/products/",
        "/api/v1/orgs/{org}/products/{product}/assignments/",
        "/api/v1/orgs/{org}/products/{product}/suggestions/",
        "/api/v1/orgs/{org}/products/{product}/coverage/",
        "/api/v1/orgs/{org}/reviews/",
        "/api/v1/orgs/{org}/reports/",
        "/api/v1/orgs/{org}/reports/{id}/export/",
        "/api/v1/orgs/{org}/partnerships/",
        "/api/v1/orgs/{org}/disruptions/",
    ]
    assert [path for path in expected if path not in schema["paths"]] == []


def test_every_operation_has_a_response_schema_and_documents_its_errors(schema):
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        success = [code for code in responses if code.startswith("2")]
        assert success, (method, path)
        if success != ["204"]:
            assert all("content" in responses[code] for code in success), (method, path)
        if path != "/api/v1/auth/token/":
            assert "401" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if method in {"post", "put", "patch"}:
            assert "requestBody" in operation, (method, path)
            assert "400" in responses, (method, path)
        for code in responses:
            if code[0] in "45":
                assert responses[code]["description"], (method, path, code)


def test_writes_members_may_not_do_document_403(schema):
    for path, method, operation in operations(schema):
        if path.startswith("/api/v1/orgs/{org}/") and method in {"put", "patch", "delete"}:
            assert "403" in operation["responses"], (method, path)
    export = schema["paths"]["/api/v1/orgs/{org}/reports/{id}/export/"]["get"]
    assert "403" in export["responses"]
    assert {media.split(";")[0] for media in export["responses"]["200"]["content"]} == {
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
        "application/json",
    }


def test_version_locked_operations_document_409_with_the_current_object(schema):
    patch = schema["paths"]["/api/v1/orgs/{org}/products/{product}/assignments/{id}/"]["patch"]
    conflict = patch["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    current = schema["components"]["schemas"][conflict]["properties"]["current"]
    assert "Assignment" in str(current)
    assert "409" in schema["paths"]["/api/v1/orgs/{org}/partnerships/{id}/"]["patch"]["responses"]
    assert "202" in schema["paths"]["/api/v1/orgs/{org}/reports/"]["post"]["responses"]
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_the_main_calls_carry_examples(schema):
    for path, method in [
        ("/api/v1/auth/token/", "post"),
        ("/api/v1/orgs/{org}/functions/", "post"),
        ("/api/v1/orgs/{org}/products/{product}/assignments/", "post"),
        ("/api/v1/orgs/{org}/products/{product}/suggestions/", "post"),
        ("/api/v1/orgs/{org}/reviews/", "post"),
        ("/api/v1/orgs/{org}/reports/", "post"),
    ]:
        assert schema["paths"][path][method]["requestBody"]["content"]["application/json"]["examples"], path


def test_the_schema_and_the_docs_are_served_offline(client):
    assert client.get("/api/schema/").status_code == 200
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html  # the start-up script is a file of its own
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html
        assert finders.find(f"drf_spectacular_sidecar/swagger-ui-dist/{asset}"), asset
    assert "//cdn" not in html and "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"/api/schema/" in script.content


# --- the error shape ----------------------------------------------------------------------------


def test_flatten_names_nested_fields_with_dots():
    detail = {"cells": [{}, {"layer": ["Unknown."]}], "all": ["Bad."], "non_field_errors": ["Both."]}
    assert flatten(detail) == {"cells.1.layer": ["Unknown."], "all": ["Bad."], "non_field_errors": ["Both."]}


def test_an_unknown_api_address_answers_json(leader_api, client):
    for response in (
        leader_api.get(url("nowhere/")),
        client.post("/api/v2/functions/"),
        leader_api.get(url("orgs/acme/functions/1.5/")),
    ):
        assert response.status_code == 404
        assert response.json()["error"] == "not_found"


def test_errors_keep_the_shape_for_drf_refusals(leader_api, org):
    wrong_method = leader_api.put(url("orgs/acme/functions/"), {}, format="json")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    broken = leader_api.generic("POST", url("orgs/acme/functions/"), "{not json", content_type="application/json")
    assert broken.status_code == 400 and broken.json()["error"] == "parse_error"
    form = leader_api.post(url("orgs/acme/functions/"), {"name": "X", "category": "building"})
    assert form.status_code == 415 and form.json()["error"] == "unsupported_media_type"


def test_the_live_coverage_documents_the_fields_of_a_report(schema):
    operation = schema["paths"]["/api/v1/orgs/{org}/products/{product}/coverage/"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    fields = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]["properties"]
    expected = {"as_of", "score", "layer_coverage", "function_coverage", "review_coverage", "agreement"}
    assert expected | {"layers", "gaps", "totals"} <= set(fields)
