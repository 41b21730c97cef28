"""JSON for every /api/ answer, the site's pages elsewhere (issue 16 item 4): Django's handlers
(wholeproduct/urls.py), the guard's refusals and whatever else answers an error."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from roles.models import Function
from tests.api.conftest import token_client
from tests.conftest import client_for
from wholeproduct import error_pages

pytestmark = pytest.mark.django_db

SHAPE = {"error", "detail", "fields"}


def _json_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) >= SHAPE and body["error"] == code and body["detail"]
    return body


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_an_api_path_that_matches_no_route_answers_json_404(leader, method):
    response = getattr(token_client(leader), method)("/api/v1/nothing/here/")
    _json_error(response, 404, "not_found")


def test_a_method_an_api_address_does_not_take_answers_json_405_with_allow(leader, org):
    response = token_client(leader).put("/api/v1/orgs/acme/functions/", {}, format="json")
    _json_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_a_method_the_docs_page_does_not_take_answers_json_405(leader):
    response = client_for(leader).post("/api/docs/")
    _json_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET, HEAD"


def test_an_address_too_long_answers_414_json_under_the_api_and_a_page_elsewhere(leader, org):
    long_query = "search=" + "a" * 5000
    _json_error(token_client(leader).get(f"/api/v1/orgs/acme/functions/?{long_query}"), 414, "uri_too_long")
    page = client_for(leader).get(f"/o/acme/functions/?{long_query}")
    assert page.status_code == 414
    assert "The address is longer than 4096 characters." in page.content.decode()


def test_a_body_too_large_answers_413_json(leader, org, settings):
    body = '{"name": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + '", "category": "building"}'
    response = token_client(leader).generic("POST", "/api/v1/orgs/acme/functions/", body, "application/json")
    _json_error(response, 413, "too_large")
    assert not Function.objects.exists()


def test_an_unexpected_error_answers_json_500_under_the_api_and_the_500_page_elsewhere(leader, org, monkeypatch):
    from layers.api import products as layers_api
    from roles.views import functions

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(layers_api.ProductViewSet, "list", broken)
    monkeypatch.setattr(functions.selectors, "functions_for_list", broken)
    api = token_client(leader)
    api.raise_request_exception = False
    body = _json_error(api.get("/api/v1/orgs/acme/products/"), 500, "server_error")
    assert "a bug" not in body["detail"]  # nothing of the code leaks
    page = Client(raise_request_exception=False)
    page.force_login(leader)
    answer = page.get("/o/acme/functions/")
    assert answer.status_code == 500
    assert "Something went wrong on our side" in answer.content.decode()


def test_a_page_that_is_not_there_answers_the_404_page_in_the_layout(leader, org):
    response = client_for(leader).get("/o/nobody/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page doesn't exist" in html and 'class="topbar"' in html


def test_a_refused_page_answers_the_403_page(stakeholder_client, org):
    response = stakeholder_client.get("/o/acme/functions/new/")
    assert response.status_code == 403
    assert "You can't do this here" in response.content.decode()


def test_the_handlers_answer_json_under_the_api(rf: RequestFactory):
    api_request, page_request = rf.get("/api/v1/x/"), rf.get("/o/x/")
    assert error_pages.bad_request(api_request).status_code == 400
    assert error_pages.bad_request(api_request)["Content-Type"] == "application/json"
    assert error_pages.permission_denied(api_request, PermissionError("no"))["Content-Type"] == "application/json"
    assert error_pages.server_error(api_request)["Content-Type"] == "application/json"
    csrf = error_pages.csrf_failure(rf.post("/api/v1/x/"), reason="CSRF cookie not set")
    assert csrf.status_code == 403 and "CSRF cookie not set" in csrf.content.decode()
    assert error_pages.server_error(page_request)["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("page", ["", "x", "0", "-1"])
def test_a_page_that_is_not_a_page_number_answers_400(leader, org, page):
    body = _json_error(token_client(leader).get(f"/api/v1/orgs/acme/functions/?page={page}"), 400, "invalid")
    assert body["fields"] == {"page": ["Give a page number: a whole number from 1."]}
