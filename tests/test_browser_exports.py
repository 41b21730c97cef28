"""Exports in a real browser (issue 15 item 9): an admin asks for the PDF of a large report, the
job page follows the worker's progress by itself (htmx), then offers the file to download."""

from __future__ import annotations

import shutil
import subprocess
import threading

import pytest
from django.db import connection

from layers.models import ExportJob
from layers.tasks import exports as tasks

from .browser import shoot, sign_in
from .factories import ensure_layers
from .layers.reports_scenario import SCORE, build, insights

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def four_layers(transactional_db):
    ensure_layers()


@pytest.fixture
def slow_worker(monkeypatch):
    """A stand-in worker: each export starts a second after it is queued, in a thread of its own."""
    timers: list[threading.Timer] = []

    def run_later(job_id: int) -> None:
        def run() -> None:
            try:
                tasks.build_export.apply(args=[job_id])
            finally:
                connection.close()

        timer = threading.Timer(1.2, run)
        timers.append(timer)
        timer.start()

    monkeypatch.setattr(tasks.build_export, "delay", run_later)
    yield
    for timer in timers:
        timer.join(timeout=30)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils)")
def test_an_admin_waits_for_a_large_pdf_and_downloads_it(
    page, live_server, org, admin_user, settings, slow_worker, tmp_path
):
    from playwright.sync_api import expect

    settings.EXPORT_INLINE_MAX_ROWS = 0  # every report is large
    report = build(insights(org).product)
    errors: list[str] = []  # CSP violations and script errors, on the page and its htmx swaps
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url, admin_user.email)
    page.goto(f"{live_server.url}/o/acme/reports/{report.pk}/")
    expect(page.locator(".export-note")).to_contain_text("built by a worker")

    page.get_by_role("link", name="PDF", exact=True).click()
    job = page.locator("#export-job")
    expect(job).to_contain_text("Building the PDF file")  # queued: the partial polls itself
    expect(job).to_have_attribute("data-state", "queued")
    shoot(page, "exports-job-running")
    expect(job).to_have_attribute("data-state", "done", timeout=20_000)
    expect(job).to_contain_text("Your PDF file is ready")
    shoot(page, "exports-job-done")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name.startswith("coverage-insights-cloud-") and path.suffix == ".pdf"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Insights Cloud" in text and str(SCORE) in text.split()
    assert ExportJob.objects.get().state == ExportJob.State.DONE
    assert errors == []
