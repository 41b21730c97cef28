"""Degrade, don't crash (issue 16 item 6): the broker or the cache at a closed port.

The actions that need them answer 503 with a plain sentence (the API's JSON shape under /api/,
a page elsewhere) and queue or write nothing; the pages that need neither keep working.
Transactional tests: a build is queued when its request's transaction commits, as in production.
"""

from __future__ import annotations

import socket

import pytest
from django.core.cache import cache

from layers.models import CoverageReport
from tests.api.conftest import token_client
from tests.conftest import PASSWORD, client_for
from tests.factories import ProductFactory, StakeholderFactory
from wholeproduct.celery import app
from wholeproduct.outages import BROKER_DOWN, CACHE_DOWN

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forget_broker_connections() -> None:
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = f"redis://127.0.0.1:{_closed_port()}/0", False
    _forget_broker_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    _forget_broker_connections()


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
        }
    }
    yield


@pytest.fixture
def working_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "outages"}}
    cache.clear()


@pytest.fixture
def product(org):
    return ProductFactory(organization=org, name="Insights", slug="insights")


def test_the_api_answers_503_with_a_sentence_when_the_broker_is_down(working_cache, broker_down, admin_user, product):
    response = token_client(admin_user).post("/api/v1/orgs/acme/reports/", {"product": "insights"}, format="json")
    assert response.status_code == 503
    assert response.json() == {"error": "unavailable", "detail": BROKER_DOWN, "fields": {}}
    assert response["Retry-After"] == "60"
    assert CoverageReport.objects.count() == 0


def test_the_rebuild_button_answers_a_503_page_when_the_broker_is_down(working_cache, broker_down, leader, product):
    response = client_for(leader).post("/o/acme/reports/build/", {"product": "insights"})
    assert response.status_code == 503
    assert "The job queue is not answering right now, so nothing was queued." in response.content.decode()
    assert CoverageReport.objects.count() == 0


def test_the_token_endpoint_answers_503_when_the_cache_is_down(cache_down, leader):
    response = token_client(leader).post(
        "/api/v1/auth/token/", {"email": "leader@acme.test", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["detail"] == CACHE_DOWN


def test_a_report_build_answers_503_when_the_cache_is_down(cache_down, admin_user, product):
    response = token_client(admin_user).post("/api/v1/orgs/acme/reports/", {"product": "insights"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"


@pytest.mark.parametrize("url", ["/o/acme/", "/o/acme/functions/", "/o/acme/people/", "/o/acme/p/insights/"])
def test_pages_that_need_neither_keep_working_with_both_down(cache_down, broker_down, leader, product, url):
    StakeholderFactory(function__organization=product.organization, full_name="Ann Lee")
    response = client_for(leader).get(url)
    assert response.status_code == 200, url


def test_the_api_reads_keep_working_with_both_down(cache_down, broker_down, leader, product):
    response = token_client(leader).get("/api/v1/orgs/acme/products/")
    assert response.status_code == 200
    assert [p["slug"] for p in response.json()["results"]] == ["insights"]


def test_a_rebuild_with_a_form_token_answers_503_and_can_be_sent_again(working_cache, broker_down, leader, product):
    from roles.models import Submission

    client = client_for(leader)
    data = {"product": "insights", "form_token": "0" * 32}
    response = client.post("/o/acme/reports/build/", data)
    assert response.status_code == 503
    assert not Submission.objects.exists()  # nothing remembered: the same click may be sent again
