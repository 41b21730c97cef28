"""Reports in a real browser: a leader rebuilds a report and watches its progress update itself
until it is done, then opens the comparison; an admin downloads the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import threading

import pytest
from django.db import connection

from layers.models import CoverageReport
from layers.tasks import reports as tasks
from wholeproduct.celery import app

from .browser import shoot, sign_in
from .factories import ensure_layers
from .layers.reports_scenario import SCORE, build, insights

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread: a transactional database, and the four
    # layers of the data migration restored for whichever test comes next.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def four_layers(transactional_db):
    ensure_layers()


@pytest.fixture
def slow_worker(monkeypatch):
    """A stand-in worker: each build starts a second after it is queued, in a thread of its own
    (its own database connection), so the page shows it queued, then watches it finish."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    timers: list[threading.Timer] = []

    def run_later(*, kwargs, task_id):
        def run():
            try:
                tasks.build_report.apply(kwargs=kwargs, task_id=task_id)
            finally:
                connection.close()

        timer = threading.Timer(1.2, run)
        timers.append(timer)
        timer.start()

    monkeypatch.setattr(tasks.build_report, "apply_async", run_later)
    yield
    for timer in timers:
        timer.join(timeout=30)
    app.conf.task_always_eager = saved


def test_a_leader_rebuilds_watches_it_finish_and_compares(page, live_server, org, leader, cs_function, slow_worker):
    from playwright.sync_api import expect

    scenario = insights(org, cs_function=cs_function)
    first = build(scenario.product)
    sign_in(page, live_server.url, leader.email)
    expect(page.locator(".heatmap")).to_contain_text("Insights Cloud")

    page.get_by_role("button", name="Rebuild reports").click()
    progress = page.locator("#report-job")
    expect(progress).to_contain_text("Building 1 report")  # queued: the partial polls itself
    expect(progress).to_have_attribute("data-state", "running")
    shoot(page, "reports-rebuild-running")
    expect(progress).to_have_attribute("data-state", "done", timeout=15_000)
    expect(progress).to_contain_text("1 report built")
    expect(progress).to_contain_text(f"Score {SCORE}")
    shoot(page, "reports-rebuild-done")
    assert CoverageReport.objects.filter(product=scenario.product).count() == 2

    page.goto(f"{live_server.url}/o/acme/reports/")
    page.get_by_role("button", name="Compare A and B").click()
    page.wait_for_url(re.compile(r"/reports/compare/\?"))
    expect(page.get_by_role("heading", name="Compare reports")).to_be_visible()
    expect(page.locator(".diff-head")).to_contain_text("Insights Cloud")
    assert f"a={first.pk}" in page.url
    shoot(page, "reports-compare")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_an_admin_downloads_the_pdf(page, live_server, org, admin_user, tmp_path):
    from playwright.sync_api import expect

    scenario = insights(org)
    report = build(scenario.product)
    sign_in(page, live_server.url, admin_user.email)
    page.goto(f"{live_server.url}/o/acme/reports/{report.pk}/")
    expect(page.get_by_role("heading", name="Insights Cloud")).to_be_visible()
    shoot(page, "reports-detail-admin")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF", exact=True).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)

    assert path.name.startswith("coverage-insights-cloud-") and path.suffix == ".pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Insights Cloud" in text and str(SCORE) in text.split()
